/**
 * Covers RFC 5389 / RFC 8445 7.3 for issue 20: CRC-32 (the FINGERPRINT's), a browser-style
 * Binding request accepted only with the right USERNAME and password, and the success response's
 * XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bindingSuccess, crc32, readBindingRequest } from "../../../src/media/webrtc/stun.js";
import { bindingRequest } from "./webrtc-peer.js";

const PWD = "abcdefghijklmnopqrstuvwx";

describe("stun", () => {
  it("crc32() of '123456789' is 0xCBF43926 (the ITU-T V.42 check value)", () => {
    assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
  });

  it("readBindingRequest() accepts the right credentials and notes USE-CANDIDATE and ICE-CONTROLLING", () => {
    const request = readBindingRequest(bindingRequest("LOCAL:remote", PWD), "LOCAL", PWD, "remote");
    assert.ok(request);
    assert.equal(request.useCandidate, true);
    assert.equal(request.controlling, true);
    assert.equal(
      readBindingRequest(bindingRequest("LOCAL:remote", PWD, false), "LOCAL", PWD, undefined)?.useCandidate,
      false,
    );
  });

  it("readBindingRequest() refuses a wrong password, ufrag, or a damaged FINGERPRINT", () => {
    assert.equal(
      readBindingRequest(bindingRequest("LOCAL:remote", "another-password-here!"), "LOCAL", PWD, "remote"),
      undefined,
    );
    assert.equal(readBindingRequest(bindingRequest("OTHER:remote", PWD), "LOCAL", PWD, "remote"), undefined);
    assert.equal(readBindingRequest(bindingRequest("LOCAL:someone", PWD), "LOCAL", PWD, "remote"), undefined);
    const damaged = bindingRequest("LOCAL:remote", PWD);
    damaged[damaged.length - 1] ^= 1;
    assert.equal(readBindingRequest(damaged, "LOCAL", PWD, "remote"), undefined);
  });

  it("bindingSuccess() names the source in XOR-MAPPED-ADDRESS and verifies with the same password", () => {
    const request = readBindingRequest(bindingRequest("LOCAL:remote", PWD), "LOCAL", PWD, "remote");
    assert.ok(request);
    const response = bindingSuccess(request, "::ffff:192.0.2.33", 40000, PWD);
    assert.equal(response.readUInt16BE(0), 0x0101);
    assert.ok(response.subarray(8, 20).equals(request.transactionId));
    assert.equal(response.readUInt16BE(20), 0x0020);
    assert.equal(response.readUInt16BE(26) ^ 0x2112, 40000);
    const address = [0, 1, 2, 3].map((i) => response[28 + i] ^ [0x21, 0x12, 0xa4, 0x42][i]).join(".");
    assert.equal(address, "192.0.2.33");
    const fingerprintAt = response.length - 8;
    assert.equal(
      (crc32(response, fingerprintAt) ^ 0x5354554e) >>> 0,
      response.readUInt32BE(fingerprintAt + 4),
    );
  });
});
