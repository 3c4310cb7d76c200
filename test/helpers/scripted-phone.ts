/**
 * A scripted SIP phone on a real UDP socket, for end-to-end flows no third-party tool can script
 * in one process: several dialogs at once (an attended transferor holds two calls and names one
 * in the other's REFER). It answers what it receives (INVITE: 200 with SDP; a re-INVITE's offer:
 * 200 with an answer that mirrors its direction, RFC 3264 6.1; NOTIFY, BYE: 200),
 * keeps its dialogs, and authenticates with MD5 digest computed here with node:crypto,
 * independently of Parley's auth code.
 */
import { createSocket, type Socket } from "node:dgram";
import { parseMessage } from "../../src/sip/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";
import {
  dialogOfInvite,
  digestAuthorization,
  hex,
  inDialogLines,
  responseLines,
  sipMessage,
  udpTransaction,
} from "./sip-phone-common.js";

export interface PhoneDialog {
  readonly callId: string;
  readonly localTag: string;
  remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  remoteTarget: string;
  cseq: number;
  /** The SDP of the 2xx that set the dialog up (a call it made). */
  answer?: string;
}

export class ScriptedPhone {
  /** Every request received, in order, and when (performance.now()). */
  readonly received: SipRequest[] = [];
  readonly receivedAt: number[] = [];
  /** With `ringMs`: when each new call was answered 180, then 200 (performance.now()). */
  readonly rang: Array<{ ringing: number; answered?: number }> = [];
  readonly dialogs: PhoneDialog[] = [];
  private waiters: Array<{ test: (m: SipRequest) => boolean; resolve: (m: SipRequest) => void }> = [];

  private constructor(
    private readonly sock: Socket,
    readonly port: number,
    readonly user: string,
    private readonly server: number,
    /** Where its SDP says it takes RTP (a test's RtpPeer); default: its SIP port + 2. */
    private readonly rtpPort = port + 2,
    /** Its SDP offers RFC 4733 telephone-event (payload type 101). */
    private readonly telephoneEvent = false,
    /** A new call rings (180) this long before the 200; 0 = answered at once. */
    private readonly ringMs = 0,
    /** New calls are refused with this status and reason phrase instead of answered. */
    private readonly refuse?: { readonly status: number; readonly reason: string },
  ) {
    sock.on("message", (data) => this.onMessage(data));
  }

  static async open(
    user: string,
    serverPort: number,
    rtpPort?: number,
    options: {
      telephoneEvent?: boolean;
      ringMs?: number;
      refuse?: { readonly status: number; readonly reason: string };
    } = {},
  ): Promise<ScriptedPhone> {
    const sock = createSocket("udp4");
    await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
    const port = sock.address().port;
    return new ScriptedPhone(
      sock,
      port,
      user,
      serverPort,
      rtpPort ?? port + 2,
      options.telephoneEvent === true,
      options.ringMs ?? 0,
      options.refuse,
    );
  }

  close(): void {
    this.sock.close();
  }

  private get contact(): string {
    return `<sip:${this.user}@127.0.0.1:${this.port}>`;
  }

  private version = 1;

  private sdp(tag: string, direction = "sendrecv"): string {
    return `v=0\r\no=${tag} 1 ${this.version++} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${
      this.rtpPort
    } RTP/AVP 0${this.telephoneEvent ? " 101" : ""}\r\na=rtpmap:0 PCMU/8000\r\n${
      this.telephoneEvent ? "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n" : ""
    }a=${direction}\r\n`;
  }

  private raw(lines: string[], body = "", contentType = "application/sdp"): Buffer {
    return sipMessage(lines, body, contentType);
  }

  private transmit(data: Buffer): void {
    this.sock.send(data, this.server, "127.0.0.1");
  }

  /** Sends a request and resolves with its final response (retransmitted as RFC 3261 17.1.2.2 asks). */
  private request(method: string, build: (branch: string) => Buffer, callId: string): Promise<SipResponse> {
    return udpTransaction(this.sock, method, callId, build, (data) => this.transmit(data));
  }

  /**
   * REGISTER with digest (401). `contactPort` names another port in the Contact than the one it
   * sends from, as a phone behind a NAT that maps ports does.
   */
  register(contactPort = this.port): Promise<SipResponse> {
    return this.authenticated("REGISTER", `sip:127.0.0.1:${this.server}`, this.user, [
      `Contact: <sip:${this.user}@127.0.0.1:${contactPort}>`,
      "Expires: 300",
    ]);
  }

