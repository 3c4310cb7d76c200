/**
 * The live side of lines and trunks: calls in and out on each, and each type 0 line's
 * registration state. Limits are checked against these counts (FEATURES.md sections 3 and 4).
 */
import type { CarrierSkip } from "../routing/route-explainer.js";
import type { ExternalLine, SipTrunk } from "../store/routing-model.js";

const OFFLINE: CarrierSkip = { code: "line-offline" };

interface Counts {
  incoming: number;
  outgoing: number;
}

export class CarrierState {
  private readonly counts = new Map<string, Counts>();
  private readonly online = new Set<string>();

  /** `gatewayOnline`: whether a type 1 line's gateway has a live registration at Parley. */
  constructor(private readonly gatewayOnline: (account: string) => boolean = () => false) {}

  setLineOnline(account: string, online: boolean): void {
    if (online) this.online.add(account);
    else this.online.delete(account);
  }

  /** A type 0 line registered at its provider. */
  lineOnline(account: string): boolean {
    return this.online.has(account);
  }

  /** Live state: registered at the provider (type 0), needing no registration, or gateway registered (type 1). */
  lineState(line: ExternalLine): "online" | "offline" {
    if (line.type === 1) return this.gatewayOnline(line.account) ? "online" : "offline";
    return line.doNotRegister || this.lineOnline(line.account) ? "online" : "offline";
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
    return this.lineCheck(line) === undefined;
  }

  /** Why a line cannot carry one more outgoing call (the route explainer's words), else undefined. */
  lineCheck(line: ExternalLine): CarrierSkip | undefined {
    if (this.lineState(line) === "offline") return OFFLINE;
    const c = this.calls("line", line.account);
    if (line.maxOutgoingCalls !== null && c.outgoing >= line.maxOutgoingCalls)
      return { code: "line-max-outgoing-calls", limit: line.maxOutgoingCalls };
    if (line.maxConcurrentCalls !== null && c.incoming + c.outgoing >= line.maxConcurrentCalls)
      return { code: "line-max-concurrent-calls", limit: line.maxConcurrentCalls };
    return undefined;
  }

  /** A trunk can carry one more outgoing call (0 forbids the direction, null is unlimited). */
  trunkUsable(trunk: SipTrunk): boolean {
    return this.trunkCheck(trunk) === undefined;
  }

  /** Why a trunk cannot carry one more outgoing call, else undefined. */
  trunkCheck(trunk: SipTrunk): CarrierSkip | undefined {
    if (trunk.maxOutgoingCalls === null) return undefined;
    if (trunk.maxOutgoingCalls === 0) return { code: "trunk-outgoing-forbidden" };
    return this.calls("trunk", trunk.trunkId).outgoing < trunk.maxOutgoingCalls
      ? undefined
      : { code: "trunk-max-outgoing-calls", limit: trunk.maxOutgoingCalls };
  }
}
