/**
 * Call transfer between local users, as a back-to-back user agent does it (RFC 5589 with Parley
 * as the transfer target's and transferee's proxy): the transferor's REFER (RFC 3515) is answered
 * 202 and reported with NOTIFY sipfrag; Parley itself calls the target (blind, RFC 5589 6) or joins
 * the transferee to the dialog named by Replaces (attended, RFC 5589 7, RFC 3891), and moves the
 * media with re-INVITEs: the new side's offer (solicited by an offerless INVITE, RFC 3725 flow I)
 * goes to the transferee, whose answer comes back in the ACK.
 */

import { type CallStatusCode, callStatus } from "../core/status-catalogue.js";
import type { Dialog, DialogManager, DialogRequestEvent, UacInvite } from "../dialog/index.js";
import { quoteDisplayName } from "../sip/index.js";
import type { SipResponse } from "../sip/types.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Call } from "./call.js";
import type { DetectionPointTable } from "./detection-points.js";
import { Fork } from "./fork.js";
import { type ReferNotifier as Notifier, parseRefer, ReferNotifier, type ReferTarget } from "./refer.js";
import type { FeatureCodes } from "./stages/route.js";
import type { CalleeLeg, CallParty, TargetSet } from "./types.js";

/** Who a transfer target number is: its party, bindings and ringing time, or why not. */
export type ResolvedTarget =
  | { readonly ok: true; readonly set: TargetSet }
  | { readonly ok: false; readonly status: number; readonly reason: string };

export interface TransferOptions {
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  readonly now: () => number;
  readonly allow: () => string;
  readonly logger: Logger;
  /** A local user's number as a transfer target. */
  resolve(number: string): Promise<ResolvedTarget>;
  /** The answered call one of whose bridged dialogs is `dialog`. */
  findCall(dialog: Dialog): Call | undefined;
  /** A service a transfer target number names (park), instead of a user to ring. */
  service?(number: string): TransferService | undefined;
}

/**
 * The transfer service a REFER's target number reaches, if any: its feature code's (park:
 * `*70*5`), or the service that claims the number (a conference room's own number).
 */
export function transferServiceFor(
  points: DetectionPointTable,
  features: FeatureCodes | undefined,
  number: string,
): TransferService | undefined {
  const feature = features?.match(number);
  const name = feature?.service ?? points.transferServiceClaiming(number);
  const handler = name === undefined ? undefined : points.transferServiceNamed(name);
  const argument = feature?.argument ?? number;
  return handler && ((request) => handler({ ...request, number, argument }));
}

/** A transfer to a service: it takes the transferee's side; the status for the transferor. */
export type TransferService = (request: {
  readonly call: Call;
  readonly transferee: "caller" | "callee";
  readonly by: CallParty;
}) => Promise<{ readonly status: number; readonly reason: string }>;

/** The target's answer: its dialog, the INVITE to ACK and the 2xx that carries its offer. */
interface Answered {
  readonly dialog: Dialog;
  readonly invite: UacInvite;
  readonly leg: CalleeLeg;
  readonly response: SipResponse;
}

/** How long a transferor may stay on after its transfer before Parley ends its dialog (64*T1). */
const TRANSFEROR_GRACE_MS = 32_000;

export class TransferHandler {
  /** Dialogs that already carried a REFER (RFC 3515 2.4.6: later ones need Event id). */
  private readonly referred = new WeakSet<Dialog>();

  constructor(private readonly o: TransferOptions) {}

