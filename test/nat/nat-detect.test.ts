/**
 * NAT detection (src/nat/nat-detect.ts): a phone is behind NAT when the address in its Contact or
 * SDP differs from where its packets come from; the URI host and port readers it relies on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { behindNat, isNatedBinding, uriHost, uriPort } from "../../src/nat/nat-detect.js";

describe("NAT detection", () => {
  it("behindNat() is true when the Contact or SDP address differs from the source", () => {
    assert.equal(behindNat({ contactHost: "192.168.1.5", sourceAddress: "203.0.113.9" }), true);
    assert.equal(behindNat({ sdpAddress: "10.0.0.5", sourceAddress: "203.0.113.9" }), true);
    assert.equal(
      behindNat({ contactHost: "203.0.113.9", sdpAddress: "203.0.113.9", sourceAddress: "203.0.113.9" }),
      false,
    );
    assert.equal(behindNat({ contactHost: "phone.example.com", sourceAddress: "203.0.113.9" }), false);
    assert.equal(behindNat({ sdpAddress: "0.0.0.0", sourceAddress: "203.0.113.9" }), false);
    assert.equal(behindNat({ contactHost: "[::1]", sourceAddress: "::1" }), false);
    assert.equal(behindNat({ contactHost: "127.0.0.1", sourceAddress: "::ffff:127.0.0.1" }), false);
  });
  it("uriHost() reads the host of a Contact URI", () => {
    assert.equal(uriHost("sip:100@10.0.0.5:5060;transport=udp"), "10.0.0.5");
    assert.equal(uriHost("<sip:100@[2001:db8::1]:5060>"), "[2001:db8::1]");
    assert.equal(uriHost("sips:example.com"), "example.com");
    assert.equal(uriHost("tel:+123"), undefined);
  });
  it("uriPort() reads the port, else the scheme's default", () => {
    assert.equal(uriPort("sip:100@10.0.0.5:5070;transport=udp"), 5070);
    assert.equal(uriPort("<sip:100@[2001:db8::1]:5062>"), 5062);
    assert.equal(uriPort("sip:100@10.0.0.5"), 5060);
    assert.equal(uriPort("sips:100@example.com"), 5061);
  });
  it("isNatedBinding() is true when the Contact's address is not the binding's source", () => {
    assert.equal(isNatedBinding({ contactUri: "sip:100@10.1.2.3:5060", sourceAddress: "127.0.0.1" }), true);
    assert.equal(isNatedBinding({ contactUri: "sip:101@127.0.0.1:5062", sourceAddress: "127.0.0.1" }), false);
    assert.equal(
      isNatedBinding({ contactUri: "sip:102@phone.example.com", sourceAddress: "127.0.0.1" }),
      false,
    );
  });
});
