/**
 * Parley calls a local user itself, with a media endpoint on its own side (a parked call ringing
 * back its parker, FEATURES.md section 6; a service script's connect with its media anchored,
 * which may also go out on a line or trunk): every device of the user rings with the endpoint's
 * offer in the INVITE (RFC 3264), the first 2xx wins and the others are cancelled (fork.ts); the
 * answer in that 2xx goes to the endpoint and the dialog is handed to whoever asked.
 */
import type { Dialog, DialogManager } from "../dialog/index.js";
import { quoteDisplayName } from "../sip/index.js";
import type { Clock } from "../util/clock.js";
import { Fork } from "./fork.js";
import type { MediaEndpoint } from "./media-endpoint.js";
import type { CallParty, TargetSet } from "./types.js";

export interface RingBackInput {
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  readonly now: () => number;
  readonly allow: string;
  /** The host of the From and To URIs (Parley's domain). */
  readonly host: string;
  /** Who the call shows as calling (the parked party). */
  readonly from: CallParty;
  /** The user's devices and ringing time (as for a call to that user). */
  readonly set: TargetSet;
  readonly endpoint: MediaEndpoint;
  /** The local address facing the user's devices (issue 23), for the endpoint's offer. */
  readonly local?: string;
  readonly onError: (error: unknown) => void;
}

export type RingBackResult =
  | { readonly ok: true; readonly dialog: Dialog }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/** A ring-back under way: its result, and a way to give it up (CANCEL every device). */
export interface RingBack {
  readonly result: Promise<RingBackResult>;
  cancel(): void;
}

export function ringBack(o: RingBackInput): RingBack {
  let fork: Fork | undefined;
  let cancelled = false;
  /** Settles the ring-back as cancelled (an aborted fork reports nothing itself). */
  let giveUp: (() => void) | undefined;
  const result = (async (): Promise<RingBackResult> => {
    const offer = await o.endpoint.answer(Buffer.alloc(0), o.local);
    if (!offer.ok) return { ok: false, status: offer.status, reason: offer.reason };
    if (cancelled) return { ok: false, status: 487, reason: "Request Terminated" };
    const fromUri = `sip:${o.from.user}@${o.host}`;
    const from =
      o.from.displayName === "" ? `<${fromUri}>` : `${quoteDisplayName(o.from.displayName)} <${fromUri}>`;
    return new Promise<RingBackResult>((resolve) => {
      giveUp = () => resolve({ ok: false, status: 487, reason: "Request Terminated" });
      fork = new Fork({
        targets: o.set.targets,
        mode: o.set.mode,
        clock: o.clock,
        now: o.now,
        noAnswerMs: o.set.noAnswerMs,
        // A line's or trunk's leg has its own From, To and credentials (outbound-leg.ts).
        invite: (target) =>
          o.dialogs.invite({
            uri: target.uri,
            from: target.outbound?.from ?? from,
            to: target.outbound?.to ?? `<sip:${o.set.toUser ?? o.set.callee.user}@${o.host}>`,
            ...(target.outbound === undefined
              ? {}
              : { authorize: target.outbound.authorize, no100rel: target.outbound.no100rel }),
            routes: target.routes,
            destination: target.destination,
            body: offer.sdp,
            contentType: "application/sdp",
            headers: [["Allow", o.allow]],
          }),
        onSettled: (settled) => {
          if (settled.kind !== "answered") {
            resolve({ ok: false, status: settled.status, reason: settled.reason });
            return;
          }
          // The 2xx carries the phone's answer; the ACK went already (not manualAck).
          o.endpoint.acknowledged(settled.response.body);
          o.endpoint.confirmed?.();
          resolve({ ok: true, dialog: settled.dialog });
        },
        onError: o.onError,
      });
      fork.start();
    });
  })();
  return {
    result,
    cancel: () => {
      cancelled = true;
      if (fork === undefined || fork.done) return;
      fork.abort();
      giveUp?.();
    },
  };
}
