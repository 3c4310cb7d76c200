/**
 * Call transfer between local users, as a back-to-back user agent does it (RFC 5589 with Parley
 * as the transfer target's and transferee's proxy): the transferor's REFER (RFC 3515) is answered
 * 202 and reported with NOTIFY sipfrag; Parley itself calls the target (blind, RFC 5589 6) or joins
 * the transferee to the dialog named by Replaces (attended, RFC 5589 7, RFC 3891), and moves the
 * media with re-INVITEs: the new side's offer (solicited by an offerless INVITE, RFC 3725 flow I)
 * goes to the transferee, whose answer comes back in the ACK.
 */
import type { Dialog, DialogManager, DialogRequestEvent, UacInvite } from "../dialog/index.js";
import { quoteDisplayName } from "../sip/index.js";
import type { SipResponse } from "../sip/types.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { bestResponse } from "./best-response.js";
import type { Call, CallTarget } from "./call.js";
import { type ReferNotifier as Notifier, parseRefer, ReferNotifier, type ReferTarget } from "./refer.js";
import type { CalleeLeg, CallParty } from "./types.js";

/** Who a transfer target number is: its party, bindings and ringing time, or why not. */
export type ResolvedTarget =
  | {
      readonly ok: true;
      readonly party: CallParty;
      readonly targets: readonly CallTarget[];
      readonly noAnswerMs: number;
    }
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
  /** A side of `call` changed hands (the engine's per-user counts follow). */
  partyChanged(call: Call, before: CallParty, after: CallParty, callerSide: boolean): void;
}

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
      transferor.respond(tx, 491, { reason: "Request Pending" });
      return;
    }
    const parsed = parseRefer(request);
    if (!parsed.ok) {
      transferor.respond(tx, 400, { reason: parsed.reason });
      return;
    }
    // RFC 3515 2.4.2: 202 Accepted, then the first NOTIFY at once (2.4.4).
    transferor.respond(tx, 202, { reason: "Accepted" });
    const first = !this.referred.has(transferor);
    this.referred.add(transferor);
    const notifier = new ReferNotifier(transferor, first ? undefined : request.cseq?.seq, (e) =>
      this.o.logger.debug({ err: e, call: call.id }, "transfer NOTIFY failed"),
    );
    notifier.progress(100, "Trying");
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
      this.fail(call, transferor, notifier, 500, "Server Internal Error");
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
    const resolved = await this.o.resolve(target.user);
    if (!resolved.ok) {
      this.fail(call, transferor, notifier, resolved.status, resolved.reason);
      return;
    }
    const answered = await this.ring(call, transferor, transferee, resolved, notifier);
    if (answered === undefined) return;
    const { dialog, invite, leg, response } = answered;
    if (call.state !== "answered" || transferee.state === "terminated") {
      // The transferee hung up while the target rang or answered.
      dialog.ack(invite.request);
      this.bye(dialog);
      this.fail(call, transferor, notifier, 487, "Request Terminated");
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
    this.complete(call, transferor, dialog, resolved.party, leg, notifier);
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
      this.fail(call, transferor, notifier, 481, "Call/Transaction Does Not Exist");
      return;
    }
    if (replaces.earlyOnly) {
      // RFC 3891 3: "early-only" and the dialog is confirmed: 486.
      this.fail(call, transferor, notifier, 486, "Busy Here");
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
    const refuse = joining.on("request", ({ tx }) => joining.respond(tx, 491, { reason: "Request Pending" }));
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
      this.fail(call, transferor, notifier, offer?.status ?? 491, offer?.reason ?? "Request Pending");
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
      status: 200,
      reason: "OK",
      startedAt: this.o.now(),
      answeredAt: this.o.now(),
      dialog: joining,
    };
    this.complete(call, transferor, joining, party, leg, notifier);
  }

  /**
   * Rings the target's bindings in parallel (first 2xx wins, the others are cancelled) with an
   * offerless INVITE; reports 180 to the transferor. Undefined when it failed (already reported).
   */
  private ring(
    call: Call,
    transferor: Dialog,
    transferee: Dialog,
    resolved: Extract<ResolvedTarget, { ok: true }>,
    notifier: Notifier,
  ): Promise<Answered | undefined> {
    const from = call.partyOf(transferee);
    const fromUri = `sip:${from.user}@${call.host}`;
    const legs: CalleeLeg[] = [];
    return new Promise((resolve) => {
      let settled = false;
      let noAnswer: TimerHandle | undefined;
      const settle = (result: Answered | undefined, failure?: { status: number; reason: string }): void => {
        if (settled) return;
        settled = true;
        noAnswer?.cancel();
        stopWatching();
        for (const leg of legs) {
          if (leg === result?.leg || leg.state === "failed") continue;
          leg.state = "ending";
          leg.invite?.cancel('SIP;cause=200;text="Call completed elsewhere"');
        }
        if (failure !== undefined) this.fail(call, transferor, notifier, failure.status, failure.reason);
        resolve(result);
      };
      // The transferee hung up while the target rang: the transfer is over.
      const stopWatching = transferee.on("terminated", () =>
        settle(undefined, { status: 487, reason: "Request Terminated" }),
      );
      let reported = false;
      for (const target of resolved.targets) {
        const leg: CalleeLeg = {
          peer: target.uri,
          invite: undefined,
          state: "calling",
          status: 0,
          reason: "",
          startedAt: this.o.now(),
        };
        let invite: UacInvite;
        try {
          invite = this.o.dialogs.invite({
            uri: target.uri,
            from:
              from.displayName === "" ? `<${fromUri}>` : `${quoteDisplayName(from.displayName)} <${fromUri}>`,
            to: `<sip:${resolved.party.user}@${call.host}>`,
            routes: target.routes,
            destination: target.destination,
            manualAck: true,
            headers: [
              ["Allow", this.o.allow()],
              // RFC 3892: who asked for this call.
              ["Referred-By", `<sip:${call.partyOf(transferor).user}@${call.host}>`],
            ],
          });
        } catch (error) {
          this.o.logger.warn({ err: error, call: call.id }, "transfer target leg failed");
          legs.push({ ...leg, state: "failed", status: 503, reason: "Service Unavailable" });
          continue;
        }
        const live: CalleeLeg = { ...leg, invite };
        legs.push(live);
        invite.on("provisional", ({ response }) => {
          if (response.status === 100 || settled) return;
          live.state = "ringing";
          if (!reported) notifier.progress(180, "Ringing");
          reported = true;
        });
        invite.on("answered", ({ response, dialog }) => {
          if (settled) {
            dialog.ack(invite.request);
            this.bye(dialog);
            return;
          }
          live.state = "answered";
          live.status = response.status;
          live.reason = response.reason;
          live.answeredAt = this.o.now();
          live.dialog = dialog;
          settle({ dialog, invite, leg: live, response });
        });
        invite.on("failed", ({ response }) => {
          live.state = "failed";
          live.status = response.status;
          live.reason = response.reason;
          live.endedAt = this.o.now();
          if (legs.every((l) => l.state === "failed")) settle(undefined, bestResponse(legs));
        });
      }
      if (legs.every((l) => l.state === "failed")) {
        settle(undefined, bestResponse(legs));
        return;
      }
      noAnswer = this.o.clock.setTimer(resolved.noAnswerMs, () =>
        settle(undefined, { status: 480, reason: "No Answer" }),
      );
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
      return { ok: false, status: 488, reason: "Not Acceptable Here" };
    }
    let answer: SipResponse;
    try {
      answer = await transferee.request("INVITE", { ...offer, headers: [["Allow", this.o.allow()]] });
    } catch {
      // RFC 3261 14.1: the transferee is re-INVITing right now (glare).
      sendAck({});
      return { ok: false, status: 491, reason: "Request Pending" };
    }
    if (answer.status < 200 || answer.status >= 300 || answer.body.length === 0) {
      sendAck({});
      return { ok: false, status: answer.status >= 300 ? answer.status : 488, reason: answer.reason };
    }
    sendAck(call.bodyToward(answer, joining));
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
    const before = call.partyOf(transferor);
    const callerSide = call.isCallerSide(transferor);
    call.transferor = undefined;
    call.replaceSide(transferor, joining, party, leg);
    this.o.partyChanged(call, before, party, callerSide);
    this.o.logger.info({ call: call.id, from: before.user, to: party.user }, "transfer completed");
    notifier.final(200, "OK").then(() => this.dismiss(transferor));
  }

  /** The transfer failed: the transferor learns why; the call goes on with it, if it is still there. */
  private fail(call: Call, transferor: Dialog, notifier: Notifier, status: number, reason: string): void {
    if (call.transferor === transferor) call.transferor = undefined;
    this.o.logger.info({ call: call.id, status, reason }, "transfer failed");
    notifier.final(status, reason);
    // The transferor hung up during the attempt: the transferee has nobody left.
    if (transferor.state === "terminated") call.hangup();
  }

  /**
   * RFC 5589 6: after a successful transfer the transferor ends its dialog with BYE; in-dialog
   * requests meanwhile get 481, and Parley sends the BYE itself if the transferor does not.
   */
  private dismiss(transferor: Dialog): void {
    if (transferor.state === "terminated") return;
    const stop = transferor.on("request", ({ tx }) =>
      transferor.respond(tx, 481, { reason: "Call/Transaction Does Not Exist" }),
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
