/**
 * The STUN Binding of an ICE-lite agent (RFC 8445 2.5, 7.3; RFC 5389): a connectivity check from
 * the browser is verified (USERNAME, MESSAGE-INTEGRITY with the local password, FINGERPRINT) and
 * answered with a success response naming the source it came from.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { isIPv4 } from "node:net";

const MAGIC_COOKIE = 0x2112a442;
const HEADER = 20;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const USERNAME = 0x0006;
const MESSAGE_INTEGRITY = 0x0008;
const XOR_MAPPED_ADDRESS = 0x0020;
const USE_CANDIDATE = 0x0025;
const FINGERPRINT = 0x8028;
const ICE_CONTROLLING = 0x802a;
/** RFC 5389 15.5: the CRC-32 is XOR-ed with this so STUN is told apart from other CRC users. */
const FINGERPRINT_XOR = 0x5354554e;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of ISO 3309 / ITU-T V.42 (the one zlib and RFC 1952 use; Node 20 has no zlib.crc32). */
export function crc32(data: Uint8Array, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface BindingRequest {
  readonly transactionId: Buffer;
  /** RFC 8445 7.1.2: the controlling agent nominates the pair it sends this on. */
  readonly useCandidate: boolean;
  /** RFC 8445 7.1.3: the sender says it is controlling (a browser facing ICE-lite always is). */
  readonly controlling: boolean;
}

/** RFC 7983: the first byte of a STUN message is 0..3; and RFC 5389 6 the magic cookie. */
export function isStun(packet: Buffer): boolean {
  return packet.length >= HEADER && packet[0] < 4 && packet.readUInt32BE(4) === MAGIC_COOKIE;
}

/**
 * A Binding request that passes every check, else undefined (dropped: see the NOTE below).
 * RFC 8445 7.3 / RFC 5389 10.1.2: USERNAME is "<local ufrag>:<remote ufrag>" and
 * MESSAGE-INTEGRITY is keyed with the LOCAL password. `remoteUfrag` is checked when known (the
 * browser's SDP may come after its first check).
 * NOTE: a request failing integrity is dropped, not answered with 401 (RFC 5389 10.1.2 says
 * reject): the browser holds our credentials from the SDP and never gets them wrong, so a
 * failing request is a scanner or a stale agent; a reply would only tell it that the port is a
 * live ICE agent and reflect traffic to an unverified source. The browser's own retransmissions
 * carry on regardless.
 */
export function readBindingRequest(
  packet: Buffer,
  localUfrag: string,
  localPwd: string,
  remoteUfrag: string | undefined,
): BindingRequest | undefined {
  if (!isStun(packet) || packet.readUInt16BE(0) !== BINDING_REQUEST) return undefined;
  const length = packet.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER + length !== packet.length) return undefined;
  let username: string | undefined;
  let integrityAt = -1;
  let fingerprintAt = -1;
  let useCandidate = false;
  let controlling = false;
  let at = HEADER;
  while (at + 4 <= packet.length) {
    const type = packet.readUInt16BE(at);
    const size = packet.readUInt16BE(at + 2);
    const value = at + 4;
    if (value + size > packet.length) return undefined;
    // RFC 5389 15.4: attributes after MESSAGE-INTEGRITY (but FINGERPRINT) are ignored.
    if (integrityAt < 0 || type === FINGERPRINT) {
      if (type === USERNAME) username = packet.toString("utf8", value, value + size);
      else if (type === MESSAGE_INTEGRITY && size === 20) integrityAt = at;
      else if (type === FINGERPRINT && size === 4) fingerprintAt = at;
      else if (type === USE_CANDIDATE) useCandidate = true;
      else if (type === ICE_CONTROLLING) controlling = true;
    }
    if (fingerprintAt >= 0) break;
    at = value + ((size + 3) & ~3);
  }
  // RFC 8445 7.2.2: a check carries FINGERPRINT, last (RFC 5389 15.5).
  if (fingerprintAt < 0 || fingerprintAt + 8 !== packet.length) return undefined;
  if ((crc32(packet, fingerprintAt) ^ FINGERPRINT_XOR) >>> 0 !== packet.readUInt32BE(fingerprintAt + 4))
    return undefined;
  if (username === undefined || integrityAt < 0) return undefined;
  const colon = username.indexOf(":");
  if (colon < 0 || username.slice(0, colon) !== localUfrag) return undefined;
  if (remoteUfrag !== undefined && username.slice(colon + 1) !== remoteUfrag) return undefined;
  if (
    !timingSafeEqual(
      integrity(packet, integrityAt, localPwd),
      packet.subarray(integrityAt + 4, integrityAt + 24),
    )
  ) {
    return undefined;
  }
  return { transactionId: Buffer.from(packet.subarray(8, 20)), useCandidate, controlling };
}

