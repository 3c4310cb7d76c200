/**
 * What the scripted UDP phones of the tests share (scripted-phone.ts, tenant-phone.ts): MD5
 * digest credentials computed here with node:crypto (independently of Parley's auth code), a SIP
 * message from its lines, and one client transaction over UDP, retransmitted as RFC 3261
 * 17.1.2.2 asks.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Socket } from "node:dgram";
import { parseMessage } from "../../src/sip/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";

export const md5 = (s: string): string => createHash("md5").update(s).digest("hex");
export const hex = (n: number): string => randomBytes(n).toString("hex");

/** The Authorization value (qop=auth, MD5) answering a 401/407 `challenge` to `method` `uri`. */
export function digestAuthorization(
  user: string,
  password: string,
  challenge: string,
  method: string,
  uri: string,
): string {
  const param = (n: string) => new RegExp(`${n}="?([^",]+)"?`, "i").exec(challenge)?.[1] ?? "";
  const realm = param("realm");
  const nonce = param("nonce");
  const cnonce = hex(4);
  const ha1 = md5(`${user}:${realm}:${password}`);
  const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
}

/** A SIP message of `lines`, with Content-Type (when there is a body) and Content-Length. */
export function sipMessage(lines: string[], body = "", contentType = "application/sdp"): Buffer {
  const all = [...lines];
  if (body !== "") all.push(`Content-Type: ${contentType}`);
  all.push(`Content-Length: ${Buffer.byteLength(body)}`, "", body);
  return Buffer.from(all.join("\r\n"));
}

/**
 * One client transaction over UDP on `sock`: the request `build` makes for a new branch is sent
 * with `send` and retransmitted (RFC 3261 17.1.2.2) until its final response, which it resolves
 * with; rejects after the last retransmission goes unanswered.
 */
export function udpTransaction(
  sock: Socket,
  method: string,
  callId: string,
  build: (branch: string) => Buffer,
  send: (data: Buffer) => void,
): Promise<SipResponse> {
  const branch = `z9hG4bK${hex(6)}`;
  const data = build(branch);
  return new Promise((resolve, reject) => {
    let wait = 500;
    let timer = setTimeout(function retry(this: void) {
      wait *= 2;
      if (wait > 8000) {
        off();
        reject(new Error(`no final response to ${method}`));
        return;
      }
      send(data);
      timer = setTimeout(retry, wait);
    }, wait);
    const onData = (msg: Buffer): void => {
      const r = parseMessage(msg);
      if (!r.ok || r.message.kind !== "response") return;
      const res = r.message;
      if (res.callId !== callId || res.vias[0]?.branch !== branch || res.status < 200) return;
      off();
      resolve(res);
    };
    const off = (): void => {
      clearTimeout(timer);
      sock.off("message", onData);
    };
    sock.on("message", onData);
    send(data);
  });
}

/** What a phone keeps of a dialog to send requests within it. */
export interface DialogIds {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  readonly remoteTarget: string;
}

/** The dialog a new INVITE `req` sets up on the phone answering it with To tag `tag`. */
export function dialogOfInvite(req: SipRequest, tag: string): DialogIds & { cseq: number } {
  return {
    callId: req.callId ?? "",
    localTag: tag,
    remoteTag: req.from?.tag ?? "",
    localUri: `<${req.to?.uri.raw ?? ""}>`,
    remoteUri: `<${req.from?.uri.raw ?? ""}>`,
    remoteTarget: /<([^>]+)>/.exec(req.get("contact") ?? "")?.[1] ?? "",
    cseq: 100,
  };
}

/** The lines of `method` number `seq` within `dialog`, from 127.0.0.1:`localPort` on `branch`. */
export function inDialogLines(
  dialog: DialogIds,
  method: string,
  seq: number,
  branch: string,
  localPort: number,
  contact: string,
  headers: readonly string[],
): string[] {
  return [
    `${method} ${dialog.remoteTarget} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport`,
    "Max-Forwards: 70",
    `From: ${dialog.localUri};tag=${dialog.localTag}`,
    `To: ${dialog.remoteUri};tag=${dialog.remoteTag}`,
    `Call-ID: ${dialog.callId}`,
    `CSeq: ${seq} ${method}`,
    `Contact: ${contact}`,
    ...headers,
  ];
}

/** The lines of a response `status reason` to `req`, its To tagged `toTag` unless already tagged. */
export function responseLines(
  req: SipRequest,
  status: number,
  reason: string,
  contact: string,
  toTag?: string,
): string[] {
  const to = req.get("to") ?? "";
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...req.getAll("via").map((v) => `Via: ${v}`),
    `From: ${req.get("from")}`,
    `To: ${toTag === undefined || to.includes("tag=") ? to : `${to};tag=${toTag}`}`,
    `Call-ID: ${req.callId}`,
    `CSeq: ${req.get("cseq")}`,
    `Contact: ${contact}`,
  ];
}
