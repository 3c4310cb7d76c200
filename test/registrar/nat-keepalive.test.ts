/**
 * NAT keep-alives (src/registrar/nat-keepalive.ts): an OPTIONS every interval to each NATed UDP
 * binding at its observed address, sent through the real transport to a real UDP socket; none to
 * bindings that are not NATed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isNatedBinding } from "../../src/nat/nat-detect.js";
import { NatKeepalive, needsKeepalive } from "../../src/registrar/nat-keepalive.js";
import { parseMessage } from "../../src/sip/index.js";
import { VirtualClock } from "../../src/util/clock.js";
import { type Harness, startTransport, udpPeer } from "../transport/helpers.js";

describe("needsKeepalive()", () => {
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
