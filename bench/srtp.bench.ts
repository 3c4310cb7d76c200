/**
 * SRTP cost per packet (issue 20): protect and unprotect of a 20 ms PCMU packet (172 bytes) with
 * AES_CM_128_HMAC_SHA1_80 on node:crypto. Run: node --import tsx bench/srtp.bench.ts
 */
import { randomBytes } from "node:crypto";
import { SrtpSession } from "../src/media/webrtc/srtp.js";

const key = randomBytes(16);
const salt = randomBytes(14);
const sender = new SrtpSession(key, salt);
const receiver = new SrtpSession(key, salt);
const packet = Buffer.alloc(172);
packet[0] = 0x80;
packet.writeUInt32BE(0x12345678, 8);
const count = 100_000;
const protectedPackets: Buffer[] = [];
let start = process.hrtime.bigint();
for (let i = 0; i < count; i++) {
  packet.writeUInt16BE(i & 0xffff, 2);
  protectedPackets.push(sender.protectRtp(packet) as Buffer);
}
const protectUs = Number(process.hrtime.bigint() - start) / 1000 / count;
start = process.hrtime.bigint();
let ok = 0;
for (const p of protectedPackets) if (receiver.unprotectRtp(p)) ok++;
const unprotectUs = Number(process.hrtime.bigint() - start) / 1000 / count;
console.log(
  `srtp protect ${protectUs.toFixed(2)} us/packet, unprotect ${unprotectUs.toFixed(2)} us/packet (${ok}/${count} ok)`,
);
