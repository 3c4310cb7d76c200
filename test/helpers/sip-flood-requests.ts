/**
 * The requests of the SIP flooder (sip-flood.ts): an INVITE and a REGISTER shaped like a desk
 * phone's first attempt, without credentials, so every one costs Parley a challenge (RFC 3261
 * 22.2, 22.3) or, under overload, a 503. Each is new: its own Call-ID, Via branch and From tag,
 * CSeq 1 (RFC 3261 8.1.1). Sizes are a real phone's: ~800 bytes for the INVITE with its G.711 +
 * telephone-event offer (RFC 3264, RFC 4733), ~500 for the REGISTER; a flood of tiny requests
 * would flatter the amplification ratio (bytes out / bytes in).
 */

export type FloodKind = "INVITE" | "REGISTER";

/** What one request is built from; `seq` and `tag` make its identifiers unique. */
export interface RequestParts {
  readonly kind: FloodKind;
  /** Request-URI user of an INVITE; the address-of-record's user of a REGISTER. */
  readonly user: string;
  /** The caller (From) of an INVITE. */
  readonly fromUser: string;
  readonly domain: string;
  /** This socket's address and port, for Via and Contact (RFC 3261 18.1.1, 8.1.1.8). */
  readonly localAddress: string;
  readonly localPort: number;
  /** A run-wide random tag, so two floods' Call-IDs never meet. */
  readonly tag: string;
  readonly seq: number;
}

/** The Call-ID of request `seq` of run `tag`: `<seq>.<tag>@flood`, so an answer maps back to it. */
export function floodCallId(seq: number, tag: string): string {
  return `${seq}.${tag}@flood`;
}

/** Reads back the request number from a Call-ID value, or -1 when it is not this run's. */
export function seqOfCallId(callId: string, tag: string): number {
  const dot = callId.indexOf(".");
  if (dot <= 0 || callId.slice(dot + 1) !== `${tag}@flood`) return -1;
  const n = Number(callId.slice(0, dot));
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

const ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, SUBSCRIBE, NOTIFY, PRACK, UPDATE, REFER";
const USER_AGENT = "Yealink SIP-T46S 66.86.0.15";

/** `host` as it goes in a SIP URI or Via (RFC 3261 25.1: IPv6 references in brackets). */
function hostPart(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

/** The SDP offer of a phone: PCMU, PCMA and telephone-event, 20 ms (RFC 4566, RFC 3551). */
function sdpOffer(p: RequestParts): string {
  const ipv = p.localAddress.includes(":") ? "IP6" : "IP4";
  const session = 100000 + (p.seq % 900000);
  const rtpPort = 10000 + 2 * (p.seq % 10000);
  return [
    "v=0",
    `o=- ${session} ${session} IN ${ipv} ${p.localAddress}`,
    "s=SDP data",
    `c=IN ${ipv} ${p.localAddress}`,
    "t=0 0",
    `m=audio ${rtpPort} RTP/AVP 0 8 101`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    "a=ptime:20",
    "a=sendrecv",
    "",
  ].join("\r\n");
}

/** One request, ready to send. */
export function buildRequest(p: RequestParts): Buffer {
  const host = hostPart(p.localAddress);
  const via = `Via: SIP/2.0/UDP ${host}:${p.localPort};branch=z9hG4bK${p.tag}x${p.seq};rport`;
  const callId = `Call-ID: ${floodCallId(p.seq, p.tag)}`;
  const fromTag = `${p.tag.slice(0, 4)}${p.seq.toString(36)}`;
  if (p.kind === "REGISTER") {
    return Buffer.from(
      [
        `REGISTER sip:${p.domain} SIP/2.0`,
        via,
        "Max-Forwards: 70",
        `From: "${p.user}" <sip:${p.user}@${p.domain}>;tag=${fromTag}`,
        `To: "${p.user}" <sip:${p.user}@${p.domain}>`,
        callId,
        "CSeq: 1 REGISTER",
        `Contact: <sip:${p.user}@${host}:${p.localPort};transport=udp>;expires=3600`,
        "Expires: 3600",
        `Allow: ${ALLOW}`,
        "Supported: path, replaces",
        `User-Agent: ${USER_AGENT}`,
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n"),
      "latin1",
    );
  }
  const sdp = sdpOffer(p);
  return Buffer.from(
    [
      `INVITE sip:${p.user}@${p.domain} SIP/2.0`,
      via,
      "Max-Forwards: 70",
      `From: "${p.fromUser}" <sip:${p.fromUser}@${p.domain}>;tag=${fromTag}`,
      `To: <sip:${p.user}@${p.domain}>`,
      callId,
      "CSeq: 1 INVITE",
      `Contact: <sip:${p.fromUser}@${host}:${p.localPort};transport=udp>`,
      "Content-Type: application/sdp",
      `Allow: ${ALLOW}`,
      "Allow-Events: talk, hold, conference, refer, check-sync",
      "Supported: replaces, timer",
      `User-Agent: ${USER_AGENT}`,
      `Content-Length: ${Buffer.byteLength(sdp, "latin1")}`,
      "",
      sdp,
    ].join("\r\n"),
    "latin1",
  );
}
