/**
 * Which lines or trunks an outgoing call tries, in order (FEATURES.md sections 3 and 4). Pure:
 * the live facts (which lines are online, how many calls each carries) come in as a predicate.
 *
 * - A specific line: it, then the lines it chains to on failure.
 * - By outgoing group: the group's lines, round robin; the first usable one, then its chain.
 * - Any line: the caller's specific external line (then its chain); else round robin over the
 *   lines open to all users.
 * - A trunk: it, then its failover trunks.
 * A line not open to all users is chosen by default or by group only for the users whose
 * specific external line it is; a record naming it, and a chain, may use it for anyone.
 * The choice itself is route-explainer.ts's (lineChoice, trunkChoice), which also says why each
 * line or trunk not tried is skipped.
 */
import { type CarrierSkip, type LineRequest, lineChoice, trunkChoice } from "./route-explainer.js";

/**
 * What route choice reads of an external line. Declared here, not imported: routing/ knows no
 * store (ARCHITECTURE.md); the store's ExternalLine satisfies it, and the functions below hand
 * back the caller's own line objects.
 */
export interface RoutableLine {
  readonly account: string;
  /** Open to every local user (else only to those whose specific external line it is). */
  readonly allUsers: boolean;
  readonly outgoingGroupId: number;
  /** The line tried next when this one fails; "" = none. */
  readonly chainTo: string;
  /** The dial plan of calls coming in on the line. */
  readonly dialPlan: string;
}

/** What route choice reads of a SIP trunk (the store's SipTrunk satisfies it). */
export interface RoutableTrunk {
  readonly trunkId: string;
  readonly outgoingGroupId: number;
  /** The trunk tried next when this one fails; "" = none. */
  readonly failoverTrunk: string;
  /** The dial plan of calls coming in on the trunk. */
  readonly dialPlan: string;
}

export type Carrier<L extends RoutableLine = RoutableLine, T extends RoutableTrunk = RoutableTrunk> =
  | { readonly kind: "line"; readonly line: L }
  | { readonly kind: "trunk"; readonly trunk: T };

export { chainOf, failoverOf, type LineRequest } from "./route-explainer.js";

/** A live fact given as a yes or no: a line or trunk that cannot take a call, with no reason told. */
const UNUSABLE: CarrierSkip = { code: "line-offline" };

/**
 * The lines to try for an outgoing call, in order; `usable` tells which can carry a call now.
 * The `tried` part of route-explainer.ts's lineChoice(), which also says why each other line is not.
 */
export function lineCandidates<L extends RoutableLine>(
  lines: readonly L[],
  request: LineRequest,
  usable: (line: L) => boolean,
): L[] {
  return lineChoice(lines, request, (l) => (usable(l) ? undefined : UNUSABLE)).tried;
}

/** The trunks to try for a call routed to `trunkId`, in order (route-explainer.ts's trunkChoice()). */
export function trunkCandidates<T extends RoutableTrunk>(
  trunks: readonly T[],
  trunkId: string,
  usable: (trunk: T) => boolean,
): T[] {
  return trunkChoice(trunks, trunkId, (t) => (usable(t) ? undefined : UNUSABLE)).tried;
}
