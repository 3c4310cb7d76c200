/**
 * A scripted SIP phone of one tenant's user (issue 21) on a real UDP socket: every request names
 * the tenant's SIP domain (Request-URI and To/From), goes to 127.0.0.1:`port` (the tenant's own
 * port or the shared one) and authenticates with the user's own password (MD5 digest computed
 * here with node:crypto, independently of Parley's code). It answers what it receives: a new
 * INVITE with 200 and SDP (or the status it was told to refuse with), NOTIFY and BYE with 200, and
 * keeps every request, so a test can tell which phones were reached and what their lamps showed.
 */
import { createSocket, type Socket } from "node:dgram";
import { parseMessage } from "../../src/sip/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";
import {
  type DialogIds,
  dialogOfInvite,
  digestAuthorization,
  hex,
  inDialogLines,
  responseLines,
  sipMessage,
  udpTransaction,
} from "./sip-phone-common.js";

export interface TenantPhoneOptions {
  readonly user: string;
  readonly password: string;
  /** The tenant's SIP domain (e.g. "a.test"). */
  readonly domain: string;
  /** Where its requests go: 127.0.0.1:`port`. */
  readonly port: number;
  /** New calls are refused with this status instead of answered 200. */
  readonly refuse?: number;
  /** New calls ring (180) and are never answered; a CANCEL ends them (487). */
  readonly ringOnly?: boolean;
}

export interface Dialog extends DialogIds {
  cseq: number;
}

const REASONS: Record<number, string> = { 180: "Ringing", 200: "OK", 487: "Request Terminated" };

export class TenantPhone {
  /** Every request received (retransmissions once), in order. */
  readonly received: SipRequest[] = [];
  readonly dialogs: Dialog[] = [];

  private constructor(
    private readonly sock: Socket,
    readonly localPort: number,
    readonly o: TenantPhoneOptions,
  ) {
    sock.on("message", (data, from) => this.onMessage(data, from.port));
  }

  static async open(o: TenantPhoneOptions): Promise<TenantPhone> {
    const sock = createSocket("udp4");
    await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
    return new TenantPhone(sock, sock.address().port, o);
  }

  close(): void {
    this.sock.close();
  }

  private get aor(): string {
    return `sip:${this.o.user}@${this.o.domain}`;
  }

  private get contact(): string {
    return `<sip:${this.o.user}@127.0.0.1:${this.localPort}>`;
  }

  /** The requests of `method` received so far. */
  requests(method: string): SipRequest[] {
    return this.received.filter((m) => m.method === method);
  }

  /** REGISTER this phone's contact (Expires `expires`; 0 removes it). */
  register(expires = 300): Promise<SipResponse> {
    return this.outOfDialog("REGISTER", `sip:${this.o.domain}`, this.o.user, [
      `Contact: ${this.contact}`,
      `Expires: ${expires}`,
    ]);
  }

  /** SUBSCRIBE to `resource`'s `event` package (dialog, presence, message-summary). */
  subscribe(resource: string, event: string, expires = 600, domain = this.o.domain): Promise<SipResponse> {
    return this.outOfDialog("SUBSCRIBE", `sip:${resource}@${domain}`, resource, [
      `Contact: ${this.contact}`,
      `Event: ${event}`,
      `Expires: ${expires}`,
      ...(event === "message-summary" ? ["Accept: application/simple-message-summary"] : []),
      ...(event === "dialog" ? ["Accept: application/dialog-info+xml"] : []),
    ]);
  }

  /** A pager-mode MESSAGE (RFC 3428) of `text` to `number` (at `domain`, the tenant's by default). */
  message(number: string, text: string, domain = this.o.domain): Promise<SipResponse> {
    return this.outOfDialog(
      "MESSAGE",
      `sip:${number}@${domain}`,
      number,
      [],
      text,
      "text/plain;charset=UTF-8",
    );
  }

  /**
   * INVITE `number` (at `domain`, the tenant's by default) with an SDP offer of `rtpPort`;
   * resolves with the final response (a 2xx is ACKed and its dialog kept).
   */
  async call(
    number: string,
    options: { domain?: string; rtpPort?: number } = {},
  ): Promise<{ response: SipResponse; dialog?: Dialog }> {
    const uri = `sip:${number}@${options.domain ?? this.o.domain}`;
    const sdp = this.sdp(options.rtpPort ?? this.localPort + 2);
    const response = await this.outOfDialog("INVITE", uri, number, [`Contact: ${this.contact}`], sdp);
    if (response.status >= 300) return { response };
    const contact = /<([^>]+)>/.exec(response.get("contact") ?? "")?.[1] ?? uri;
    const dialog: Dialog = {
      callId: response.callId ?? "",
      localTag: response.from?.tag ?? "",
      remoteTag: response.to?.tag ?? "",
      localUri: `<${this.aor}>`,
      remoteUri: `<${uri}>`,
      remoteTarget: contact,
      cseq: Number.parseInt(response.get("cseq") ?? "1", 10),
    };
    this.send(
      this.raw([
        `ACK ${contact} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${this.localPort};branch=z9hG4bK${hex(6)};rport`,
        "Max-Forwards: 70",
        `From: ${dialog.localUri};tag=${dialog.localTag}`,
        `To: ${response.get("to")}`,
        `Call-ID: ${dialog.callId}`,
        `CSeq: ${dialog.cseq} ACK`,
      ]),
    );
    this.dialogs.push(dialog);
    return { response, dialog };
  }

  /** BYE (or another request, with `headers`) within `dialog`; resolves with its final response. */
  inDialog(dialog: Dialog, method = "BYE", headers: readonly string[] = []): Promise<SipResponse> {
    const seq = ++dialog.cseq;
    return this.transaction(method, dialog.callId, (branch) =>
      this.raw(inDialogLines(dialog, method, seq, branch, this.localPort, this.contact, headers)),
    );
  }

