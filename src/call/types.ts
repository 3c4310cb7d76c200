/** The shapes the call engine shares between the engine, a call and its legs. */
import type { ActiveLegState } from "./call-view-types.js";
import type { Dialog, UacInvite } from "../dialog/index.js";
import type { Disposition } from "../store/cdr-model.js";

/** A local user taking part in a call. */
export interface CallParty {
  readonly domainId: number;
  readonly user: string;
  readonly displayName: string;
}

/** One callee leg: an INVITE to one binding of the callee (RFC 3261 16.6: one branch per target). */
export interface CalleeLeg {
  readonly peer: string;
  readonly invite: UacInvite | undefined;
  state: ActiveLegState | "failed";
  status: number;
  reason: string;
  readonly startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  dialog?: Dialog;
}

/** How a call ended, for its CDR. */
export interface CallOutcome {
  readonly disposition: Disposition;
  readonly status: number;
  readonly reason: string;
}

/** Disposition of a failure the caller received (store/cdr-model.ts vocabulary). */
export function failureDisposition(status: number): Disposition {
  if (status === 486 || status === 600) return "busy";
  if (status === 480 || status === 408) return "no-answer";
  if (status === 487) return "cancelled";
  return "failed";
}