/**
 * RFC 5389 15.4: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the header's length
 * counting up to the end of MESSAGE-INTEGRITY (not a FINGERPRINT after it). Short-term
 * credentials: the key is the password itself (SASLprep of an ice-char string is the identity).
 */
function integrity(packet: Buffer, integrityAt: number, pwd: string): Buffer {
  const header = Buffer.from(packet.subarray(0, HEADER));
  header.writeUInt16BE(integrityAt + 24 - HEADER, 2);
  return createHmac("sha1", pwd).update(header).update(packet.subarray(HEADER, integrityAt)).digest();
}

/**
 * The success response (RFC 5389 7.3.1, RFC 8445 7.3.1.1): XOR-MAPPED-ADDRESS of the request's
 * source, MESSAGE-INTEGRITY with the local password, FINGERPRINT.
 */
export function bindingSuccess(
  request: BindingRequest,
  address: string,
  port: number,
  localPwd: string,
): Buffer {
  const plain = address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
  const v4 = isIPv4(plain);
  const mapped = Buffer.alloc(4 + (v4 ? 8 : 20));
  mapped.writeUInt16BE(XOR_MAPPED_ADDRESS, 0);
  mapped.writeUInt16BE(v4 ? 8 : 20, 2);
  // RFC 5389 15.2: family 1 (IPv4) or 2 (IPv6); the port XOR the cookie's top 16 bits, the
  // address XOR the cookie (and for IPv6 the transaction id too).
  mapped.writeUInt16BE(v4 ? 1 : 2, 4);
  mapped.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 6);
  const raw = v4 ? Buffer.from(plain.split(".").map(Number)) : ipv6Bytes(plain);
  const mask = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), request.transactionId]);
  for (let i = 0; i < raw.length; i++) mapped[8 + i] = raw[i] ^ mask[i];
  const message = Buffer.alloc(HEADER + mapped.length + 24 + 8);
  message.writeUInt16BE(BINDING_SUCCESS, 0);
  message.writeUInt32BE(MAGIC_COOKIE, 4);
  request.transactionId.copy(message, 8);
  mapped.copy(message, HEADER);
  const integrityAt = HEADER + mapped.length;
  message.writeUInt16BE(MESSAGE_INTEGRITY, integrityAt);
  message.writeUInt16BE(20, integrityAt + 2);
  integrity(message, integrityAt, localPwd).copy(message, integrityAt + 4);
  const fingerprintAt = integrityAt + 24;
  message.writeUInt16BE(message.length - HEADER, 2);
  message.writeUInt16BE(FINGERPRINT, fingerprintAt);
  message.writeUInt16BE(4, fingerprintAt + 2);
  message.writeUInt32BE((crc32(message, fingerprintAt) ^ FINGERPRINT_XOR) >>> 0, fingerprintAt + 4);
  return message;
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ""] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  const out = Buffer.alloc(16);
  for (const [i, group] of groups.entries()) out.writeUInt16BE(Number.parseInt(group, 16) || 0, i * 2);
  return out;
}