  /**
   * A request outside any dialog, from this phone's user to `toUser`, answered 401 first and sent
   * again with digest credentials (computed here, independently of Parley's auth code).
   */
  private async authenticated(
    method: string,
    uri: string,
    toUser: string,
    headers: string[],
    body = "",
    contentType?: string,
  ): Promise<SipResponse> {
    const callId = `${hex(8)}@phone`;
    const fromTag = hex(4);
    let cseq = 1;
    const build = (auth: string | undefined) => (branch: string) =>
      this.raw(
        [
          `${method} ${uri} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch};rport`,
          "Max-Forwards: 70",
          `From: <sip:${this.user}@127.0.0.1>;tag=${fromTag}`,
          `To: <sip:${toUser}@127.0.0.1>`,
          `Call-ID: ${callId}`,
          `CSeq: ${cseq++} ${method}`,
          ...headers,
          ...(auth === undefined ? [] : [`Authorization: ${auth}`]),
        ],
        body,
        contentType,
      );
    const first = await this.request(method, build(undefined), callId);
    if (first.status !== 401) return first;
    return this.request(
      method,
      build(this.authorization(first.get("www-authenticate") ?? "", method, uri)),
      callId,
    );
  }

  private authorization(challenge: string, method: string, uri: string): string {
    return digestAuthorization(this.user, this.user, challenge, method, uri);
  }

  /**
   * Calls `number` (407 answered with credentials) and ACKs the 2xx: the new dialog. `callId` and
   * `contact` replace the phone's own (a peer's odd or oversized values, issue 22).
   */
  async call(number: string, over: { callId?: string; contact?: string } = {}): Promise<PhoneDialog> {
    const callId = over.callId ?? `${hex(8)}@phone`;
    const fromTag = hex(4);
    const uri = `sip:${number}@127.0.0.1:${this.server}`;
    const localUri = `<sip:${this.user}@127.0.0.1>`;
    let cseq = 1;
    const build = (auth: string | undefined, seq: number) => (branch: string) =>
      this.raw(
        [
          `INVITE ${uri} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch};rport`,
          "Max-Forwards: 70",
          `From: ${localUri};tag=${fromTag}`,
          `To: <sip:${number}@127.0.0.1>`,
          `Call-ID: ${callId}`,
          `CSeq: ${seq} INVITE`,
          `Contact: ${over.contact ?? this.contact}`,
          ...(auth === undefined ? [] : [`Proxy-Authorization: ${auth}`]),
        ],
        this.sdp(this.user),
      );
    let res = await this.request("INVITE", build(undefined, cseq), callId);
    if (res.status === 407) {
      this.ack(uri, res, callId, fromTag, localUri, cseq, true);
      cseq++;
      const auth = this.authorization(res.get("proxy-authenticate") ?? "", "INVITE", uri);
      res = await this.request("INVITE", build(auth, cseq), callId);
    }
    if (res.status !== 200) throw new Error(`call to ${number}: ${res.status} ${res.reason}`);
    const contact = /<([^>]+)>/.exec(res.get("contact") ?? "")?.[1] ?? uri;
    const dialog: PhoneDialog = {
      callId,
      localTag: fromTag,
      remoteTag: res.to?.tag ?? "",
      localUri,
      remoteUri: `<sip:${number}@127.0.0.1>`,
      remoteTarget: contact,
      cseq,
      answer: res.body.toString(),
    };
    this.ack(contact, res, callId, fromTag, localUri, cseq, false);
    this.dialogs.push(dialog);
    return dialog;
  }

  private ack(
    uri: string,
    res: SipResponse,
    callId: string,
    fromTag: string,
    localUri: string,
    seq: number,
    failure: boolean,
  ): void {
    // RFC 3261 17.1.1.3: the ACK of a failure reuses the INVITE's branch; a 2xx ACK is new.
    const branch = failure ? (res.vias[0]?.branch ?? "") : `z9hG4bK${hex(6)}`;
    this.transmit(
      this.raw([
        `ACK ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch};rport`,
        "Max-Forwards: 70",
        `From: ${localUri};tag=${fromTag}`,
        `To: ${res.get("to")}`,
        `Call-ID: ${callId}`,
        `CSeq: ${seq} ACK`,
      ]),
    );
  }

