/**
 * NAT keep-alives: an OPTIONS every interval to each NATed UDP binding at its observed address,
 * sent through the real transport to a real UDP socket; none to bindings that are not NATed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isNatedBinding, NatKeepalive, needsKeepalive } from "../../src/nat/keepalive.js";
import { behindNat, uriHost, uriPort } from "../../src/nat/nat-detect.js";
import { parseMessage } from "../../src/sip/index.js";
import { VirtualClock } from "../../src/util/clock.js";
import { type Harness, startTransport, udpPeer } from "../transport/helpers.js";

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
  it("needsKeepalive() also when only the port differs (a NAT that kept the address)", () => {
    const b = {
      contactUri: "sip:100@127.0.0.1:9",
      sourceAddress: "127.0.0.1",
      sourcePort: 40000,
      transport: "udp",
    };
    assert.equal(isNatedBinding(b), false);
    assert.equal(needsKeepalive(b), true);
    assert.equal(needsKeepalive({ ...b, contactUri: "sip:100@127.0.0.1:40000" }), false);
  });
});

describe("NatKeepalive", () => {
  let h: Harness;
  before(async () => {
    h = await startTransport();
  });
  after(() => h.transport.stop());

  it("sends OPTIONS each interval to NATed UDP bindings only, at their observed address", async () => {
    const phone = await udpPeer();
    const clock = new VirtualClock();
    const bindings = [
      {
        contactUri: "sip:100@10.1.2.3:5060",
        sourceAddress: "127.0.0.1",
        sourcePort: phone.port,
        transport: "udp",
      },
      // Not NATed, and a NATed TCP one: neither is pinged.
      {
        contactUri: `sip:101@127.0.0.1:${phone.port}`,
        sourceAddress: "127.0.0.1",
        sourcePort: phone.port,
        transport: "udp",
      },
      {
        contactUri: "sip:102@10.1.2.4",
        sourceAddress: "127.0.0.1",
        sourcePort: phone.port,
        transport: "tcp",
      },
    ];
    assert.deepEqual(bindings.map(isNatedBinding), [true, false, true]);
    const k = new NatKeepalive({
      intervalMs: 30000,
      clock,
      bindings: () => bindings,
      send: (r, d) => h.transport.sendRequest(r, d),
      host: "127.0.0.1",
    });
    k.start();
    try {
      clock.advance(29999);
      assert.equal(k.sent, 0);
      clock.advance(1);
      const parsed = parseMessage(await phone.inbox.next(2000));
      assert.ok(parsed.ok);
      const first = parsed.message;
      assert.ok(first.kind === "request");
      assert.equal(first.method, "OPTIONS");
      assert.equal(first.uri.raw, "sip:100@10.1.2.3:5060");
      clock.advance(30000);
      await phone.inbox.next(2000);
      assert.equal(k.sent, 2);
      k.stop();
      clock.advance(60000);
      assert.equal(k.sent, 2, "nothing after stop()");
    } finally {
      k.stop();
      phone.socket.close();
    }
  });
});
