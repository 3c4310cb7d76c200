/**
 * A simulated SIP phone for the call engine tests, built on Parley's own transaction and dialog
 * layers (test/helpers/sip-harness.ts agent) on one loop endpoint: it calls (INVITE with SDP,
 * digest answer to a 407 with its password), cancels, hangs up, holds, and, when called, rings
 * (180) and waits for the test to answer, or answers or refuses at once. Inside a dialog it answers
 * every request 200 (a re-INVITE with its SDP) and records it.
 */
import type { Dialog, DialogEndCause, MessageOptions, UacInvite, UasInvite } from "../../src/dialog/index.js";
import type { Binding } from "../../src/registrar/location-service.js";
import { createRequest, generateBranch, generateCallId, generateTag } from "../../src/sip/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";
import type { LoopEndpoint, LoopNetwork } from "../../src/transport/loop-transport.js";
import { DigestClient } from "../../src/trunks/digest-client.js";
import type { VirtualClock } from "../../src/util/clock.js";
import { type Agent, agent } from "../helpers/sip-harness.js";

export interface PhoneOptions {
  readonly user: string;
  /** Digest password; undefined: challenges are not answered. */
  readonly password: string | undefined;
  readonly address: string;
  readonly port: number;
  /** Where Parley listens: every request goes there. */
  readonly parley: LoopEndpoint;
  /** Parley's domain, the host of the From and To URIs. */
  readonly domain: string;
}

/** A session description naming its phone (so a test sees whose SDP crossed) and direction. */
export function sdp(owner: string, address: string, direction = "sendrecv"): string {
  return (
    `v=0\r\no=${owner} 1 1 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\n` +
    `m=audio 4000 RTP/AVP 0\r\na=${direction}\r\n`
  );
}

/** One call this phone placed. */
export class OutgoingCall {
  /** Every response the phone's INVITE got, provisional and final (after any digest retry). */
  readonly responses: SipResponse[] = [];
  final: SipResponse | undefined;
  dialog: Dialog | undefined;

  constructor(
    readonly invite: UacInvite,
    private readonly phone: Phone,
  ) {
    invite.on("provisional", ({ response }) => this.responses.push(response));
    invite.on("answered", ({ response, dialog }) => {
      this.responses.push(response);
      this.final ??= response;
      this.dialog = dialog;
      phone.watch(dialog);
    });
    invite.on("failed", ({ response }) => {
      this.responses.push(response);
      this.final = response;
    });
  }

  /** The final status, undefined while ringing. */
  get status(): number | undefined {
    return this.final?.status;
  }

  /** The statuses received so far. */
  get statuses(): number[] {
    return this.responses.map((r) => r.status);
  }

  /** RFC 3261 9.1: CANCEL (sent once a provisional has arrived). */
  cancel(): boolean {
    return this.invite.cancel();
  }

  /** BYE on the answered call. */
  hangup(): Promise<SipResponse> {
    return this.answered().bye();
  }

  /** A re-INVITE putting the other side on hold (RFC 3264 8.4: a=sendonly). */
  hold(): Promise<SipResponse> {
    return this.answered().request("INVITE", { body: this.phone.sdp("sendonly") });
  }

  private answered(): Dialog {
    if (this.dialog === undefined) throw new Error(`${this.phone.user}'s call is not answered`);
    return this.dialog;
  }
}

export class Phone {
  readonly agent: Agent;
  readonly user: string;
  /** Requests received inside any dialog, in order. */
  readonly inDialog: Array<{ readonly request: SipRequest; readonly dialog: Dialog }> = [];
  /** How each of its dialogs ended. */
  readonly ended: Array<{ readonly dialog: Dialog; readonly cause: DialogEndCause }> = [];
  /** What the phone does when called: ring and wait (default), answer at once, or refuse. */
  onIncoming: "ring" | "answer" | number = "ring";
  private readonly watched = new WeakSet<Dialog>();
  private readonly digest: DigestClient | undefined;

  constructor(
    clock: VirtualClock,
    net: LoopNetwork,
    private readonly o: PhoneOptions,
  ) {
    this.user = o.user;
    // Like most phones, reliable provisionals only when the INVITE requires them (RFC 3262 3).
    this.agent = agent(clock, net, o.user, o.address, o.port, { reliableProvisionals: "required" });
    this.digest =
      o.password === undefined ? undefined : new DigestClient({ username: o.user, password: o.password });
    this.agent.core.onInvite = (invite) => this.called(invite);
  }

