/**
 * The live side of lines and trunks: calls in and out on each, and each type 0 line's
 * registration state. Limits are checked against these counts (FEATURES.md sections 3 and 4).
 */
import type { ExternalLine, SipTrunk } from "../store/routing-model.js";

interface Counts {
  incoming: number;
  outgoing: number;
}

export class CarrierState {
  private readonly counts = new Map<string, Counts>();
  private readonly online = new Set<string>();

  setLineOnline(account: string, online: boolean): void {
    if (online) this.online.add(account);
    else this.online.delete(account);
  }

  lineOnline(account: string): boolean {
    return this.online.has(account);
  }

  calls(kind: "line" | "trunk", name: string): Counts {
    return { ...(this.counts.get(`${kind}\u0000${name}`) ?? { incoming: 0, outgoing: 0 }) };
  }

  /** Counts a call; the returned release (idempotent) uncounts it. */
  acquire(kind: "line" | "trunk", name: string, direction: keyof Counts): () => void {
    const key = `${kind}\u0000${name}`;
    const counts = this.counts.get(key) ?? { incoming: 0, outgoing: 0 };
    counts[direction]++;
    this.counts.set(key, counts);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      counts[direction]--;
      if (counts.incoming === 0 && counts.outgoing === 0 && this.counts.get(key) === counts)
        this.counts.delete(key);
    };
  }

  /** A line can carry one more outgoing call: registered (or needing none), under its limits. */
  lineUsable(line: ExternalLine): boolean {
    // NOTE: type 1 (FXO gateway) lines carry no outgoing calls yet: the gateway's registration
    // to Parley is not implemented.
    if (line.type !== 0) return false;
    if (!line.doNotRegister && !this.lineOnline(line.account)) return false;
    const c = this.calls("line", line.account);
    if (line.maxOutgoingCalls !== null && c.outgoing >= line.maxOutgoingCalls) return false;
    if (line.maxConcurrentCalls !== null && c.incoming + c.outgoing >= line.maxConcurrentCalls) return false;
    return true;
  }

  /** A trunk can carry one more outgoing call (0 forbids the direction, null is unlimited). */
  trunkUsable(trunk: SipTrunk): boolean {
    return (
      trunk.maxOutgoingCalls === null || this.calls("trunk", trunk.trunkId).outgoing < trunk.maxOutgoingCalls
    );
  }
}
