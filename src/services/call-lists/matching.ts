/**
 * The black and white list's matching (issue 16; FEATURES.md section 6), pure: records and a call
 * in, the deciding record out.
 *
 * The rules, in order:
 * 1. A record matches a call when its caller prefix matches the caller and its called prefix the
 *    called number. Caller prefix: `*` matches every caller; `anonymous` matches a caller that
 *    withheld its identity (caller-privacy.ts) and nothing else; digits match a caller whose
 *    number starts with them, never an anonymous caller (its number is withheld). Called prefix:
 *    `*` or digits the dialled number starts with.
 * 2. The longest match decides, the caller prefix first: the record with the longest matching
 *    caller prefix (`*` counts 0, `anonymous` more than any digits), and among those the one with
 *    the longest called prefix (`*` counts 0). One record per caller and called prefix pair (the
 *    store's unique key) means two matching records never tie.
 * 3. A white record lets the call through whatever else matches (issue 16: "white records let a
 *    call through whatever else matches"): any matching white record allows the call, even when a
 *    longer black one matches too (white `0086`, black `00861234`: 008612345 gets in).
 * 4. Otherwise the longest matching black record (rule 2 among the black ones) blocks `rate`
 *    percent of the calls it decides (100 always, 0 never); a call it lets through is not looked
 *    at again by shorter records.
 */
import { ANONYMOUS_PREFIX, ANY_PREFIX, type CallListRecord, PREFIX_MAX_LENGTH } from "../../store/index.js";

export interface ListedCall {
  /** The caller's number (user part). */
  readonly caller: string;
  /** The caller withheld its identity. */
  readonly anonymous: boolean;
  /** The number as dialled. */
  readonly called: string;
}

export type ListDecision =
  /** No record matches: the list has no say. */
  | { readonly kind: "unlisted" }
  | { readonly kind: "allowed"; readonly record: CallListRecord }
  | { readonly kind: "blocked"; readonly record: CallListRecord };

const ANONYMOUS_SCORE = PREFIX_MAX_LENGTH + 1;

/** How long the caller prefix's match is; -1 when it does not match. */
function callerScore(prefix: string, call: ListedCall): number {
  if (prefix === ANY_PREFIX) return 0;
  if (prefix === ANONYMOUS_PREFIX) return call.anonymous ? ANONYMOUS_SCORE : -1;
  return !call.anonymous && call.caller.startsWith(prefix) ? prefix.length : -1;
}

function calledScore(prefix: string, call: ListedCall): number {
  if (prefix === ANY_PREFIX) return 0;
  return call.called.startsWith(prefix) ? prefix.length : -1;
}

/** The record that decides a call (rules 1 and 2), or undefined when none matches. */
export function decidingRecord(
  records: readonly CallListRecord[],
  call: ListedCall,
): CallListRecord | undefined {
  let best: CallListRecord | undefined;
  let bestCaller = -1;
  let bestCalled = -1;
  for (const record of records) {
    const byCaller = callerScore(record.callerPrefix, call);
    if (byCaller < 0 || byCaller < bestCaller) continue;
    const byCalled = calledScore(record.calledPrefix, call);
    if (byCalled < 0) continue;
    if (byCaller > bestCaller || byCalled > bestCalled) {
      best = record;
      bestCaller = byCaller;
      bestCalled = byCalled;
    }
  }
  return best;
}

/** Rules 3 and 4; `random` returns [0, 1) like Math.random (tests seed it). */
export function decide(
  records: readonly CallListRecord[],
  call: ListedCall,
  random: () => number,
): ListDecision {
  const white = decidingRecord(
    records.filter((r) => r.kind === "white"),
    call,
  );
  if (white !== undefined) return { kind: "allowed", record: white };
  const record = decidingRecord(records, call);
  if (record === undefined) return { kind: "unlisted" };
  return random() * 100 < record.rate ? { kind: "blocked", record } : { kind: "allowed", record };
}