  get address(): string {
    return this.o.address;
  }

  get endpoint(): LoopEndpoint {
    return this.agent.endpoint;
  }

  /** Its Contact, the URI it registers. */
  get contact(): string {
    return this.agent.contact;
  }

  /** The INVITEs it received, in order. */
  get invites(): readonly UasInvite[] {
    return this.agent.core.invites;
  }

  /** The latest INVITE received (throws when none). */
  get lastInvite(): UasInvite {
    const invite = this.invites.at(-1);
    if (invite === undefined) throw new Error(`${this.user} received no INVITE`);
    return invite;
  }

  sdp(direction = "sendrecv"): string {
    return sdp(this.user, this.o.address, direction);
  }

  /** The binding a REGISTER from this phone leaves in the location service (RFC 3261 10.3). */
  binding(domainId: number, now: number): Binding {
    return {
      domainId,
      user: this.user,
      contactUri: this.contact,
      expiresAt: now + 3_600_000,
      callId: `reg-${this.o.address}`,
      cseq: 1,
      path: [],
      sourceAddress: this.o.address,
      sourcePort: this.o.port,
      transport: "udp",
      updatedAt: now,
    };
  }

  /** Calls `number` through Parley; `offer: false` sends an offerless INVITE (late offer). */
  call(number: string, options: { offer?: boolean; headers?: MessageOptions["headers"] } = {}): OutgoingCall {
    const digest = this.digest;
    const invite = this.agent.dialogs.invite({
      uri: `sip:${number}@${this.o.domain}`,
      from: `<sip:${this.user}@${this.o.domain}>`,
      to: `<sip:${number}@${this.o.domain}>`,
      destination: this.o.parley.destination(),
      ...(options.offer === false ? {} : { body: this.sdp() }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(digest === undefined
        ? {}
        : { authorize: (challenge, request) => digest.authorize(challenge, request) }),
    });
    return new OutgoingCall(invite, this);
  }

  /** Answers an INVITE it received (the latest by default) with its SDP. */
  answer(invite: UasInvite = this.lastInvite): Dialog {
    const dialog = invite.accept({ body: this.sdp() });
    this.watch(dialog);
    return dialog;
  }

  /** A request outside any dialog (REFER, OPTIONS), answered by Parley; resolves with the final response. */
  send(
    method: string,
    number: string,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): Promise<SipResponse> {
    const request = createRequest({
      method,
      uri: `sip:${number}@${this.o.domain}`,
      headers: [
        ["Via", `SIP/2.0/UDP ${this.o.address}:${this.o.port};branch=${generateBranch()}`],
        ["Max-Forwards", "70"],
        ["From", `<sip:${this.user}@${this.o.domain}>;tag=${generateTag()}`],
        ["To", `<sip:${number}@${this.o.domain}>`],
        ["Call-ID", generateCallId()],
        ["CSeq", `1 ${method}`],
        ["Contact", `<${this.contact}>`],
        ...headers,
      ],
    });
    return new Promise((resolve) => {
      this.agent.layer.sendRequest(request, this.o.parley.destination(), {
        onResponse: (response) => {
          if (response.status >= 200) resolve(response);
        },
      });
    });
  }

  /** Answers what comes inside `dialog` and records how it ends (once per dialog). */
  watch(dialog: Dialog): void {
    if (this.watched.has(dialog)) return;
    this.watched.add(dialog);
    dialog.on("request", ({ request, tx }) => {
      this.inDialog.push({ request, dialog });
      if (request.method === "INVITE") dialog.respond(tx, 200, { body: this.sdp() });
      else dialog.respond(tx, 200);
    });
    dialog.on("terminated", ({ cause }) => this.ended.push({ dialog, cause }));
  }

  /** The requests of one method it received (in a dialog or not: INVITE, ACK, CANCEL, BYE, NOTIFY...). */
  got(method: string): SipRequest[] {
    const out: SipRequest[] = [];
    for (const rx of this.agent.endpoint.received) {
      if (rx.message.kind === "request" && rx.message.method === method) out.push(rx.message);
    }
    return out;
  }

  private called(invite: UasInvite): void {
    if (typeof this.onIncoming === "number") {
      invite.reject(this.onIncoming);
      return;
    }
    const early = invite.progress(180);
    if (early !== undefined) this.watch(early);
    if (this.onIncoming === "answer") this.answer(invite);
  }
}