  /** A request within `dialog` (REFER, BYE, ...); resolves with its final response. */
  inDialog(dialog: PhoneDialog, method: string, headers: string[] = []): Promise<SipResponse> {
    const seq = ++dialog.cseq;
    return this.request(
      method,
      (branch) => this.raw(inDialogLines(dialog, method, seq, branch, this.port, this.contact, headers)),
      dialog.callId,
    );
  }

  /** The first request matching `test` received since `since` (an index into `received`). */
  waitFor(test: (m: SipRequest) => boolean, since = 0, timeoutMs = 10000): Promise<SipRequest> {
    const seen = this.received.slice(since).find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for a request")), timeoutMs);
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  private onMessage(data: Buffer): void {
    const r = parseMessage(data);
    if (!r.ok || r.message.kind !== "request") return;
    const req = r.message;
    const retransmission = this.received.some(
      (m) => m.vias[0]?.branch === req.vias[0]?.branch && m.method === req.method,
    );
    if (req.method === "INVITE" && req.to?.tag === undefined) this.answer(req, retransmission);
    else if (req.method === "INVITE" && req.body.length > 0) {
      // A re-INVITE's offer: the answer mirrors its direction (sendonly -> recvonly).
      const offered = /a=(sendrecv|sendonly|recvonly|inactive)/.exec(req.body.toString())?.[1] ?? "sendrecv";
      const mirror: Record<string, string> = { sendonly: "recvonly", recvonly: "sendonly" };
      this.respond(req, 200, this.sdp(this.user, mirror[offered] ?? offered));
    } else if (req.method !== "ACK") this.respond(req, 200, "");
    if (retransmission) return;
    this.received.push(req);
    this.receivedAt.push(performance.now());
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(req)) return true;
      w.resolve(req);
      return false;
    });
  }

  /** A new call: 200 with SDP at once (the dialog is kept for later requests). */
  private answer(req: SipRequest, retransmission: boolean): void {
    const tag = `${this.user}a`;
    if (!retransmission) {
      this.dialogs.push(dialogOfInvite(req, tag));
    }
    if (this.refuse !== undefined) {
      if (!retransmission) this.respond(req, this.refuse.status, "", tag, this.refuse.reason);
      return;
    }
    if (this.ringMs <= 0) {
      this.respond(req, 200, this.sdp(this.user), tag);
      return;
    }
    if (retransmission) return;
    this.respond(req, 180, "", tag);
    const rang: { ringing: number; answered?: number } = { ringing: performance.now() };
    this.rang.push(rang);
    setTimeout(() => {
      rang.answered = performance.now();
      this.respond(req, 200, this.sdp(this.user), tag);
    }, this.ringMs);
  }

  /**
   * PUBLISH `body` (a PIDF document, RFC 3903) as `resource`'s presence, 401 answered with
   * credentials; `ifMatch` refreshes, modifies or (with expires 0) removes an earlier publication.
   */
  publish(
    resource: string,
    body: string,
    options: { ifMatch?: string; expires?: number; event?: string; contentType?: string } = {},
  ): Promise<SipResponse> {
    return this.authenticated(
      "PUBLISH",
      `sip:${resource}@127.0.0.1:${this.server}`,
      resource,
      [
        `Event: ${options.event ?? "presence"}`,
        `Expires: ${options.expires ?? 600}`,
        ...(options.ifMatch === undefined ? [] : [`SIP-If-Match: ${options.ifMatch}`]),
      ],
      body,
      options.contentType ?? "application/pidf+xml",
    );
  }

  /**
   * SUBSCRIBE to `resource`'s `event` package (401 answered with credentials); its NOTIFYs are
   * answered 200 and kept in `received`. Resolves with the final response.
   */
  subscribe(resource: string, event: string, expires = 600, extra: string[] = []): Promise<SipResponse> {
    return this.authenticated("SUBSCRIBE", `sip:${resource}@127.0.0.1:${this.server}`, resource, [
      `Contact: ${this.contact}`,
      `Event: ${event}`,
      `Expires: ${expires}`,
      ...extra,
    ]);
  }

  private respond(req: SipRequest, status: number, body: string, toTag?: string, reason?: string): void {
    const text = reason ?? (status === 200 ? "OK" : status === 180 ? "Ringing" : "Error");
    this.transmit(this.raw(responseLines(req, status, text, this.contact, toTag), body));
  }
}
