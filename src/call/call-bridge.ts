/**
 * The two dialogs of an answered call, bridged: what one side sends inside its dialog reaches the
 * other through the leg policy. re-INVITE and UPDATE (hold, resume, codec change; RFC 3261 14, RFC
 * 3311), INFO (RFC 6086) and MESSAGE (RFC 3428) go across and the final answer comes back;
 * in-dialog OPTIONS is answered here (RFC 3261 11.2); a REFER is the transfer handler's; a BYE,
 * a missing ACK (RFC 3261 13.3.1.4) or an expired session (RFC 4028 10) ends the call.
 */

import { callStatus } from "../core/status-catalogue.js";
import type { Dialog, DialogEndCause, DialogRequestEvent } from "../dialog/index.js";
import type { SipMessage } from "../sip/types.js";
import type { HangupCause } from "../store/cdr-model.js";
import { dtmfFromInfo } from "./dtmf-info.js";
import type { AnchoredHold } from "./hold-music.js";
import { allowedHeaders, type LegPolicy, type SdpContext } from "./leg-policy.js";
import { sdpHolds } from "./sdp-hold.js";

type Direction = SdpContext["direction"];

const SDP = "application/sdp";

/** What the bridge asks of its call. */
export interface BridgeHost {
  readonly policy: LegPolicy;
  /** The Allow value Parley puts on in-dialog OPTIONS answers. */
  readonly allow: string;
  /** The call is answered (in-dialog requests are relayed only then). */
  isAnswered(): boolean;
  /** A body through the SDP hook on its way toward `toward`'s phone, with its Content-Type. */
  body(message: SipMessage, direction: Direction, toward: Dialog): { body?: Buffer; contentType?: string };
  /** A REFER on `from`; `to` is the other side (the transferee). */
  refer?(event: DialogRequestEvent, from: Dialog, to: Dialog): void;
  /** A side's dialog ended other than by Parley's own BYE. */
  sideEnded(dialog: Dialog, cause: DialogEndCause): void;
  /** The session must end (no ACK, session timer expired), for the record's `cause`. */
  hangup(cause: HangupCause): void;
  /** A DTMF digit a side signalled in SIP INFO (relayed too). */
  digit(from: Dialog, digit: string): void;
  /** A side put the call on hold (true) or resumed it (false), by its offer's SDP. */
  held(from: Dialog, held: boolean): void;
  /**
   * Music for the side `from` holds (src/call/hold-music.ts), when the call's media flows phone to
   * phone and the holder's user has music on hold; undefined: the hold crosses end to end.
   */
  holdMusic?(from: Dialog, holderOffer: Buffer): Promise<AnchoredHold | undefined>;
  onError(error: unknown): void;
}

export class CallBridge {
  /** The listeners each bridged dialog holds, removed when it leaves the call (transfer). */
  private readonly listeners = new Map<Dialog, Array<() => void>>();
  /** The sides on hold now (made on the first hold: most calls never hold). */
  private holding: Set<Dialog> | undefined;
  /** The holds anchored for music, by the holding dialog. */
  private anchored: Map<Dialog, AnchoredHold> | undefined;

  constructor(
    private readonly host: BridgeHost,
    public callerDialog: Dialog,
    public calleeDialog: Dialog,
  ) {
    this.link(callerDialog, calleeDialog, "caller-to-callee");
    this.link(calleeDialog, callerDialog, "callee-to-caller");
  }

  /** True when `dialog` is one of the two bridged dialogs. */
  has(dialog: Dialog): boolean {
    return this.listeners.has(dialog);
  }

  /** The other bridged dialog. */
  otherSide(dialog: Dialog): Dialog | undefined {
    if (dialog === this.callerDialog) return this.calleeDialog;
    if (dialog === this.calleeDialog) return this.callerDialog;
    return undefined;
  }

  isCallerSide(dialog: Dialog): boolean {
    return dialog === this.callerDialog;
  }

  /** The SDP direction of a body sent toward `dialog`. */
  directionToward(dialog: Dialog): Direction {
    return dialog === this.callerDialog ? "callee-to-caller" : "caller-to-callee";
  }

  /** Ends every anchored hold's music (the call ended, or a side left it). */
  stopHoldMusic(dialog?: Dialog): void {
    for (const [holder, hold] of this.anchored ?? []) {
      if (dialog !== undefined && holder !== dialog && this.otherSide(holder) !== dialog) continue;
      hold.stop();
      this.anchored?.delete(holder);
    }
  }

  /** Stops relaying for one dialog (a transferor that stays up after leaving the call). */
  unlink(dialog: Dialog): void {
    this.stopHoldMusic(dialog);
    for (const remove of this.listeners.get(dialog) ?? []) remove();
    this.listeners.delete(dialog);
  }

  /** Stops relaying for both dialogs (the call gave them away). */
  unlinkAll(): void {
    for (const dialog of [...this.listeners.keys()]) this.unlink(dialog);
  }

  /** RFC 5589: `replacement` takes the place of `old`; returns whether it was the caller's side. */
  replace(old: Dialog, replacement: Dialog): boolean {
    const other = this.otherSide(old);
    if (other === undefined) throw new Error("not a side of this call");
    const callerSide = old === this.callerDialog;
    this.unlink(old);
    this.unlink(other);
    if (callerSide) this.callerDialog = replacement;
    else this.calleeDialog = replacement;
    this.link(this.callerDialog, this.calleeDialog, "caller-to-callee");
    this.link(this.calleeDialog, this.callerDialog, "callee-to-caller");
    return callerSide;
  }

