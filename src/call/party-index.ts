/**
 * The calls each party takes part in, kept as calls start, change hands and end (from the typed
 * call events), so the concurrency limits (FEATURES.md section 2) and a user's live state cost
 * one lookup instead of a scan of every call.
 */
import type { CallSubject } from "./call-events.js";
import type { CallParty } from "./types.js";

type Side = "caller" | "callee";

function keyOf(party: { readonly domainId: number; readonly user: string }): string {
  return `${party.domainId}\u0000${party.user}`;
}

const CALLER = 1;
const CALLEE = 2;
const BOTH = CALLER | CALLEE;
const BIT: Record<Side, number> = { caller: CALLER, callee: CALLEE };

export class PartyIndex {
  /**
   * Calls in and out per party, with the sides it holds in each as bits (CALLER | CALLEE: both
   * when calling itself); a number rather than a set keeps the index small per call.
   */
  private readonly calls = new Map<string, Map<CallSubject, number>>();
  /** Calls a party placed (its outgoing count). */
  private readonly outgoing = new Map<string, number>();

  /** Calls `party` takes part in, in either direction. */
  activeCount(party: CallParty): number {
    let count = 0;
    for (const sides of this.calls.get(keyOf(party))?.values() ?? []) count += sides === BOTH ? 2 : 1;
    return count;
  }

  /** Calls `party` placed. */
  outgoingCount(party: CallParty): number {
    return this.outgoing.get(keyOf(party)) ?? 0;
  }

  /** The calls of one user, and whether it is their callee (for its live state). */
  *callsOf(domainId: number, user: string): Iterable<[CallSubject, { readonly callee: boolean }]> {
    for (const [call, sides] of this.calls.get(keyOf({ domainId, user })) ?? [])
      yield [call, { callee: (sides & CALLEE) !== 0 }];
  }

  /** A new call counts against its caller and callee. */
  add(call: CallSubject): void {
    this.join(call, call.caller, "caller");
    this.join(call, call.callee, "callee");
  }

  /** A side changed hands (transfer, retargeting). */
  move(call: CallSubject, before: CallParty, after: CallParty, side: Side): void {
    this.leave(call, before, side);
    this.join(call, after, side);
  }

  /** The call ended: its parties' counts drop. */
  remove(call: CallSubject): void {
    this.leave(call, call.caller, "caller");
    this.leave(call, call.callee, "callee");
  }

  private join(call: CallSubject, party: CallParty, side: Side): void {
    const key = keyOf(party);
    let calls = this.calls.get(key);
    if (calls === undefined) {
      calls = new Map();
      this.calls.set(key, calls);
    }
    calls.set(call, (calls.get(call) ?? 0) | BIT[side]);
    if (side === "caller") this.outgoing.set(key, (this.outgoing.get(key) ?? 0) + 1);
  }

  private leave(call: CallSubject, party: CallParty, side: Side): void {
    const key = keyOf(party);
    const calls = this.calls.get(key);
    const sides = calls?.get(call);
    if (calls !== undefined && sides !== undefined && (sides & BIT[side]) !== 0) {
      const left = sides & ~BIT[side];
      if (left !== 0) calls.set(call, left);
      else {
        calls.delete(call);
        if (calls.size === 0) this.calls.delete(key);
      }
    }
    if (side !== "caller") return;
    const next = (this.outgoing.get(key) ?? 0) - 1;
    if (next <= 0) this.outgoing.delete(key);
    else this.outgoing.set(key, next);
  }
}
