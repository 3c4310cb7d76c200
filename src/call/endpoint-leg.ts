/**
 * The caller's dialog connected to a media endpoint (a prompt, voicemail, an IVR, a conference):
 * Parley is the caller's peer for the whole session. re-INVITE and UPDATE offers go to the
 * endpoint for its answer (RFC 3264 8; RFC 3311), an offerless re-INVITE gets the endpoint's offer
 * and its answer in the ACK (RFC 3261 14.1 / 13.2.2.4), INFO digits reach it (RFC 6086),
 * in-dialog OPTIONS is answered here (RFC 3261 11.2); a BYE, a missing ACK or an expired session
 * ends the call.
 */
import { callStatus } from "../core/status-catalogue.js";
import type { Dialog, DialogEndCause, DialogRequestEvent, UasInvite } from "../dialog/index.js";
import { dtmfFromInfo } from "./dtmf-info.js";
import type { FinalStatus, MediaAnswer, MediaEndpoint } from "./media-endpoint.js";

export interface EndpointLegHost {
  readonly allow: string;
  isAnswered(): boolean;
  /** The caller's dialog ended other than by Parley's BYE. */
  ended(cause: DialogEndCause): void;
  /** The session must end (no ACK, session expired, the endpoint is done). */
  hangup(): void;
  digit(digit: string): void;
  onError(error: unknown): void;
}

const SDP = "application/sdp";

/** How the caller's INVITE was answered by an endpoint: its dialog, or the failure it was given. */
export type EndpointAnswer =
  | { readonly ok: true; readonly dialog: Dialog }
  | {
      readonly ok: false;
      readonly status: number;
      readonly reason: string;
      readonly headers: ReadonlyArray<readonly [string, string]>;
    };

/**
 * Answers the caller's INVITE with the endpoint's SDP (RFC 3264; with no offer in the INVITE the
 * endpoint offers and its answer comes in the ACK), or rejects it with the endpoint's failure
 * (488 with a Warning when no codec matches). Undefined when the call was given up meanwhile
 * (`stillWanted` false); the call closes the endpoint then.
 */
export async function answerWithEndpoint(
  uas: UasInvite,
  endpoint: MediaEndpoint,
  stillWanted: () => boolean,
  /** The caller's leg's local address (issue 23), for the endpoint's SDP. */
  local?: string,
): Promise<EndpointAnswer | undefined> {
  const offer = uas.request.body;
  // The call closes the endpoint if it ends meanwhile (Call.finish), whatever the reason.
  const answer: MediaAnswer = await endpoint.answer(offer, local);
  if (!stillWanted() || uas.state !== "proceeding") return undefined;
  if (!answer.ok) {
    await endpoint.close();
    const headers = answer.warning === undefined ? [] : [["Warning", answer.warning] as const];
    return { ok: false, status: answer.status, reason: answer.reason, headers };
  }
  if (endpoint.early === true && offer.length > 0) return earlyMedia(uas, endpoint, answer.sdp, stillWanted);
  const dialog = uas.accept({ body: answer.sdp, contentType: SDP });
  dialog.once("ack", ({ request }) => {
    if (offer.length === 0) endpoint.acknowledged(request.body);
    endpoint.confirmed?.();
  });
  return { ok: true, dialog };
}

/**
 * Early media (RFC 3960; RFC 3261 13.3.1.1): the answer goes in a 183 and the endpoint starts at
 * once; the caller's INVITE then ends in a 200 with the same SDP when the endpoint answers, or in
 * the final status it hangs up with (480 by default). A CANCEL ends it (487 already sent).
 */
async function earlyMedia(
  uas: UasInvite,
  endpoint: MediaEndpoint,
  sdp: Buffer,
  stillWanted: () => boolean,
): Promise<EndpointAnswer | undefined> {
  uas.progress(183, { body: sdp, contentType: SDP });
  const outcome = await new Promise<"answer" | "gone" | FinalStatus>((resolve) => {
    endpoint.onAnswer?.(() => resolve("answer"));
    endpoint.onHangup((final) => resolve(final ?? callStatus("unavailable")));
    uas.once("cancelled", () => resolve("gone"));
    endpoint.confirmed?.();
  });
  // Cancelled or given up: the call has closed the endpoint (Call.finish).
  if (outcome === "gone" || !stillWanted() || uas.state !== "proceeding") return undefined;
  if (outcome !== "answer") {
    await endpoint.close();
    return { ok: false, status: outcome.status, reason: outcome.reason, headers: [] };
  }
  return { ok: true, dialog: uas.accept({ body: sdp, contentType: SDP }) };
}

export class EndpointLeg {
  private readonly removals: Array<() => void>;

  constructor(
    private readonly host: EndpointLegHost,
    readonly dialog: Dialog,
    readonly endpoint: MediaEndpoint,
  ) {
    this.removals = [
      dialog.on("request", (event) => this.request(event)),
      dialog.on("terminated", ({ cause }) => host.ended(cause)),
      dialog.on("ackTimeout", () => host.hangup()),
      dialog.on("sessionExpired", () => host.hangup()),
    ];
    endpoint.onHangup(() => host.hangup());
  }

  /** Stops listening and frees the endpoint (idempotent). */
  close(): void {
    for (const remove of this.removals.splice(0)) remove();
    this.endpoint.close().then(undefined, (error: unknown) => this.host.onError(error));
  }

  private request(event: DialogRequestEvent): void {
    const { request, tx } = event;
    const { dialog, host } = this;
    switch (request.method) {
      case "OPTIONS":
        dialog.respond(tx, 200, {
          headers: [
            ["Allow", host.allow],
            ["Accept", SDP],
          ],
        });
        return;
      case "INFO": {
        const dtmf = dtmfFromInfo(request.get("content-type"), request.body);
        if (dtmf !== undefined) {
          this.endpoint.digit(dtmf.digit, dtmf.durationMs);
          host.digit(dtmf.digit);
        }
        // RFC 6086 4.2.2: an INFO whose package Parley does not know is still acknowledged.
        dialog.respond(tx, 200);
        return;
      }
      case "INVITE":
      case "UPDATE": {
        if (!host.isAnswered()) {
          dialog.respond(tx, 481, { reason: callStatus("no-such-call").reason });
          return;
        }
        const late = request.method === "INVITE" && request.body.length === 0;
        const answering = late ? this.endpoint.answer(Buffer.alloc(0)) : this.endpoint.reoffer(request.body);
        answering.then(
          (answer) => this.answerOffer(event, answer, late),
          (error: unknown) => {
            host.onError(error);
            dialog.respond(tx, 500, { reason: callStatus("internal-error").reason });
          },
        );
        return;
      }
      default: {
        const { reason } = callStatus("method-not-allowed");
        dialog.respond(tx, 405, { reason, headers: [["Allow", host.allow]] });
      }
    }
  }

  private answerOffer(event: DialogRequestEvent, answer: MediaAnswer, late: boolean): void {
    const { dialog } = this;
    if (dialog.state === "terminated") return;
    if (!answer.ok) {
      const warning = answer.warning === undefined ? [] : ([["Warning", answer.warning]] as const);
      dialog.respond(event.tx, answer.status, { reason: answer.reason, headers: [...warning] });
      return;
    }
    dialog.respond(event.tx, 200, { body: answer.sdp, contentType: SDP });
    if (late) dialog.once("ack", ({ request }) => this.endpoint.acknowledged(request.body));
  }
}
