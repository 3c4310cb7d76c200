/**
 * Which tenant a message of the shared ports is for (issue 21, tenant-router.ts): a new request
 * by its Request-URI's domain, else its To's; a message of a transaction or dialog by the tenant
 * holding it; a carrier's request by its address and port (a phone of another tenant at the same
 * address is not taken for it); anything else is the default tenant's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMessage } from "../../src/sip/index.js";
import type { SipMessage } from "../../src/sip/types.js";
import type { RoutingSnapshot } from "../../src/store/routing-validation.js";
import { isTenantPeer } from "../../src/tenancy/tenant-peers.js";
import { type RoutedTenant, TenantRouter } from "../../src/tenancy/tenant-router.js";
import type { ReceivedMessage } from "../../src/transport/types.js";

function tenant(
  name: string,
  sipDomain: string | undefined,
  holds: Partial<Record<"tx" | "dialog", (m: SipMessage) => boolean>> = {},
  peer?: { address: string; port: number },
): RoutedTenant {
  return {
    name,
    sipDomain,
    holdsTransaction: holds.tx ?? (() => false),
    holdsDialog: holds.dialog ?? (() => false),
    ownsPeer: (s) => peer !== undefined && s.address === peer.address && s.port === peer.port,
    deliver: () => {},
  };
}

function rx(text: string, source = { address: "127.0.0.1", port: 5099 }): ReceivedMessage {
  const parsed = parseMessage(Buffer.from(text.replace(/\n/g, "\r\n")));
  assert.ok(parsed.ok, String(parsed.error?.message));
  return {
    message: parsed.message,
    protocol: "UDP",
    source,
    local: { address: "0.0.0.0", port: 5060 },
    flowId: undefined,
    receivedAt: 0,
  };
}

const request = (method: string, uri: string, to: string, toTag = "") =>
  rx(`${method} ${uri} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-${method}-${Math.random()}
From: <sip:100@a.test>;tag=f1
To: <${to}>${toTag ? `;tag=${toTag}` : ""}
Call-ID: c1
CSeq: 1 ${method}
Max-Forwards: 70
Content-Length: 0

`);

describe("tenant router", () => {
  const fallback = tenant("default", undefined);
  const a = tenant("a", "a.test");
  const b = tenant("b", "b.test", {}, { address: "127.0.0.1", port: 5070 });
  const router = new TenantRouter<RoutedTenant>(() => fallback);
  router.add(a);
  router.add(b);

  it("binds a new request by the Request-URI's domain, else the To's, case-insensitively", () => {
    assert.equal(router.route(request("REGISTER", "sip:A.TEST", "sip:100@a.test")).name, "a");
    assert.equal(router.route(request("INVITE", "sip:101@b.test", "sip:101@b.test")).name, "b");
    assert.equal(router.route(request("INVITE", "sip:101@127.0.0.1", "sip:101@a.test")).name, "a");
    assert.equal(router.route(request("INVITE", "sip:101@127.0.0.1", "sip:101@127.0.0.1")).name, "default");
    assert.equal(router.route(request("INVITE", "sip:101@c.test", "sip:101@c.test")).name, "default");
  });

  it("takes a carrier's request by its address and port, not a phone at the same address", () => {
    const fromCarrier = request("INVITE", "sip:101@127.0.0.1", "sip:101@127.0.0.1");
    (fromCarrier as { source: { address: string; port: number } }).source = {
      address: "127.0.0.1",
      port: 5070,
    };
    assert.equal(router.route(fromCarrier).name, "b");
    assert.equal(router.route(request("INVITE", "sip:101@127.0.0.1", "sip:101@127.0.0.1")).name, "default");
  });

  it("sends a response, an in-dialog request and an ACK to the tenant holding them", () => {
    const holder = tenant("c", "c.test", {
      tx: (m) => m.kind === "response" || m.method === "ACK",
      dialog: (m) => m.kind === "request" && m.method === "BYE",
    });
    const r = new TenantRouter<RoutedTenant>(() => fallback);
    r.add(a);
    r.add(holder);
    const response = rx(`SIP/2.0 200 OK
Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1
From: <sip:parley@127.0.0.1>;tag=x
To: <sip:101@127.0.0.1>;tag=y
Call-ID: c2
CSeq: 1 OPTIONS
Content-Length: 0

`);
    assert.equal(r.route(response).name, "c");
    // In a dialog: the holder wins over the domain the Request-URI names.
    assert.equal(r.route(request("BYE", "sip:parley@127.0.0.1", "sip:100@a.test", "t1")).name, "c");
    assert.equal(r.route(request("ACK", "sip:101@a.test", "sip:101@a.test", "t2")).name, "c");
    r.remove("c");
    assert.equal(r.route(response).name, "default");
  });

  it("matches a carrier by the address and port configured, IP literals only", () => {
    const snapshot = {
      trunks: [
        { address: "127.0.0.1", port: 5070 },
        { address: "carrier.example", port: 5060 },
      ],
      lines: [
        {
          server: "192.0.2.1",
          serverPort: 5080,
          outboundProxy: { enabled: true, address: "[::1]", port: 5090 },
        },
      ],
    } as unknown as RoutingSnapshot;
    assert.equal(isTenantPeer(snapshot, { address: "127.0.0.1", port: 5070 }), true);
    assert.equal(isTenantPeer(snapshot, { address: "::ffff:127.0.0.1", port: 5070 }), true);
    assert.equal(isTenantPeer(snapshot, { address: "127.0.0.1", port: 5071 }), false);
    assert.equal(isTenantPeer(snapshot, { address: "192.0.2.1", port: 5080 }), true);
    assert.equal(isTenantPeer(snapshot, { address: "::1", port: 5090 }), true);
    assert.equal(isTenantPeer(snapshot, { address: "198.51.100.1", port: 5060 }), false);
    assert.equal(isTenantPeer(undefined, { address: "127.0.0.1", port: 5070 }), false);
  });
});
