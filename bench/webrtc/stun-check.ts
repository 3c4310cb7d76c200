/**
 * The connectivity check a browser (the controlling ICE agent) sends to Parley's ICE-lite side,
 * for the WebRTC relay bench: a STUN Binding request (RFC 5389) with the attributes RFC 8445 7.1
 * asks of a controlling agent that nominates (aggressive nomination as browsers facing ICE-lite
 * do), and the check that a datagram is its success response. The server's decoder
 * (src/media/webrtc/stun.ts) only reads requests, so the bench writes its own.
 */
import { createHmac, randomBytes } from "node:crypto";
import { crc32 } from "../../src/media/webrtc/stun.js";

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const USERNAME = 0x0006;
const MESSAGE_INTEGRITY = 0x0008;
const PRIORITY = 0x0024;
const USE_CANDIDATE = 0x0025;
const FINGERPRINT = 0x8028;
const ICE_CONTROLLING = 0x802a;
/** RFC 5389 15.5. */
const FINGERPRINT_XOR = 0x5354554e;

function attribute(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + ((value.length + 3) & ~3));
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

/**
 * A Binding request from the browser: USERNAME "<server ufrag>:<browser ufrag>" and
 * MESSAGE-INTEGRITY keyed with the server's password (RFC 8445 7.2.2), PRIORITY of a host
 * candidate (RFC 8445 5.1.2.1: type preference 126), ICE-CONTROLLING with a random tie-breaker,
 * USE-CANDIDATE, then FINGERPRINT (RFC 8445 7.2.2).
 */
export function bindingRequest(serverUfrag: string, browserUfrag: string, serverPwd: string): Buffer {
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(((126 << 24) | (65535 << 8) | 255) >>> 0, 0);
  const body = Buffer.concat([
    attribute(USERNAME, Buffer.from(`${serverUfrag}:${browserUfrag}`)),
    attribute(PRIORITY, priority),
    attribute(ICE_CONTROLLING, randomBytes(8)),
    attribute(USE_CANDIDATE, Buffer.alloc(0)),
  ]);
  const message = Buffer.alloc(20 + body.length + 24 + 8);
  message.writeUInt16BE(BINDING_REQUEST, 0);
  message.writeUInt32BE(MAGIC_COOKIE, 4);
  randomBytes(12).copy(message, 8);
  body.copy(message, 20);
  // RFC 5389 15.4: the HMAC covers the header with its length counting up to MESSAGE-INTEGRITY's
  // end (not the FINGERPRINT after it), then every attribute before it.
  const integrityAt = 20 + body.length;
  message.writeUInt16BE(integrityAt + 24 - 20, 2);
  message.writeUInt16BE(MESSAGE_INTEGRITY, integrityAt);
  message.writeUInt16BE(20, integrityAt + 2);
  createHmac("sha1", serverPwd)
    .update(message.subarray(0, integrityAt))
    .digest()
    .copy(message, integrityAt + 4);
  // RFC 5389 15.5: FINGERPRINT last, the length now counting it too.
  const fingerprintAt = integrityAt + 24;
  message.writeUInt16BE(message.length - 20, 2);
  message.writeUInt16BE(FINGERPRINT, fingerprintAt);
  message.writeUInt16BE(4, fingerprintAt + 2);
  message.writeUInt32BE((crc32(message, fingerprintAt) ^ FINGERPRINT_XOR) >>> 0, fingerprintAt + 4);
  return message;
}

/** Whether `packet` answers `request` with success (RFC 5389 7.3.3: the same transaction id). */
export function isBindingSuccess(packet: Buffer, request: Buffer): boolean {
  return (
    packet.length >= 20 &&
    packet.readUInt16BE(0) === BINDING_SUCCESS &&
    packet.readUInt32BE(4) === MAGIC_COOKIE &&
    packet.subarray(8, 20).equals(request.subarray(8, 20))
  );
}