  private link(from: Dialog, to: Dialog, direction: Direction): void {
    this.listeners.set(from, [
      from.on("request", (event) => this.relay(event, from, to, direction)),
      from.on("terminated", ({ cause }) => this.host.sideEnded(from, cause)),
      // RFC 3261 13.3.1.4: no ACK for the 2xx: "the session SHOULD be terminated ... with a BYE".
      from.on("ackTimeout", () => this.host.hangup("ack-timeout")),
      // RFC 4028 10: no refresh before the session expired.
      from.on("sessionExpired", () => this.host.hangup("session-expired")),
    ]);
  }

  private relay(event: DialogRequestEvent, from: Dialog, to: Dialog, direction: Direction): void {
    const { request, tx } = event;
    const { host } = this;
    if (request.method === "REFER" && host.refer !== undefined && host.isAnswered()) {
      host.refer(event, from, to);
      return;
    }
    if (request.method === "OPTIONS") {
      from.respond(tx, 200, {
        headers: [
          ["Allow", host.allow],
          ["Accept", "application/sdp"],
        ],
      });
      return;
    }
    if (!host.policy.relayedMethods.has(request.method)) {
      const { reason } = callStatus("method-not-allowed");
      from.respond(tx, 405, { reason, headers: [["Allow", host.allow]] });
      return;
    }
    if (to.state === "terminated" || !host.isAnswered()) {
      from.respond(tx, 481, { reason: callStatus("no-such-call").reason });
      return;
    }
    const back: Direction = direction === "caller-to-callee" ? "callee-to-caller" : "caller-to-callee";
    const body = host.body(request, direction, to);
    const out = to.createRequest(request.method, {
      ...body,
      headers: allowedHeaders(host.policy, (n) => request.getAll(n)),
    });
    const late = request.method === "INVITE" && body.body === undefined;
    if (request.method === "INFO") {
      const dtmf = dtmfFromInfo(request.get("content-type"), request.body);
      if (dtmf !== undefined) host.digit(from, dtmf.digit);
    }
    const holds =
      request.method === "INVITE" || request.method === "UPDATE" ? sdpHolds(request.body) : undefined;
    const anchored = this.anchored?.get(from);
    if (holds === true && anchored !== undefined) {
      // A refresh of the hold (a session timer's re-INVITE): the same answer, the music goes on.
      from.respond(tx, 200, { body: anchored.answer, contentType: SDP });
      return;
    }
    const holdMusic = host.holdMusic;
    if (holds === true && holdMusic !== undefined && !(this.holding?.has(from) ?? false)) {
      holdMusic.call(host, from, request.body).then(
        (hold) => {
          if (hold === undefined) this.send(event, from, to, out, late, holds, back);
          else this.holdWithMusic(event, from, to, hold);
        },
        (error: unknown) => {
          host.onError(error);
          this.send(event, from, to, out, late, holds, back);
        },
      );
      return;
    }
    this.send(event, from, to, out, late, holds, back);
  }

  /** Sends the request on to the other side and its final answer back (the usual relay). */
  private send(
    event: DialogRequestEvent,
    from: Dialog,
    to: Dialog,
    out: ReturnType<Dialog["createRequest"]>,
    late: boolean,
    holds: boolean | undefined,
    back: Direction,
  ): void {
    const { tx } = event;
    const { host } = this;
    const direction: Direction = back === "callee-to-caller" ? "caller-to-callee" : "callee-to-caller";
    to.send(out, { manualAck: late }).then(
      (response) => {
        if (from.state === "terminated") return;
        // A challenge from the other side is not the caller's business (RFC 3261 16.7 spirit).
        const status = response.status === 401 || response.status === 407 ? 500 : response.status;
        from.respond(tx, status, { reason: response.reason, ...host.body(response, back, from) });
        const ok = status >= 200 && status < 300;
        if (late && ok) {
          from.once("ack", ({ request: ack }) => to.ack(out, host.body(ack, direction, to)));
        }
        if (ok && holds === false) {
          // Resumed: the media is end to end again, the music stops.
          this.anchored?.get(from)?.stop();
          this.anchored?.delete(from);
        }
        if (ok && holds !== undefined && holds !== (this.holding?.has(from) ?? false)) {
          this.holding ??= new Set();
          if (holds) this.holding.add(from);
          else this.holding.delete(from);
          host.held(from, holds);
        }
      },
      // RFC 3261 14.1: an INVITE already in progress on the other dialog: glare, 491.
      () => from.respond(tx, 491, { reason: callStatus("request-pending").reason }),
    );
  }

  /**
   * The hold anchored for music: the held side gets Parley's music offer, the holding side the
   * sink's answer (RFC 3264 8.4: hold is an offer like any other, made here by Parley).
   */
  private holdWithMusic(event: DialogRequestEvent, from: Dialog, to: Dialog, hold: AnchoredHold): void {
    const { request, tx } = event;
    const { host } = this;
    const out = to.createRequest(request.method, {
      body: hold.offer,
      contentType: SDP,
      headers: allowedHeaders(host.policy, (n) => request.getAll(n)),
    });
    to.send(out).then(
      (response) => {
        const ok = response.status >= 200 && response.status < 300;
        if (from.state === "terminated" || !ok) {
          hold.stop();
          if (from.state !== "terminated") {
            const status = response.status === 401 || response.status === 407 ? 500 : response.status;
            from.respond(tx, status, { reason: response.reason });
          }
          return;
        }
        hold.answered(response.body);
        from.respond(tx, 200, { body: hold.answer, contentType: SDP });
        this.anchored ??= new Map();
        this.anchored.set(from, hold);
        this.holding ??= new Set();
        this.holding.add(from);
        host.held(from, true);
      },
      () => {
        hold.stop();
        from.respond(tx, 491, { reason: callStatus("request-pending").reason });
      },
    );
  }
}
