/**
 * A call refused before it is connected: which stage refused it, with which status of the
 * catalogue (src/core/status-catalogue.ts), and how its CDR records it. Each stage of the call
 * lifecycle returns either its result or a Refusal (docs/call-lifecycle.md lists them).
 */
import { type CallStatusCode, callStatus } from "../core/status-catalogue.js";
import type { Disposition } from "../store/cdr-model.js";
import { failureDisposition } from "./types.js";

/** The stages every call passes, in order (docs/call-lifecycle.md). */
export type CallStage =
  | "identify"
  | "authenticate"
  | "limits"
  | "route"
  | "resolve"
  | "services"
  | "connect"
  | "answered"
  | "ended";

export interface Refusal {
  readonly stage: CallStage;
  readonly status: number;
  readonly reason: string;
  readonly disposition: Disposition;
  /** Header fields of the rejection (a digest challenge's Proxy-Authenticate). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** The callee, when it was known before the refusal (the CDR names it). */
  readonly callee?: string;
  /** False when the refusal leaves no CDR (a challenge, an unknown trunk: no call was attempted). */
  readonly recorded: boolean;
}

/** A stage's result: its value, or the refusal that ends the call here. */
export type StageResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly refusal: Refusal };

export function accept<T>(value: T): StageResult<T> {
  return { ok: true, value };
}

type RefusalExtra = {
  readonly callee?: string;
  readonly recorded?: boolean;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly disposition?: Disposition;
};

/** A refusal with a catalogue status. */
export function refuse<T>(stage: CallStage, code: CallStatusCode, extra: RefusalExtra = {}): StageResult<T> {
  return { ok: false, refusal: refusalOf(stage, code, extra) };
}

/**
 * How the caller's INVITE is rejected for a refusal: its reason and headers; a digest challenge
 * (407 at the authenticate stage) is sent stateless, keeping nothing (issue 22).
 */
export function rejectOptions(refusal: Refusal) {
  return {
    reason: refusal.reason,
    ...(refusal.headers === undefined ? {} : { headers: refusal.headers }),
    stateless: refusal.stage === "authenticate" && refusal.status === 407,
  };
}

/** The Refusal value of a catalogue status. */
export function refusalOf(stage: CallStage, code: CallStatusCode, extra: RefusalExtra = {}): Refusal {
  const { status, reason } = callStatus(code);
  return refusalWith(stage, status, reason, extra);
}

/** A refusal with a status decided elsewhere (the dial plan's reject record, the authenticator). */
export function refuseWith<T>(
  stage: CallStage,
  status: number,
  reason: string,
  extra: RefusalExtra = {},
): StageResult<T> {
  return { ok: false, refusal: refusalWith(stage, status, reason, extra) };
}

export function refusalWith(
  stage: CallStage,
  status: number,
  reason: string,
  extra: RefusalExtra = {},
): Refusal {
  return {
    stage,
    status,
    reason,
    disposition: extra.disposition ?? failureDisposition(status),
    recorded: extra.recorded ?? true,
    ...(extra.callee === undefined ? {} : { callee: extra.callee }),
    ...(extra.headers === undefined ? {} : { headers: extra.headers }),
  };
}
