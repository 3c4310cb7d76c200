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
 */

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

export interface LineRequest {
  /** A specific line's account; "" = any. */
  readonly line: string;
  /** 0 = not by group. */
  readonly outgoingGroupId: number;
  /** The caller's specific external line ("" = none, or the call is not from a local user). */
  readonly callerLine: string;
  /** Round-robin position: the pool is rotated by it. */
  readonly cursor: number;
}

/** The line, then each line it chains to (no line twice; chains may loop). */
export function chainOf<L extends RoutableLine>(lines: readonly L[], first: L): L[] {
  const out = [first];
  let next = first.chainTo;
  while (next !== "") {
    const line = lines.find((l) => l.account === next);
    if (line === undefined || out.includes(line)) break;
    out.push(line);
    next = line.chainTo;
  }
  return out;
}

/** The trunk, then each failover trunk (no trunk twice). */
export function failoverOf<T extends RoutableTrunk>(trunks: readonly T[], first: T): T[] {
  const out = [first];
  let next = first.failoverTrunk;
  while (next !== "") {
    const trunk = trunks.find((t) => t.trunkId === next);
    if (trunk === undefined || out.includes(trunk)) break;
    out.push(trunk);
    next = trunk.failoverTrunk;
  }
  return out;
}

function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const k = ((by % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** The lines to try for an outgoing call, in order; `usable` tells which can carry a call now. */
export function lineCandidates<L extends RoutableLine>(
  lines: readonly L[],
  request: LineRequest,
  usable: (line: L) => boolean,
): L[] {
  const open = (l: L) => l.allUsers || l.account === request.callerLine;
  const chained = (first: L) => chainOf(lines, first).filter(usable);
  if (request.line !== "") {
    // A record naming the line is the administrator's explicit choice: no user restriction.
    const line = lines.find((l) => l.account === request.line);
    return line === undefined ? [] : chained(line);
  }
  if (request.outgoingGroupId === 0 && request.callerLine !== "") {
    const own = lines.find((l) => l.account === request.callerLine);
    if (own !== undefined) return chained(own);
  }
  const pool = lines.filter((l) =>
    request.outgoingGroupId === 0 ? l.allUsers : l.outgoingGroupId === request.outgoingGroupId && open(l),
  );
  const first = rotate(pool, request.cursor).find(usable);
  return first === undefined ? [] : chained(first);
}

/** The trunks to try for a call routed to `trunkId`, in order. */
export function trunkCandidates<T extends RoutableTrunk>(
  trunks: readonly T[],
  trunkId: string,
  usable: (trunk: T) => boolean,
): T[] {
  const trunk = trunks.find((t) => t.trunkId === trunkId);
  return trunk === undefined ? [] : failoverOf(trunks, trunk).filter(usable);
}
