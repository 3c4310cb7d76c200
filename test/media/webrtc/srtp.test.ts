/**
 * Covers RFC 3711 for issue 20: AES-CM keystream (Appendix B.2), key derivation (B.3), SRTP and
 * SRTCP round trips, authentication failure, the 64-packet replay window, and the ROC across a
 * sequence number wrap.
 */
import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { counterIv, deriveKey, SrtpSession } from "../../../src/media/webrtc/srtp.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ""), "hex");

function rtp(seq: number, payload: Buffer, ssrc = 0xcafebabe): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(seq * 160, 4);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, payload]);
}

describe("RFC 3711 Appendix B", () => {
  it("B.2: the AES-CM keystream matches", () => {
    const key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
    const iv = counterIv(hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), 0, 0n);
    const stream = createCipheriv("aes-128-ctr", key, iv).update(Buffer.alloc(48));
    assert.equal(
      stream.toString("hex").toUpperCase(),
      "E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0",
    );
  });

  it("B.3: the session keys derived match", () => {
    const key = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    const salt = hex("0EC675AD498AFEEBB6960B3AABE6");
    assert.equal(
      deriveKey(key, salt, 0, 16).toString("hex").toUpperCase(),
      "C61E7A93744F39EE10734AFE3FF7A087",
    );
    assert.equal(deriveKey(key, salt, 2, 14).toString("hex").toUpperCase(), "30CBBC08863D8C85D49DB34A9AE1");
    assert.equal(
      deriveKey(key, salt, 1, 20).toString("hex").toUpperCase(),
      "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4",
    );
  });
});

describe("SrtpSession", () => {
  const key = randomBytes(16);
  const salt = randomBytes(14);

  it("protectRtp() then unprotectRtp() gives the packet back; the payload is encrypted", () => {
    const sender = new SrtpSession(key, salt);
    const receiver = new SrtpSession(key, salt);
    const packet = rtp(1, Buffer.alloc(160, 0x55));
    const protectedPacket = sender.protectRtp(packet) as Buffer;
    assert.equal(protectedPacket.length, packet.length + 10);
    assert.ok(!protectedPacket.subarray(12, 172).equals(packet.subarray(12)));
    assert.deepEqual(receiver.unprotectRtp(protectedPacket), packet);
  });

  it("unprotectRtp() with a flipped bit or a replay returns undefined", () => {
    const sender = new SrtpSession(key, salt);
    const receiver = new SrtpSession(key, salt);
    const protectedPacket = sender.protectRtp(rtp(7, Buffer.alloc(20, 1))) as Buffer;
    const tampered = Buffer.from(protectedPacket);
    tampered[15] ^= 1;
    assert.equal(receiver.unprotectRtp(tampered), undefined);
    assert.ok(receiver.unprotectRtp(protectedPacket));
    assert.equal(receiver.unprotectRtp(protectedPacket), undefined, "a replay");
  });

  it("accepts reordering within 64 packets and refuses older ones", () => {
    const sender = new SrtpSession(key, salt);
    const receiver = new SrtpSession(key, salt);
    const packets = Array.from(
      { length: 100 },
      (_, i) => sender.protectRtp(rtp(i, Buffer.alloc(10, i))) as Buffer,
    );
    assert.ok(receiver.unprotectRtp(packets[99]));
    assert.ok(receiver.unprotectRtp(packets[50]), "49 behind");
    assert.equal(receiver.unprotectRtp(packets[20]), undefined, "79 behind: outside the window");
  });

  it("keeps the rollover counter across a sequence number wrap (RFC 3711 3.3.1)", () => {
    const sender = new SrtpSession(key, salt);
    const receiver = new SrtpSession(key, salt);
    for (let i = 0; i < 4; i++) {
      const seq = (65534 + i) & 0xffff;
      const packet = rtp(seq, Buffer.alloc(30, i));
      assert.deepEqual(receiver.unprotectRtp(sender.protectRtp(packet) as Buffer), packet, `seq ${seq}`);
    }
  });

  it("protectRtcp() then unprotectRtcp() gives the packet back with the E flag set", () => {
    const sender = new SrtpSession(key, salt);
    const receiver = new SrtpSession(key, salt);
    const report = Buffer.concat([
      Buffer.from([0x80, 200, 0, 6]),
      Buffer.from("cafebabe", "hex"),
      Buffer.alloc(20, 9),
    ]);
    const protectedReport = sender.protectRtcp(report) as Buffer;
    assert.equal(protectedReport.length, report.length + 4 + 10);
    assert.equal(protectedReport[report.length] & 0x80, 0x80);
    assert.deepEqual(receiver.unprotectRtcp(protectedReport), report);
    assert.equal(receiver.unprotectRtcp(protectedReport), undefined, "a replay");
  });
});
