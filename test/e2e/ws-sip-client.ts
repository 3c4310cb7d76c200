/**
 * A small SIP over WebSocket client (RFC 7118) for end-to-end tests, written the way browser SIP
 * stacks (JsSIP, SIP.js) behave: a `<random>.invalid` host in Via and Contact, `transport=ws`,
 * every message over its one WebSocket. Digest responses are computed here with node:crypto,
 * independently of Parley's auth code.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ClientOptions } from "ws";
import { parseMessage } from "../../src/sip/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/types.js";
import { WsPeer } from "../transport/ws-helpers.js";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const hex = (n: number) => randomBytes(n).toString("hex");

function param(challenge: string, name: string): string | undefined {
  return new RegExp(`${name}="?([^",]+)"?`, "i").exec(challenge)?.[1];
}

export class WsSipClient {
  /** The client's made-up host (RFC 7118 5: it has no reachable address of its own). */
  readonly host = `${hex(6)}.invalid`;
  private readonly callId = `${hex(8)}@${this.host}`;
  private cseq = 1;
  private readonly tag = hex(4);

  private constructor(
    readonly peer: WsPeer,
    private readonly transport: "ws" | "wss",
  ) {}

  static async connect(url: string, options: ClientOptions = {}): Promise<WsSipClient> {
    const peer = await WsPeer.connect(url, ["sip"], options);
    return new WsSipClient(peer, url.startsWith("wss:") ? "wss" : "ws");
  }

  /** The next SIP message received (fails after the deadline). */
  async next(timeoutMs = 5_000): Promise<SipMessage> {
    const frame = await this.peer.inbox.next(timeoutMs);
    const parsed = parseMessage(Buffer.from(frame.text, "utf8"));
    if (!parsed.ok) throw new Error(`unparseable message from Parley: ${parsed.error.reason}\n${frame.text}`);
    return parsed.message;
  }

  /** The next request of `method`, skipping anything else. */
  async nextRequest(method: string, timeoutMs = 5_000): Promise<SipRequest> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()));
      if (m.kind === "request" && m.method === method) return m;
    }
  }

  /** REGISTER `user`, answering a 401 with MD5 digest credentials; resolves with the final response. */
  async register(user: string, password: string, domain: string, expires = 600): Promise<SipResponse> {
    const build = (auth?: string) =>
      [
        `REGISTER sip:${domain} SIP/2.0`,
        `Via: SIP/2.0/${this.transport.toUpperCase()} ${this.host};branch=z9hG4bK${hex(6)}`,
        "Max-Forwards: 70",
        `From: <sip:${user}@${domain}>;tag=${this.tag}`,
        `To: <sip:${user}@${domain}>`,
        `Call-ID: ${this.callId}`,
        `CSeq: ${this.cseq++} REGISTER`,
        `Contact: <sip:${user}@${this.host};transport=${this.transport}>;expires=${expires}`,
        ...(auth ? [`Authorization: ${auth}`] : []),
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
    this.peer.send(build());
    const first = await this.finalResponse();
    if (first.status !== 401) return first;
    const challenge = first.getAll("www-authenticate").find((c) => /algorithm=MD5\b/i.test(c));
    if (challenge === undefined) throw new Error(`no MD5 challenge:\n${first.serialize().toString()}`);
    const realm = param(challenge, "realm")!;
    const nonce = param(challenge, "nonce")!;
    const uri = `sip:${domain}`;
    const cnonce = hex(4);
    const nc = "00000001";
    const response = md5(
      `${md5(`${user}:${realm}:${password}`)}:${nonce}:${nc}:${cnonce}:auth:${md5(`REGISTER:${uri}`)}`,
    );
    this.peer.send(
      build(
        `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`,
      ),
    );
    return this.finalResponse();
  }

  /** Answer `request` with `status`; a 2xx to an INVITE carries `body` (SDP) and a Contact. */
  respond(request: SipRequest, status: number, reason: string, body = ""): void {
    const to = request.get("to") ?? "";
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      ...request.getAll("via").map((v) => `Via: ${v}`),
      `From: ${request.get("from")}`,
      `To: ${/;tag=/.test(to) || status === 100 ? to : `${to};tag=${this.tag}`}`,
      `Call-ID: ${request.callId}`,
      `CSeq: ${request.get("cseq")}`,
      ...(request.method === "INVITE" && status < 300
        ? [`Contact: <sip:ws@${this.host};transport=${this.transport}>`]
        : []),
      ...(body ? ["Content-Type: application/sdp"] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ];
    this.peer.send(lines.join("\r\n"));
  }

  close(): void {
    this.peer.ws.close();
  }

  /**
   * INVITE `target` as `user` with `sdp`, answering a 407 with MD5 digest credentials (RFC 3261
   * 22.3); resolves with the final response and what the ACK and BYE need.
   */
  async invite(
    target: string,
    user: string,
    password: string,
    domain: string,
    sdp: string,
  ): Promise<{ response: SipResponse; ack(): void; bye(): void }> {
    const callId = `${hex(8)}@${this.host}`;
    const tag = hex(4);
    const uri = `sip:${target}@${domain}`;
    let cseq = 1;
    const common = (method: string, n: number, to = `<${uri}>`) => [
      `Via: SIP/2.0/${this.transport.toUpperCase()} ${this.host};branch=z9hG4bK${hex(6)}`,
      "Max-Forwards: 70",
      `From: <sip:${user}@${domain}>;tag=${tag}`,
      `To: ${to}`,
      `Call-ID: ${callId}`,
      `CSeq: ${n} ${method}`,
    ];
    const build = (auth?: string) =>
      [
        `INVITE ${uri} SIP/2.0`,
        ...common("INVITE", cseq),
        `Contact: <sip:${user}@${this.host};transport=${this.transport}>`,
        ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
        "Content-Type: application/sdp",
        `Content-Length: ${Buffer.byteLength(sdp)}`,
        "",
        sdp,
      ].join("\r\n");
    this.peer.send(build());
    let response = await this.finalResponse();
    if (response.status === 407) {
      // RFC 3261 17.1.1.3: the client transaction ACKs a non-2xx final response itself.
      this.peer.send(
        [`ACK ${uri} SIP/2.0`, ...common("ACK", cseq, response.get("to")), "Content-Length: 0", "", ""].join(
          "\r\n",
        ),
      );
      const challenge = response.getAll("proxy-authenticate").find((c) => /algorithm=MD5\b/i.test(c))!;
      const realm = param(challenge, "realm")!;
      const nonce = param(challenge, "nonce")!;
      const cnonce = hex(4);
      const nc = "00000001";
      const digest = md5(
        `${md5(`${user}:${realm}:${password}`)}:${nonce}:${nc}:${cnonce}:auth:${md5(`INVITE:${uri}`)}`,
      );
      cseq++;
      this.peer.send(
        build(
          `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${digest}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`,
        ),
      );
      response = await this.finalResponse();
    }
    const to = response.get("to") ?? "";
    const remote = /<([^>]+)>/.exec(response.get("contact") ?? "")?.[1] ?? uri;
    const inDialog = (method: string, n: number) =>
      [`${method} ${remote} SIP/2.0`, ...common(method, n, to), "Content-Length: 0", "", ""].join("\r\n");
    const answered = cseq;
    return {
      response,
      ack: () => this.peer.send(inDialog("ACK", answered)),
      bye: () => this.peer.send(inDialog("BYE", answered + 1)),
    };
  }

  private async finalResponse(): Promise<SipResponse> {
    for (;;) {
      const m = await this.next();
      if (m.kind === "response" && m.status >= 200) return m;
    }
  }
}

/** A plain RTP answer (PCMU) for an INVITE, from a port nobody listens on. */
export const ANSWER_SDP = [
  "v=0",
  "o=ws 1 1 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 40000 RTP/AVP 0",
  "a=rtpmap:0 PCMU/8000",
  "",
].join("\r\n");