  /** The Call's onRefer: a REFER on `transferor`'s dialog; `transferee` is the other side. */
  readonly handle = (call: Call, event: DialogRequestEvent, transferor: Dialog, transferee: Dialog): void => {
    const { request, tx } = event;
    if (call.transferor !== undefined) {
      // One transfer at a time per call; RFC 3261 21.4.27 "Request Pending".
      transferor.respond(tx, 491, { reason: callStatus("request-pending").reason });
      return;
    }
    const parsed = parseRefer(request);
    if (!parsed.ok) {
      transferor.respond(tx, 400, { reason: parsed.reason });
      return;
    }
    // RFC 3515 2.4.2: 202 Accepted, then the first NOTIFY at once (2.4.4).
    transferor.respond(tx, 202, { reason: callStatus("accepted").reason });
    const first = !this.referred.has(transferor);
    this.referred.add(transferor);
    const notifier = new ReferNotifier(transferor, first ? undefined : request.cseq?.seq, (e) =>
      this.o.logger.debug({ err: e, call: call.id }, "transfer NOTIFY failed"),
    );
    notifier.progress(100, callStatus("trying").reason);
    call.transferor = transferor;
    const target = parsed.target;
    this.o.logger.info(
      { call: call.id, target: target.user, attended: target.replaces !== undefined },
      "transfer requested",
    );
    const run =
      target.replaces === undefined
        ? this.blind(call, transferor, transferee, target, notifier)
        : this.attended(call, transferor, transferee, target, notifier);
    run.catch((error: unknown) => {
      this.o.logger.warn({ err: error, call: call.id }, "transfer failed");
      this.failWith(call, transferor, notifier, "internal-error");
    });
  };

  /** RFC 5589 6: Parley calls the target for the transferee and, once it answers, joins them. */
  private async blind(
    call: Call,
    transferor: Dialog,
    transferee: Dialog,
    target: ReferTarget,
    notifier: Notifier,
  ): Promise<void> {
    const service = this.o.service?.(target.user);
    if (service !== undefined) {
      const side = call.has(transferee) && call.otherSide(transferor) === transferee;
      const transfereeSide = call.partyOf(transferee) === call.caller ? "caller" : "callee";
      const by = call.partyOf(transferor);
      const { status, reason } = side
        ? await service({ call, transferee: transfereeSide, by })
        : callStatus("no-such-call");
      if (call.transferor === transferor) call.transferor = undefined;
      if (status >= 300) {
        this.fail(call, transferor, notifier, status, reason);
        return;
      }
      notifier.final(status, reason).then(() => this.dismiss(transferor));
      return;
    }
    const resolved = await this.o.resolve(target.user);
    if (!resolved.ok) {
      this.fail(call, transferor, notifier, resolved.status, resolved.reason);
      return;
    }
    const answered = await this.ring(call, transferor, transferee, resolved.set, notifier);
    if (answered === undefined) return;
    const { dialog, invite, leg, response } = answered;
    if (call.state !== "answered" || transferee.state === "terminated") {
      // The transferee hung up while the target rang or answered.
      dialog.ack(invite.request);
      this.bye(dialog);
      this.failWith(call, transferor, notifier, "request-terminated");
      return;
    }
    const joined = await this.exchange(call, transferee, dialog, response, (answer) =>
      dialog.ack(invite.request, answer),
    );
    if (!joined.ok) {
      this.bye(dialog);
      this.fail(call, transferor, notifier, joined.status, joined.reason);
      return;
    }
    this.complete(call, transferor, dialog, resolved.set.callee, leg, notifier);
  }

