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
import type { ExternalLine, SipTrunk } from "../store/routing-model.js";

export type Carrier =
  | { readonly kind: "line"; readonly line: ExternalLine }
  | { readonly kind: "trunk"; readonly trunk: SipTrunk };

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
export function chainOf(lines: readonly ExternalLine[], first: ExternalLine): ExternalLine[] {
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
export function failoverOf(trunks: readonly SipTrunk[], first: SipTrunk): SipTrunk[] {
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
export function lineCandidates(
  lines: readonly ExternalLine[],
  request: LineRequest,
  usable: (line: ExternalLine) => boolean,
): ExternalLine[] {
  const open = (l: ExternalLine) => l.allUsers || l.account === request.callerLine;
  const chained = (first: ExternalLine) => chainOf(lines, first).filter(usable);
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
export function trunkCandidates(
  trunks: readonly SipTrunk[],
  trunkId: string,
  usable: (trunk: SipTrunk) => boolean,
): SipTrunk[] {
  const trunk = trunks.find((t) => t.trunkId === trunkId);
  return trunk === undefined ? [] : failoverOf(trunks, trunk).filter(usable);
}
