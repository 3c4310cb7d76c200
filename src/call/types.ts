/** The shapes the call engine shares between the engine, a call, its fork and its legs. */
import type { Dialog, UacInvite } from "../dialog/index.js";
import type { Disposition, HangupCause } from "../store/cdr-model.js";
import type { Destination } from "../transport/types.js";
import type { ActiveLegState } from "./call-view-types.js";
import type { EndpointTarget } from "./media-endpoint.js";
import type { OutboundLeg } from "./outbound-leg.js";

/** A local user (or an outside number) taking part in a call. */
export interface CallParty {
  readonly domainId: number;
  readonly user: string;
  readonly displayName: string;
}

/** One destination to ring: its Contact, where it is really reached (NAT-observed) and its Path. */
export interface CallTarget {
  readonly uri: string;
  readonly destination: Destination;
  /** RFC 3327 5: the Path of the REGISTER becomes the Route set of requests to the binding. */
  readonly routes: readonly string[];
  /** A leg through an external line or SIP trunk (issue 5). */
  readonly outbound?: OutboundLeg;
  /** A group member's device: the member becomes the call's callee when it answers. */
  readonly party?: CallParty;
}

/** Who a call rings next and how: the resolved targets of the "resolve targets" stage. */
export interface TargetSet {
  /** The party the targets belong to (a local user, or the outside number dialled). */
  readonly callee: CallParty;
  readonly targets: readonly CallTarget[];
  /** RFC 3261 16.6: all at once, or one after another (a line's chain, a trunk's failover). */
  readonly mode: "parallel" | "sequential";
  /** Ringing time before the fork gives up with 480 No Answer. */
  readonly noAnswerMs: number;
  /**
   * The user part of the legs' To: the number dialled by default; a service that sent the call
   * elsewhere (forwarding) addresses the legs to their new callee.
   */
  readonly toUser?: string;
  /**
   * The services that sent the call here, most recent first (RFC 5806 Diversion, RFC 7044
   * History-Info): the caller is told (181) and the callee's INVITE says why it rings.
   */
  readonly diversions?: readonly Diversion[];
  /** Sequential: how long each target rings before the next (a line's own timer wins); 0 = none. */
  readonly attemptMs?: number;
}

/** RFC 5806 4: the diversion reasons of Parley's services. */
export type DiversionReason = "unconditional" | "user-busy" | "no-answer" | "unavailable" | "deflection";

/** One diversion: the user whose service sent the call on, and why. */
export interface Diversion {
  readonly from: CallParty;
  readonly reason: DiversionReason;
}

/**
 * What a call does next: ring targets (a fork), or connect the caller to a media endpoint (a
 * prompt, voicemail, an IVR: the leg ends at Parley, src/call/media-endpoint.ts).
 */
export type NextHop =
  | { readonly kind: "ring"; readonly set: TargetSet }
  | { readonly kind: "endpoint"; readonly target: EndpointTarget };

/** The party a next hop reaches. */
export function calleeOf(next: NextHop): CallParty {
  return next.kind === "ring" ? next.set.callee : next.target.party;
}

/** One callee leg: an INVITE to one target (RFC 3261 16.6: one branch per target). */
export interface CalleeLeg {
  readonly peer: string;
  /** The INVITE while it is pending; dropped once the leg failed or was answered and ACKed. */
  invite: UacInvite | undefined;
  /** The leg's own Call-ID, kept for the CDR after the INVITE is dropped. */
  callId?: string;
  state: ActiveLegState | "failed";
  status: number;
  reason: string;
  readonly startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  dialog?: Dialog;
  /** The users whose forwarding (or follow-me, or a phone's redirect) led here, first to last. */
  forwardedBy?: readonly string[];
  /** The group member this leg rings (ringing group, hunt group). */
  party?: CallParty;
}

/** A leg just started toward `peer`. */
export function newLeg(peer: string, startedAt: number): CalleeLeg {
  return { peer, invite: undefined, state: "calling", status: 0, reason: "", startedAt };
}

/** How a call ended, for its CDR. */
export interface CallOutcome {
  readonly disposition: Disposition;
  readonly status: number;
  readonly reason: string;
  /** Who hung up or why (hangup-cause.ts); without it, the status says (busy, `rejected 404`). */
  readonly cause?: HangupCause;
}

/** Disposition of a failure the caller received (store/cdr-model.ts vocabulary). */
export function failureDisposition(status: number): Disposition {
  if (status === 486 || status === 600) return "busy";
  if (status === 480 || status === 408) return "no-answer";
  if (status === 487) return "cancelled";
  return "failed";
}