  /** RFC 5589 7, RFC 3891: the transferee takes the place of the transferor's other call. */
  private async attended(
    call: Call,
    transferor: Dialog,
    transferee: Dialog,
    target: ReferTarget,
    notifier: Notifier,
  ): Promise<void> {
    const replaces = target.replaces!;
    // RFC 3891 3 names the dialog by its Call-ID and tags; the transferor wrote them from its own
    // side of that dialog, so either tag may be Parley's.
    const replaced =
      this.o.dialogs.find(replaces.callId, replaces.toTag, replaces.fromTag) ??
      this.o.dialogs.find(replaces.callId, replaces.fromTag, replaces.toTag);
    const other = replaced === undefined ? undefined : this.o.findCall(replaced);
    if (replaced === undefined || other === undefined || other === call || other.state !== "answered") {
      // RFC 3891 3: no matching dialog, 481.
      this.failWith(call, transferor, notifier, "no-such-call");
      return;
    }
    if (replaces.earlyOnly) {
      // RFC 3891 3: "early-only" and the dialog is confirmed: 486.
      this.failWith(call, transferor, notifier, "busy");
      return;
    }
    const joining = other.otherSide(replaced)!;
    const party = other.partyOf(joining);
    // The other call gives its dialogs up now, so their BYEs no longer end anything.
    other.release();
    // RFC 3891 3: the replaced dialog is ended with BYE by the UA that accepted the replacement.
    this.bye(replaced);
    const ended = { value: false };
    const stopWatching = joining.on("terminated", () => {
      ended.value = true;
    });
    const refuse = joining.on("request", ({ tx }) =>
      joining.respond(tx, 491, { reason: callStatus("request-pending").reason }),
    );
    // RFC 3725 flow I: an offerless re-INVITE asks the joining side for an offer.
    const solicit = joining.createRequest("INVITE", { headers: [["Allow", this.o.allow()]] });
    const offer = await joining.send(solicit, { manualAck: true }).then(
      (response) => response,
      // RFC 3261 14.1: the joining side is re-INVITing right now (glare).
      () => undefined,
    );
    refuse();
    stopWatching();
    const success = offer !== undefined && offer.status >= 200 && offer.status < 300;
    if (ended.value || offer === undefined || !success) {
      if (success) joining.ack(solicit);
      this.bye(joining);
      if (offer === undefined) this.failWith(call, transferor, notifier, "request-pending");
      else this.fail(call, transferor, notifier, offer.status, offer.reason);
      return;
    }
    const joined = await this.exchange(call, transferee, joining, offer, (answer) =>
      joining.ack(solicit, answer),
    );
    if (!joined.ok) {
      this.bye(joining);
      this.fail(call, transferor, notifier, joined.status, joined.reason);
      return;
    }
    const leg: CalleeLeg = {
      peer: joining.remoteTarget,
      invite: undefined,
      state: "answered",
      ...callStatus("ok"),
      startedAt: this.o.now(),
      answeredAt: this.o.now(),
      dialog: joining,
    };
    this.complete(call, transferor, joining, party, leg, notifier);
  }

  /**
   * Rings the target's devices through a fork (first 2xx wins, the others are cancelled) with an
   * offerless INVITE (RFC 3725 flow I); reports 180 to the transferor. Undefined when it failed
   * (already reported).
   */
  private ring(
    call: Call,
    transferor: Dialog,
    transferee: Dialog,
    set: TargetSet,
    notifier: Notifier,
  ): Promise<Answered | undefined> {
    const from = call.partyOf(transferee);
    const fromUri = `sip:${from.user}@${call.host}`;
    return new Promise((resolve) => {
      let reported = false;
      const fork: Fork = new Fork({
        targets: set.targets,
        mode: set.mode,
        clock: this.o.clock,
        now: this.o.now,
        noAnswerMs: set.noAnswerMs,
        invite: (target) =>
          this.o.dialogs.invite({
            uri: target.uri,
            from:
              from.displayName === "" ? `<${fromUri}>` : `${quoteDisplayName(from.displayName)} <${fromUri}>`,
            to: `<sip:${set.callee.user}@${call.host}>`,
            routes: target.routes,
            destination: target.destination,
            manualAck: true,
            headers: [
              ["Allow", this.o.allow()],
              // RFC 3892: who asked for this call.
              ["Referred-By", `<sip:${call.partyOf(transferor).user}@${call.host}>`],
            ],
          }),
        onProvisional: (_leg, response) => {
          if (response.status === 100 || reported) return;
          reported = true;
          notifier.progress(180, callStatus("ringing").reason);
        },
        onSettled: (result) => {
          stopWatching();
          if (result.kind === "answered") {
            resolve({
              dialog: result.dialog,
              invite: result.invite,
              leg: result.leg,
              response: result.response,
            });
            return;
          }
          this.fail(call, transferor, notifier, result.status, result.reason);
          resolve(undefined);
        },
        onError: (error) => this.o.logger.warn({ err: error, call: call.id }, "transfer target leg failed"),
      });
      // The transferee hung up while the target rang: the transfer is over.
      const stopWatching = transferee.on("terminated", () => {
        if (fork.done) return;
        fork.abort();
        stopWatching();
        const { status, reason } = callStatus("request-terminated");
        this.fail(call, transferor, notifier, status, reason);
        resolve(undefined);
      });
      fork.start();
    });
  }

