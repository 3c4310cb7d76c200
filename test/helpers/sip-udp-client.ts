/**
 * A small SIP client over a real UDP socket for end-to-end tests that third-party tools cannot
 * script (several devices, chosen digest algorithms, chosen source addresses). It computes digest
 * responses with node:crypto directly, independently of Parley's auth code.
 */
import { createHash, randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { parseMessage } from "../../src/sip/index.js";
import type { SipResponse } from "../../src/sip/types.js";

export interface RegisterOptions {
  user: string;
  password: string;
  contactPort?: number;
  expires?: number;
  callId?: string;
  cseq?: number;
  algorithm?: "MD5" | "SHA-256";
  extraHeaders?: string[];
  contact?: string;
}

function h(alg: "MD5" | "SHA-256", s: string): string {
  return createHash(alg === "MD5" ? "md5" : "sha256")
    .update(s)
    .digest("hex");
}

function param(challenge: string, name: string): string | undefined {
  const m = new RegExp(`${name}="?([^",]+)"?`, "i").exec(challenge);
  return m?.[1];
}

export class SipUdpClient {
  private constructor(
    private readonly sock: Socket,
    readonly localPort: number,
    private readonly server: { host: string; port: number },
  ) {}

  static async open(serverPort: number, localAddress = "127.0.0.1"): Promise<SipUdpClient> {
    const sock = createSocket("udp4");
    await new Promise<void>((resolve) => sock.bind(0, localAddress, resolve));
    return new SipUdpClient(sock, sock.address().port, { host: "127.0.0.1", port: serverPort });
  }

  close(): void {
    this.sock.close();
  }

  /** Send raw text (LOCALPORT replaced) and wait for the final response to it. */
  send(text: string, timeoutMs = 3000): Promise<SipResponse> {
    const data = Buffer.from(text.replaceAll("LOCALPORT", String(this.localPort)));
    const callId = /Call-ID: ([^\r]+)/.exec(text)?.[1];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.sock.off("message", onMessage);
        reject(new Error(`no final response to:\n${text}`));
      }, timeoutMs);
      const onMessage = (msg: Buffer) => {
        const r = parseMessage(msg);
        if (!r.ok || r.message.kind !== "response" || r.message.callId !== callId || r.message.status < 200)
          return;
        clearTimeout(timer);
        this.sock.off("message", onMessage);
        resolve(r.message);
      };
      this.sock.on("message", onMessage);
      this.sock.send(data, this.server.port, this.server.host);
    });
  }

  /** REGISTER, answering a 401 with digest credentials. Returns the final response. */
  async register(o: RegisterOptions): Promise<SipResponse> {
    const callId = o.callId ?? `${randomBytes(8).toString("hex")}@test`;
    let cseq = o.cseq ?? 1;
    const contact = o.contact ?? `<sip:${o.user}@127.0.0.1:${o.contactPort ?? this.localPort}>`;
    const build = (auth?: string) =>
      [
        `REGISTER sip:127.0.0.1:${this.server.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:LOCALPORT;branch=z9hG4bK${randomBytes(6).toString("hex")};rport`,
        "Max-Forwards: 70",
        `From: <sip:${o.user}@127.0.0.1>;tag=${randomBytes(4).toString("hex")}`,
        `To: <sip:${o.user}@127.0.0.1>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq++} REGISTER`,
        `Contact: ${contact}`,
        ...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]),
        ...(auth ? [`Authorization: ${auth}`] : []),
        ...(o.extraHeaders ?? []),
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
    const first = await this.send(build());
    if (first.status !== 401) return first;
    const alg = o.algorithm ?? "MD5";
    const challenge = first
      .getAll("www-authenticate")
      .find((c) => new RegExp(`algorithm=${alg}\\b`, "i").test(c));
    if (!challenge) throw new Error(`no ${alg} challenge in:\n${first.serialize().toString()}`);
    const realm = param(challenge, "realm")!;
    const nonce = param(challenge, "nonce")!;
    const uri = `sip:127.0.0.1:${this.server.port}`;
    const cnonce = randomBytes(4).toString("hex");
    const nc = "00000001";
    const ha1 = h(alg, `${o.user}:${realm}:${o.password}`);
    const ha2 = h(alg, `REGISTER:${uri}`);
    const response = h(alg, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    const auth = `Digest username="${o.user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${alg}, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
    return this.send(build(auth));
  }
}

/** The Contact values of a REGISTER response. */
export function contactsOf(res: SipResponse): string[] {
  return res.getAll("contact");
}