  /** The first request matching `test` (already received, or within `ms`). */
  async waitFor(test: (m: SipRequest) => boolean, ms = 10_000): Promise<SipRequest> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.received.find(test);
      if (hit !== undefined) return hit;
      if (Date.now() > end) throw new Error(`${this.aor}: timed out waiting for a request`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The bodies of the NOTIFYs of `event` received so far. */
  notifies(event: string): string[] {
    return this.requests("NOTIFY")
      .filter((m) => (m.get("event") ?? "").startsWith(event))
      .map((m) => m.body.toString());
  }

  private sdp(rtpPort: number): string {
    return `v=0\r\no=${this.o.user} 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtpPort} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`;
  }

  /** A request outside a dialog, sent again with credentials when challenged (401 or 407). */
  private async outOfDialog(
    method: string,
    uri: string,
    toUser: string,
    headers: string[],
    body = "",
    contentType?: string,
  ): Promise<SipResponse> {
    const callId = `${hex(8)}@tenant-phone`;
    const fromTag = hex(4);
    const toUri = method === "REGISTER" ? this.aor : uri.replace(/^sip:[^@]+@/, `sip:${toUser}@`);
    let cseq = 0;
    const build = (auth: readonly string[]) => {
      const seq = ++cseq;
      return (branch: string) =>
        this.raw(
          [
            `${method} ${uri} SIP/2.0`,
            `Via: SIP/2.0/UDP 127.0.0.1:${this.localPort};branch=${branch};rport`,
            "Max-Forwards: 70",
            `From: <${this.aor}>;tag=${fromTag}`,
            `To: <${toUri}>`,
            `Call-ID: ${callId}`,
            `CSeq: ${seq} ${method}`,
            ...headers,
            ...auth,
          ],
          body,
          contentType,
        );
    };
    const first = await this.transaction(method, callId, build([]));
    if (first.status !== 401 && first.status !== 407) return first;
    if (method === "INVITE") this.ackFailure(uri, first, cseq);
    const header = first.status === 401 ? "www-authenticate" : "proxy-authenticate";
    const answer = first.status === 401 ? "Authorization" : "Proxy-Authorization";
    const auth = `${answer}: ${this.digest(first.get(header) ?? "", method, uri)}`;
    const second = await this.transaction(method, callId, build([auth]));
    if (method === "INVITE" && second.status >= 300) this.ackFailure(uri, second, cseq);
    return second;
  }

  /** RFC 3261 17.1.1.3: the ACK of a failure reuses the INVITE's branch. */
  private ackFailure(uri: string, res: SipResponse, seq: number): void {
    this.send(
      this.raw([
        `ACK ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${this.localPort};branch=${res.vias[0]?.branch ?? ""};rport`,
        "Max-Forwards: 70",
        `From: ${res.get("from")}`,
        `To: ${res.get("to")}`,
        `Call-ID: ${res.callId}`,
        `CSeq: ${seq} ACK`,
      ]),
    );
  }

  private digest(challenge: string, method: string, uri: string): string {
    return digestAuthorization(this.o.user, this.o.password, challenge, method, uri);
  }

  /** One client transaction over UDP: retransmitted (RFC 3261 17.1.2.2), the final response. */
  private transaction(
    method: string,
    callId: string,
    build: (branch: string) => Buffer,
  ): Promise<SipResponse> {
    return udpTransaction(this.sock, method, callId, build, (data) => this.send(data));
  }

  private raw(lines: string[], body = "", contentType = "application/sdp"): Buffer {
    return sipMessage(lines, body, contentType);
  }

  private send(data: Buffer, port = this.o.port): void {
    this.sock.send(data, port, "127.0.0.1");
  }

  /** A request received: answered to where it came from (RFC 3261 18.2.2 with rport). */
  private onMessage(data: Buffer, fromPort: number): void {
    const r = parseMessage(data);
    if (!r.ok || r.message.kind !== "request") return;
    const req = r.message;
    const again = this.received.some(
      (m) => m.vias[0]?.branch === req.vias[0]?.branch && m.method === req.method,
    );
    if (req.method === "INVITE" && req.to?.tag === undefined) {
      const tag = `${this.o.user}t`;
      if (this.o.refuse !== undefined) this.respond(fromPort, req, this.o.refuse, "", tag);
      else if (this.o.ringOnly === true) this.respond(fromPort, req, 180, "", tag);
      else this.respond(fromPort, req, 200, this.sdp(this.localPort + 2), tag);
      if (!again) this.dialogs.push(dialogOfInvite(req, tag));
    } else if (req.method === "INVITE") {
      // A re-INVITE (hold, music, a transfer): its offer answered with this phone's SDP.
      this.respond(fromPort, req, 200, this.sdp(this.localPort + 2));
    } else if (req.method === "CANCEL") {
      // RFC 3261 9.2: 200 to the CANCEL, then 487 to the INVITE it names (same branch).
      this.respond(fromPort, req, 200, "");
      const invite = this.received.find(
        (m) => m.method === "INVITE" && m.vias[0]?.branch === req.vias[0]?.branch,
      );
      if (invite !== undefined && !again) this.respond(fromPort, invite, 487, "", `${this.o.user}t`);
    } else if (req.method !== "ACK") this.respond(fromPort, req, 200, "");
    if (!again) this.received.push(req);
  }

  private respond(port: number, req: SipRequest, status: number, body: string, toTag?: string): void {
    const reason = REASONS[status] ?? "Refused";
    this.send(this.raw(responseLines(req, status, reason, this.contact, toTag), body), port);
  }
}
