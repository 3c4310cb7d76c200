import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ViaValue } from "../../src/sip/types.js";
import {
  buildVia,
  completeTopVia,
  reliableResponseTarget,
  stampReceived,
  unreliableResponseTarget,
} from "../../src/transport/via.js";
import { req, requestText } from "./helpers.js";

function viaOf(value: string): ViaValue {
  const via = req(requestText("OPTIONS", value)).topVia;
  assert.ok(via);
  return via;
}

describe("completeTopVia() (RFC 3261 18.1.1)", () => {
  it("MUST set transport and sent-by and keep every parameter", () => {
    const request = req(
      requestText("OPTIONS", "SIP/2.0/UDP placeholder.invalid;branch=z9hG4bK-x;rport, SIP/2.0/UDP 10.0.0.1"),
    );
    completeTopVia(request, "TCP", "::1", 5070);
    assert.equal(request.topVia?.transport, "TCP");
    assert.equal(request.topVia?.host, "[::1]");
    assert.equal(request.topVia?.port, 5070);
    assert.equal(request.topVia?.branch, "z9hG4bK-x");
    assert.equal(request.topVia?.rport, null);
    assert.equal(request.vias.length, 2);
    assert.equal(request.vias[1].host, "10.0.0.1");
  });

  it("buildVia() writes a complete value with valueless parameters", () => {
    assert.equal(
      buildVia("UDP", "192.0.2.1", 5060, "z9hG4bK-1", { rport: null, alias: null }),
      "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport;alias",
    );
  });
});

describe("stampReceived() (RFC 3261 18.2.1, RFC 3581 4)", () => {
  it("MUST leave the Via alone when sent-by is the source and rport is absent", () => {
    const request = req(requestText("OPTIONS", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1"));
    assert.equal(stampReceived(request, { address: "127.0.0.1", port: 5060 }), false);
    assert.equal(request.topVia?.received, undefined);
  });

  it("MUST add received for a host name or a different address", () => {
    const request = req(requestText("OPTIONS", "SIP/2.0/UDP pc.example.com;branch=z9hG4bK-2"));
    stampReceived(request, { address: "192.0.2.9", port: 40000 });
    assert.equal(request.topVia?.received, "192.0.2.9");
    assert.equal(request.topVia?.rport, undefined);
  });

  it("MUST fill an empty rport and add received even when the host matches", () => {
    const request = req(requestText("OPTIONS", "SIP/2.0/UDP [::1]:5060;branch=z9hG4bK-3;rport"));
    stampReceived(request, { address: "::1", port: 40001 });
    assert.equal(request.topVia?.received, "::1");
    assert.equal(request.topVia?.rport, 40001);
  });
});

describe("unreliableResponseTarget() (RFC 3261 18.2.2, RFC 3581 4)", () => {
  it("MUST prefer maddr, with the sent-by port or 5060 and the ttl", () => {
    const via = viaOf(
      "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-1;maddr=239.1.1.1;ttl=3;received=10.0.0.2;rport=9",
    );
    assert.deepEqual(unreliableResponseTarget(via, "UDP"), {
      ok: true,
      address: "239.1.1.1",
      port: 5060,
      ttl: 3,
    });
  });

  it("MUST use received and rport when both are present", () => {
    const via = viaOf("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-1;received=192.0.2.4;rport=40000");
    assert.deepEqual(unreliableResponseTarget(via, "UDP"), {
      ok: true,
      address: "192.0.2.4",
      port: 40000,
      ttl: undefined,
    });
  });

  it("MUST use received with the sent-by port when there is no rport value", () => {
    const via = viaOf("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-1;received=192.0.2.4");
    assert.deepEqual(unreliableResponseTarget(via, "UDP"), {
      ok: true,
      address: "192.0.2.4",
      port: 5070,
      ttl: undefined,
    });
  });

  it("MUST use the sent-by host and default port otherwise", () => {
    const via = viaOf("SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK-1");
    assert.deepEqual(unreliableResponseTarget(via, "UDP"), {
      ok: true,
      address: "2001:db8::1",
      port: 5060,
      ttl: undefined,
    });
  });

  it("fails clearly for a sent-by host name without received (no DNS in the transport)", () => {
    const via = viaOf("SIP/2.0/UDP pc.example.com;branch=z9hG4bK-1");
    const target = unreliableResponseTarget(via, "UDP");
    assert.equal(target.ok, false);
  });
});

describe("reliableResponseTarget() (RFC 3261 18.2.2)", () => {
  it("MUST connect to received with the sent-by port, 5061 by default for TLS", () => {
    const via = viaOf("SIP/2.0/TLS pc.example.com;branch=z9hG4bK-1;received=192.0.2.4;rport=40000");
    assert.deepEqual(reliableResponseTarget(via, "TLS"), {
      ok: true,
      address: "192.0.2.4",
      port: 5061,
      ttl: undefined,
    });
  });
});
