/**
 * Group members ringing now (ringing group, hunt group): a group call's callee is the called
 * member or the group's number until someone answers, so the party index does not see the other
 * members. Their legs carry the member's party (src/call/stages/group.ts); this keeps those legs
 * while they ring, from the typed call events, so a member's live state says "ringing".
 */
import type { CallEventName, CallEvents, CallSubject } from "./call-events.js";
import type { CalleeLeg, CallParty } from "./types.js";

function keyOf(domainId: number, user: string): string {
  return `${domainId}\u0000${user}`;
}

export class RingingMembers {
  /** Ringing member legs by member. */
  private readonly byMember = new Map<string, Set<CalleeLeg>>();
  /** The same legs by call, to drop them when the call is answered or ends. */
  private readonly byCall = new Map<CallSubject, Set<CalleeLeg>>();

  /** Whether a leg of a group call rings this user now. */
  has(domainId: number, user: string): boolean {
    return (this.byMember.get(keyOf(domainId, user))?.size ?? 0) > 0;
  }

  /** The group calls ringing this member now (pick-up). */
  callsOf(domainId: number, user: string): CallSubject[] {
    const calls = new Set<CallSubject>();
    for (const [call, legs] of this.byCall) {
      for (const leg of legs)
        if (leg.party?.domainId === domainId && leg.party.user === user) calls.add(call);
    }
    return [...calls];
  }

  /** The members a group call rings now. */
  partiesOf(call: CallSubject): CallParty[] {
    return [...(this.byCall.get(call) ?? [])].flatMap((leg) => (leg.party === undefined ? [] : [leg.party]));
  }

  /** Follows one call event. */
  observe<K extends CallEventName>(call: CallSubject, name: K, event: CallEvents[K]): void {
    if (name === "ringing" || name === "legFailed") {
      const leg = (event as CallEvents["ringing"]).leg;
      if (leg.party === undefined) return;
      if (leg.state === "ringing" || leg.state === "calling") this.add(call, leg);
      else this.remove(call, leg);
    } else if (name === "answered" || name === "ended" || name === "retargeted") {
      for (const leg of [...(this.byCall.get(call) ?? [])]) this.remove(call, leg);
    }
  }

  private add(call: CallSubject, leg: CalleeLeg): void {
    const party = leg.party!;
    const key = keyOf(party.domainId, party.user);
    let legs = this.byMember.get(key);
    if (legs === undefined) {
      legs = new Set();
      this.byMember.set(key, legs);
    }
    legs.add(leg);
    let ofCall = this.byCall.get(call);
    if (ofCall === undefined) {
      ofCall = new Set();
      this.byCall.set(call, ofCall);
    }
    ofCall.add(leg);
  }

  private remove(call: CallSubject, leg: CalleeLeg): void {
    const party = leg.party!;
    const key = keyOf(party.domainId, party.user);
    const legs = this.byMember.get(key);
    legs?.delete(leg);
    if (legs?.size === 0) this.byMember.delete(key);
    const ofCall = this.byCall.get(call);
    ofCall?.delete(leg);
    if (ofCall?.size === 0) this.byCall.delete(call);
  }
}