  /**
   * Re-INVITEs the transferee with the joining side's offer and ACKs the joining side with the
   * transferee's answer (RFC 3264 via RFC 3725 flow I).
   */
  private async exchange(
    call: Call,
    transferee: Dialog,
    joining: Dialog,
    offerMessage: SipResponse,
    sendAck: (answer: { body?: Buffer; contentType?: string }) => void,
  ): Promise<{ ok: true } | { ok: false; status: number; reason: string }> {
    const offer = call.bodyToward(offerMessage, transferee);
    if (offer.body === undefined) {
      sendAck({});
      return { ok: false, ...callStatus("not-acceptable-here") };
    }
    let answer: SipResponse;
    try {
      answer = await transferee.request("INVITE", { ...offer, headers: [["Allow", this.o.allow()]] });
    } catch {
      // RFC 3261 14.1: the transferee is re-INVITing right now (glare).
      sendAck({});
      return { ok: false, ...callStatus("request-pending") };
    }
    if (answer.status < 200 || answer.status >= 300 || answer.body.length === 0) {
      sendAck({});
      return { ok: false, status: answer.status >= 300 ? answer.status : 488, reason: answer.reason };
    }
    // The joining dialog takes the side across from the transferee (it is bridged afterwards).
    sendAck(call.bodyToward(answer, joining, transferee));
    return { ok: true };
  }

  private complete(
    call: Call,
    transferor: Dialog,
    joining: Dialog,
    party: CallParty,
    leg: CalleeLeg,
    notifier: Notifier,
  ): void {
    call.transferor = undefined;
    // The call reports "transferred" (the engine's counts and the log follow).
    call.replaceSide(transferor, joining, party, leg);
    notifier.final(200, callStatus("ok").reason).then(() => this.dismiss(transferor));
  }

  private failWith(call: Call, transferor: Dialog, notifier: Notifier, code: CallStatusCode): void {
    const { status, reason } = callStatus(code);
    this.fail(call, transferor, notifier, status, reason);
  }

  /** The transfer failed: the transferor learns why; the call goes on with it, if it is still there. */
  private fail(call: Call, transferor: Dialog, notifier: Notifier, status: number, reason: string): void {
    if (call.transferor === transferor) call.transferor = undefined;
    this.o.logger.info({ call: call.id, status, reason }, "transfer failed");
    notifier.final(status, reason);
    // The transferor hung up during the attempt: the transferee has nobody left.
    if (transferor.state === "terminated") call.hangup("transfer");
  }

  /**
   * RFC 5589 6: after a successful transfer the transferor ends its dialog with BYE; in-dialog
   * requests meanwhile get 481, and Parley sends the BYE itself if the transferor does not.
   */
  private dismiss(transferor: Dialog): void {
    if (transferor.state === "terminated") return;
    const stop = transferor.on("request", ({ tx }) =>
      transferor.respond(tx, 481, { reason: callStatus("no-such-call").reason }),
    );
    const timer = this.o.clock.setTimer(TRANSFEROR_GRACE_MS, () => this.bye(transferor));
    transferor.once("terminated", () => {
      timer.cancel();
      stop();
    });
  }

  private bye(dialog: Dialog): void {
    if (dialog.state === "terminated") return;
    dialog
      .bye()
      .then(undefined, (error: unknown) => this.o.logger.debug({ err: error }, "transfer BYE failed"));
  }
}
