/**
 * A scripted SIP phone on loopback of either family (127.0.0.1 or ::1), for the e2e tests of the
 * media address each leg is told (issue 23): it registers and calls with MD5 digest computed here
 * (node:crypto, independently of Parley's auth code), answers an INVITE with 200 and its SDP, keeps
 * the SDP Parley sent it, and has an RTP socket of its own that sends G.711 packets to where that
 * SDP says and counts what it receives.
 */
import { createHash, randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { parseMessage } from "../../src/sip/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/types.js";

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");
const hex = (n: number): string => randomBytes(n).toString("hex");

/** The c= address and m=audio port of an SDP body. */
export function sdpTarget(body: string): { family: string; address: string; port: number } | undefined {
  const c = /^c=IN (IP[46]) (\S+)/m.exec(body);
  const m = /^m=audio (\d+)/m.exec(body);
  if (c === null || m === null) return undefined;
  return { family: c[1], address: c[2], port: Number(m[1]) };
}

export class FamilyPhone {
  /** RTP packets received on its media socket. */
  rtpIn = 0;
  /** The SDP body Parley sent it: the offer of an INVITE it answered, or the answer to its own. */
  sdpFromParley: string | undefined;
  private readonly inbox: SipMessage[] = [];
  private waiters: Array<() => void> = [];
  private dialog: { callId: string; from: string; to: string; target: string; cseq: number } | undefined;
  private sending: NodeJS.Timeout | undefined;

  private constructor(
    private readonly sip: Socket,
    private readonly rtp: Socket,
    readonly host: string,
    readonly user: string,
    private readonly server: number,
  ) {
    sip.on("message", (data) => this.onSip(data));
    rtp.on("message", (data) => {
      if (data.length >= 12) this.rtpIn++;
    });
  }

  static async open(host: "127.0.0.1" | "::1", user: string, serverPort: number): Promise<FamilyPhone> {
    const type = host === "::1" ? "udp6" : "udp4";
    const bind = async (): Promise<Socket> => {
      const s = createSocket(type);
      await new Promise<void>((resolve) => s.bind(0, host, resolve));
      return s;
    };
    return new FamilyPhone(await bind(), await bind(), host, user, serverPort);
  }

  private get uriHost(): string {
    return this.host.includes(":") ? `[${this.host}]` : this.host;
  }

  private get port(): number {
    return this.sip.address().port;
  }

  private get contact(): string {
    return `<sip:${this.user}@${this.uriHost}:${this.port}>`;
  }

  private sdp(): string {
    const family = this.host.includes(":") ? "IP6" : "IP4";
    const port = this.rtp.address().port;
    return `v=0\r\no=${this.user} 1 1 IN ${family} ${this.host}\r\ns=-\r\nc=IN ${family} ${this.host}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`;
  }

  private transmit(lines: string[], body = ""): void {
    const all = [...lines];
    if (body !== "") all.push("Content-Type: application/sdp");
    all.push(`Content-Length: ${Buffer.byteLength(body)}`, "", body);
    this.sip.send(Buffer.from(all.join("\r\n")), this.server, this.host);
  }

  private onSip(data: Buffer): void {
    const r = parseMessage(data);
    if (!r.ok) return;
    const m = r.message;
    if (m.kind === "request") this.onRequest(m);
    this.inbox.push(m);
    for (const w of this.waiters.splice(0)) w();
  }

  private onRequest(req: SipRequest): void {
    if (req.method === "ACK") return;
    const tag = `${this.user}t`;
    const to = req.get("to") ?? "";
    const answer = req.method === "INVITE" && req.to?.tag === undefined;
    if (answer) {
      this.sdpFromParley = req.body.toString();
      this.dialog = {
        callId: req.callId ?? "",
        from: `${to};tag=${tag}`,
        to: req.get("from") ?? "",
        target: /<([^>]+)>/.exec(req.get("contact") ?? "")?.[1] ?? "",
        cseq: 1,
      };
    }
    this.transmit(
      [
        "SIP/2.0 200 OK",
        ...req.getAll("via").map((v) => `Via: ${v}`),
        `From: ${req.get("from")}`,
        `To: ${to.includes("tag=") ? to : `${to};tag=${tag}`}`,
        `Call-ID: ${req.callId}`,
        `CSeq: ${req.get("cseq")}`,
        `Contact: ${this.contact}`,
      ],
      answer ? this.sdp() : "",
    );
  }

  /** The first message matching `test` (received before or after the call), within `timeoutMs`. */
  async waitFor<T extends SipMessage>(test: (m: SipMessage) => m is T, timeoutMs = 15000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.inbox.find(test);
      if (hit !== undefined) {
        this.inbox.splice(this.inbox.indexOf(hit), 1);
        return hit;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.user}@${this.host}: timed out waiting for a SIP message`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends a request (resent every 500 ms until a final response) and resolves with that response. */
  private async request(method: string, uri: string, headers: string[], callId: string, body = "") {
    const branch = `z9hG4bK${hex(6)}`;
    const send = () =>
      this.transmit(
        [
          `${method} ${uri} SIP/2.0`,
          `Via: SIP/2.0/UDP ${this.uriHost}:${this.port};branch=${branch};rport`,
          "Max-Forwards: 70",
          `Call-ID: ${callId}`,
          ...headers,
        ],
        body,
      );
    send();
    const timer = setInterval(send, 500);
    try {
      return await this.waitFor(
        (m): m is SipResponse => m.kind === "response" && m.vias[0]?.branch === branch && m.status >= 200,
      );
    } finally {
      clearInterval(timer);
    }
  }

  private authorization(challenge: string, method: string, uri: string): string {
    const param = (n: string) => new RegExp(`${n}="?([^",]+)"?`, "i").exec(challenge)?.[1] ?? "";
    const realm = param("realm");
    const nonce = param("nonce");
    const cnonce = hex(4);
    const ha1 = md5(`${this.user}:${realm}:${this.user}`);
    const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
    return `Digest username="${this.user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
  }

  /** REGISTER, answering the 401 with credentials (password = user name, the preset users'). */
  async register(): Promise<number> {
    const uri = `sip:${this.uriHost}:${this.server}`;
    const callId = `${hex(8)}@reg`;
    const headers = (seq: number) => [
      `From: <sip:${this.user}@${this.uriHost}>;tag=${hex(4)}`,
      `To: <sip:${this.user}@${this.uriHost}>`,
      `CSeq: ${seq} REGISTER`,
      `Contact: ${this.contact}`,
      "Expires: 300",
    ];
    let res = await this.request("REGISTER", uri, headers(1), callId);
    if (res.status === 401) {
      const auth = this.authorization(res.get("www-authenticate") ?? "", "REGISTER", uri);
      res = await this.request("REGISTER", uri, [...headers(2), `Authorization: ${auth}`], callId);
    }
    return res.status;
  }

  /** Calls `number` (407 answered with credentials), ACKs the 200 and keeps its SDP. */
  async call(number: string): Promise<void> {
    const uri = `sip:${number}@${this.uriHost}:${this.server}`;
    const callId = `${hex(8)}@call`;
    const from = `<sip:${this.user}@${this.uriHost}>;tag=${hex(4)}`;
    const headers = (seq: number) => [
      `From: ${from}`,
      `To: <sip:${number}@${this.uriHost}>`,
      `CSeq: ${seq} INVITE`,
      `Contact: ${this.contact}`,
    ];
    let res = await this.request("INVITE", uri, headers(1), callId, this.sdp());
    let seq = 1;
    if (res.status === 407) {
      this.ack(uri, callId, from, res, 1, res.vias[0]?.branch ?? "");
      seq = 2;
      const auth = this.authorization(res.get("proxy-authenticate") ?? "", "INVITE", uri);
      res = await this.request(
        "INVITE",
        uri,
        [...headers(2), `Proxy-Authorization: ${auth}`],
        callId,
        this.sdp(),
      );
    }
    if (res.status !== 200) throw new Error(`call to ${number}: ${res.status} ${res.reason}`);
    const target = /<([^>]+)>/.exec(res.get("contact") ?? "")?.[1] ?? uri;
    this.ack(target, callId, from, res, seq, `z9hG4bK${hex(6)}`);
    this.sdpFromParley = res.body.toString();
    this.dialog = { callId, from, to: res.get("to") ?? "", target, cseq: seq };
  }

  private ack(
    uri: string,
    callId: string,
    from: string,
    res: SipResponse,
    seq: number,
    branch: string,
  ): void {
    this.transmit([
      `ACK ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.uriHost}:${this.port};branch=${branch};rport`,
      "Max-Forwards: 70",
      `From: ${from}`,
      `To: ${res.get("to")}`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} ACK`,
    ]);
  }

  /** Sends a G.711 packet every 20 ms to where Parley's SDP told it, until stopped. */
  startRtp(): void {
    const target = sdpTarget(this.sdpFromParley ?? "");
    if (target === undefined) throw new Error(`${this.user}: no SDP from Parley to send RTP to`);
    let seq = 0;
    const packet = Buffer.alloc(172, 0xff);
    packet[0] = 0x80;
    packet.writeUInt32BE(0x1000 + Number(this.user), 8);
    this.sending = setInterval(() => {
      packet.writeUInt16BE(seq & 0xffff, 2);
      packet.writeUInt32BE(seq * 160, 4);
      seq++;
      this.rtp.send(packet, target.port, target.address);
    }, 20);
  }

  stopRtp(): void {
    clearInterval(this.sending);
  }

  /** Resolves once `count` RTP packets came in (false after `timeoutMs`). */
  async rtpReceived(count: number, timeoutMs = 10000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.rtpIn < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.rtpIn >= count;
  }

  /** BYE on the call it made or answered. */
  async bye(): Promise<number | undefined> {
    const d = this.dialog;
    if (d === undefined) return undefined;
    d.cseq++;
    const res = await this.request(
      "BYE",
      d.target,
      [`From: ${d.from}`, `To: ${d.to}`, `CSeq: ${d.cseq} BYE`],
      d.callId,
    );
    this.dialog = undefined;
    return res.status;
  }

  close(): void {
    this.stopRtp();
    this.sip.close();
    this.rtp.close();
  }
}
