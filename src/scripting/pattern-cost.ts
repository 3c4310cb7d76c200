/**
 * Worst-case cost of Lua's pattern matcher (lstrlib.c), so the sandbox can refuse a match that
 * could run longer than a slice's CPU budget before it starts. The instruction hook that stops a
 * looping script only fires between Lua instructions; string.find, match, gmatch and gsub run in
 * C, and on the signalling thread nothing can interrupt them: `("a"):rep(1e6):find("a*b")` would
 * take minutes. Lua 5.4 manual 6.4.1 gives the grammar read here.
 *
 * The matcher backtracks: an item with `*`, `+` or `-` tries every length up to the rest of the
 * subject, and for each the rest of the pattern; an unanchored pattern is tried at every start.
 * So for a subject of n bytes the steps are bounded by (n+1)^power · factor, where power counts
 * the start positions and the expanding items that something able to fail follows. Each of these
 * ranges over what the previous ones left (positions i ≤ j ≤ k...), hence power! in the divisor
 * (`a*b` on n bytes of `a` does n²/2 steps, as measured); factor is also 2 per `?` item so
 * followed, times the number of items (each attempt compares up to all of them). `%b` and back
 * references scan up to the whole subject on each attempt, wherever they stand.
 */

export interface PatternCost {
  /** Exponent of (n+1), n the subject's length in bytes. */
  power: number;
  /** Constant factor. */
  factor: number;
}

interface Item {
  /** Tries many lengths (`*`, `+`, `-`) or scans far (`%b`, `%1`). */
  expands: boolean;
  /** Scans up to the subject on every attempt, even at the end of the pattern. */
  scans: boolean;
  optional: boolean;
  /** Can fail to match where it is tried (`*`, `-` and `?` items always match, maybe empty). */
  canFail: boolean;
}

/** Index just past a `[set]` starting at `i` (its `[`); a `]` right after `[` or `[^` is a member. */
function skipSet(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === "^") j++;
  do {
    if (j >= p.length) return p.length; // malformed: Lua raises "missing ']'" itself
    if (p[j] === "%") j++;
    j++;
  } while (p[j] !== "]");
  return j + 1;
}

/** `anchorable`: a leading `^` anchors the match (find, match, gsub; not gmatch, manual 6.4.1). */
export function patternCost(pattern: string, anchorable: boolean): PatternCost {
  const items: Item[] = [];
  let i = 0;
  let anchored = false;
  if (anchorable && pattern[0] === "^") {
    anchored = true;
    i = 1;
  }
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "(" || c === ")") {
      i++;
      continue;
    }
    if (c === "$" && i === pattern.length - 1) {
      items.push({ expands: false, scans: false, optional: false, canFail: true });
      i++;
      continue;
    }
    if (c === "%") {
      const d = pattern[i + 1] ?? "";
      if (d === "b") {
        items.push({ expands: true, scans: true, optional: false, canFail: true });
        i += 4;
        continue;
      }
      if (d === "f") {
        items.push({ expands: false, scans: false, optional: false, canFail: true });
        i = skipSet(pattern, i + 2);
        continue;
      }
      if (d >= "0" && d <= "9") {
        items.push({ expands: true, scans: true, optional: false, canFail: true });
        i += 2;
        continue;
      }
      i += 2;
    } else if (c === "[") {
      i = skipSet(pattern, i);
    } else {
      i++;
    }
    const q = pattern[i];
    if (q === "*" || q === "-") items.push({ expands: true, scans: false, optional: false, canFail: false });
    else if (q === "+") items.push({ expands: true, scans: false, optional: false, canFail: true });
    else if (q === "?") items.push({ expands: false, scans: false, optional: true, canFail: false });
    else items.push({ expands: false, scans: false, optional: false, canFail: true });
    if (q === "*" || q === "-" || q === "+" || q === "?") i++;
  }
  let power = anchored ? 0 : 1;
  let optionals = 0;
  let failsLater = false; // whether some item after the current one can fail
  for (let k = items.length - 1; k >= 0; k--) {
    const item = items[k];
    if (item.scans || (item.expands && failsLater)) power++;
    if (item.optional && failsLater) optionals++;
    failsLater ||= item.canFail;
  }
  let factorial = 1;
  for (let k = 2; k <= power; k++) factorial *= k;
  return { power, factor: (2 ** Math.min(optionals, 60) * Math.max(1, items.length)) / factorial };
}
