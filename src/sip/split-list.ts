import { skipWs, trimEnd } from "./chars.js";

/**
 * Index of the next comma in s[i, end) that separates list elements (RFC 3261 7.3.1): not inside
 * a quoted-string nor inside "<" ">". Returns end if there is none.
 */
export function nextListComma(s: string, i: number, end: number): number {
  let angle = false;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 44) {
      if (!angle) return i;
    } else if (c === 34) {
      // quoted-string with quoted-pairs; an unterminated one runs to the end.
      i++;
      while (i < end) {
        const q = s.charCodeAt(i);
        if (q === 34) break;
        if (q === 92) i++;
        i++;
      }
    } else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    i++;
  }
  return end;
}

/**
 * Splits a list header value on its separating commas, trimming LWS around each element.
 * Empty elements are kept (validators reject them; getAll() drops them).
 */
export function splitList(value: string): string[] {
  const end = value.length;
  if (value.indexOf(",") < 0) return [value];
  let comma = nextListComma(value, 0, end);
  if (comma === end) return [value];
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const a = skipWs(value, i, comma);
    out.push(value.slice(a, trimEnd(value, a, comma)));
    if (comma >= end) return out;
    i = comma + 1;
    comma = nextListComma(value, i, end);
  }
}

/** The first non-empty element of a list value ("" if none). */
export function firstListElement(value: string): string {
  const end = value.length;
  if (value.indexOf(",") < 0) return value;
  let i = 0;
  while (i <= end) {
    const comma = nextListComma(value, i, end);
    const a = skipWs(value, i, comma);
    const b = trimEnd(value, a, comma);
    if (b > a) return a === 0 && b === end ? value : value.slice(a, b);
    i = comma + 1;
  }
  return "";
}
