/**
 * STUN Binding (RFC 5389) as a server answers it, pure: a datagram in, the response out (or
 * nothing). Classic RFC 3489 requests (no magic cookie, a 16-byte transaction id, as Debian's
 * `stun` client sends) are answered too, with MAPPED-ADDRESS; RFC 5389 ones with
 * XOR-MAPPED-ADDRESS and MAPPED-ADDRESS. Malformed input never throws: it is ignored.
 */
import { isIP } from "node:net";

export const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const BINDING_ERROR = 0x0111;
const ATTR_MAPPED_ADDRESS = 0x0001;
/** RFC 3489 11.2.4: CHANGE-REQUEST, asking to answer from another address or port. */
const ATTR_CHANGE_REQUEST = 0x0003;
const ATTR_SOURCE_ADDRESS = 0x0004;
const ATTR_ERROR_CODE = 0x0009;
const ATTR_UNKNOWN_ATTRIBUTES = 0x000a;
const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
const ATTR_SOFTWARE = 0x8022;
const SOFTWARE = "Parley";

export interface StunSource {
  readonly address: string;
  readonly port: number;
}

function attribute(type: number, value: Buffer): Buffer {
  // RFC 5389 15: attributes are padded to a multiple of 4 bytes.
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

/** The address bytes of an IPv4 or IPv6 (mapped IPv4 unwrapped) address. */
function addressBytes(address: string): { family: 1 | 2; bytes: Buffer } | undefined {
  const v4 = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(v4) === 4) return { family: 1, bytes: Buffer.from(v4.split(".").map(Number)) };
  if (isIP(address) !== 6) return undefined;
  const [head, tail = ""] = address.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === "" ? [] : tail.split(":");
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) bytes.writeUInt16BE(Number.parseInt(groups[i], 16) || 0, i * 2);
  return { family: 2, bytes };
}

/** RFC 5389 15.1 / 15.2: MAPPED-ADDRESS, or its XOR form with the cookie and transaction id. */
function mappedAddress(source: StunSource, xorKey: Buffer | undefined): Buffer | undefined {
  const a = addressBytes(source.address);
  if (a === undefined) return undefined;
  const value = Buffer.alloc(4 + a.bytes.length);
  value[1] = a.family;
  let port = source.port;
  const bytes = Buffer.from(a.bytes);
  if (xorKey !== undefined) {
    port ^= MAGIC_COOKIE >>> 16;
    for (let i = 0; i < bytes.length; i++) bytes[i] ^= xorKey[i];
  }
  value.writeUInt16BE(port, 2);
  bytes.copy(value, 4);
  return attribute(xorKey === undefined ? ATTR_MAPPED_ADDRESS : ATTR_XOR_MAPPED_ADDRESS, value);
}

function message(type: number, header: Buffer, attributes: Buffer[]): Buffer {
  const body = Buffer.concat(attributes);
  const out = Buffer.alloc(20 + body.length);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(body.length, 2);
  // The cookie (or the first 4 bytes of a classic id) and the transaction id, echoed.
  header.copy(out, 4, 4, 20);
  body.copy(out, 20);
  return out;
}

/**
 * The answer to a datagram, or undefined when it is not a STUN Binding request to answer.
 * `local` is the address and port the request reached (RFC 3489 SOURCE-ADDRESS).
 */
export function answerStun(packet: Buffer, source: StunSource, local?: StunSource): Buffer | undefined {
  // RFC 5389 6: the two top bits are zero, the length a multiple of 4 and what follows the header.
  if (packet.length < 20 || (packet[0] & 0xc0) !== 0) return undefined;
  const type = packet.readUInt16BE(0);
  const length = packet.readUInt16BE(2);
  if (length % 4 !== 0 || length + 20 !== packet.length) return undefined;
  if (type !== BINDING_REQUEST) return undefined; // indications and responses: nothing to say
  const modern = packet.readUInt32BE(4) === MAGIC_COOKIE;
  const unknown: number[] = [];
  for (let at = 20; at < packet.length; ) {
    if (at + 4 > packet.length) return undefined;
    const attrType = packet.readUInt16BE(at);
    const attrLength = packet.readUInt16BE(at + 2);
    const end = at + 4 + attrLength;
    if (end > packet.length) return undefined;
    if (attrType === ATTR_CHANGE_REQUEST) {
      // RFC 3489 9.2: Parley has one address and port; a change it cannot honour gets no answer
      // rather than a misleading one from the same address (the client then concludes rightly).
      if (attrLength === 4 && (packet.readUInt32BE(at + 4) & 0x6) !== 0) return undefined;
    } else if (attrType < 0x8000 && modern && !KNOWN.has(attrType)) {
      unknown.push(attrType);
    }
    at = at + 4 + Math.ceil(attrLength / 4) * 4;
  }
  if (unknown.length > 0) {
    // RFC 5389 7.3.1: unknown comprehension-required attributes get 420 with UNKNOWN-ATTRIBUTES.
    const code = Buffer.from([0, 0, 4, 20, ...Buffer.from("Unknown Attribute")]);
    const list = Buffer.alloc(unknown.length * 2);
    for (let i = 0; i < unknown.length; i++) list.writeUInt16BE(unknown[i], i * 2);
    return message(BINDING_ERROR, packet, [
      attribute(ATTR_ERROR_CODE, code),
      attribute(ATTR_UNKNOWN_ATTRIBUTES, list),
    ]);
  }
  const attributes: Buffer[] = [];
  const mapped = mappedAddress(source, undefined);
  if (mapped === undefined) return undefined;
  if (modern) {
    const key = Buffer.alloc(16);
    packet.copy(key, 0, 4, 20); // cookie then transaction id (RFC 5389 15.2)
    const xor = mappedAddress(source, key);
    if (xor) attributes.push(xor);
  }
  attributes.push(mapped);
  if (!modern && local !== undefined) {
    const src = mappedAddress(local, undefined);
    if (src) attributes.push(Buffer.concat([Buffer.from([0, ATTR_SOURCE_ADDRESS]), src.subarray(2)]));
  }
  if (modern) attributes.push(attribute(ATTR_SOFTWARE, Buffer.from(SOFTWARE)));
  return message(BINDING_SUCCESS, packet, attributes);
}

/** Comprehension-required attributes a Binding request may carry that Parley understands or ignores. */
const KNOWN = new Set([
  ATTR_MAPPED_ADDRESS,
  ATTR_CHANGE_REQUEST,
  0x0006, // USERNAME
  0x0008, // MESSAGE-INTEGRITY
  0x0014, // REALM
  0x0015, // NONCE
  0x0024, // PRIORITY (RFC 8445)
  0x0025, // USE-CANDIDATE
]);
