/**
 * The fork of one call's ringing step (RFC 3261 16.7 for a B2BUA): every target of a TargetSet
 * gets its own callee INVITE written from the caller's (callee-invite.ts), 181 tells the caller
 * of a forwarding first (RFC 7044 / the Call-Info purpose), and the first 2xx wins (fork.ts).
 */
import type { DialogManager } from "../dialog/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { Clock } from "../util/clock.js";
import { calleeInvite, forwardingProgress } from "./callee-invite.js";
import { Fork, type ForkResult } from "./fork.js";
import type { LegPolicy } from "./leg-policy.js";
import type { CalleeLeg, CallParty, CallTarget, TargetSet } from "./types.js";

export interface CallForkInput {
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  readonly now: () => number;
  readonly caller: CallParty;
  readonly dialed: string;
  readonly host: string;
  readonly allow: string;
  readonly policy: LegPolicy;
  /** The caller's INVITE, and its offer through the leg policy. */
  readonly request: SipRequest;
  readonly body: (target: CallTarget) => { body?: Buffer; contentType?: string };
  /** The caller's INVITE while it can still take a provisional response. */
  readonly progress: ((status: number, options: ReturnType<typeof forwardingProgress>) => void) | undefined;
  /** The call's record of every leg rung. */
  readonly legs: CalleeLeg[];
  readonly onProvisional: (response: SipResponse) => void;
  readonly onLegChange: (leg: CalleeLeg) => void;
  readonly onSettled: (result: ForkResult) => void;
  readonly onError: (error: unknown) => void;
}

/** The fork that rings `set` (the caller starts it); its result comes through `onSettled`. */
export function callFork(o: CallForkInput, set: TargetSet): Fork {
  const diverted = set.diversions?.[0];
  if (diverted !== undefined) o.progress?.(181, forwardingProgress(diverted.from.user, o.host));
  return new Fork({
    targets: set.targets,
    mode: set.mode,
    clock: o.clock,
    now: o.now,
    noAnswerMs: set.noAnswerMs,
    ...(set.attemptMs === undefined ? {} : { attemptMs: set.attemptMs }),
    ...(diverted === undefined ? {} : { forwardedBy: set.diversions!.map((d) => d.from.user).reverse() }),
    legs: o.legs,
    invite: (target) =>
      o.dialogs.invite(
        calleeInvite({
          target,
          caller: o.caller,
          toUser: set.toUser ?? o.dialed,
          host: o.host,
          allow: o.allow,
          policy: o.policy,
          request: o.request,
          body: o.body(target),
          ...(set.diversions === undefined ? {} : { diversions: set.diversions }),
        }),
      ),
    onProvisional: (_leg, response) => o.onProvisional(response),
    onLegChange: o.onLegChange,
    onSettled: o.onSettled,
    onError: o.onError,
  });
}
