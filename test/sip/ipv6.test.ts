/** RFC 5118 (SIP torture tests for IPv6): the parser cases of section 4, in our own messages. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMessage, parseUri, parseVia } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";

function request(uri: string, via: string, contact = "<sip:alice@[2001:db8::9:1]>"): Buffer {
  return Buffer.from(
    `REGISTER ${uri} SIP/2.0\r\n` +
      `Via: ${via}\r\n` +
      "Max-Forwards: 70\r\n" +
      "From: <sip:alice@example.com>;tag=81x2\r\n" +
      "To: <sip:alice@example.com>\r\n" +
      "Call-ID: SSG9559905523997077@hlau_4100\r\n" +
      "CSeq: 1 REGISTER\r\n" +
      `Contact: ${contact}\r\n` +
      "Content-Length: 0\r\n\r\n",
    "latin1",
  );
}

function parsed(data: Buffer): SipRequest {
  const r = parseMessage(data);
  assert.ok(r.ok, r.ok ? "" : r.error.reason);
  assert.equal(r.message.kind, "request");
  return r.message as SipRequest;
}

const VIA = "SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111";

describe("RFC 5118 IPv6 references", () => {
  it("4.1: a Request-URI, Via and Contact with IPv6 references parse", () => {
    const m = parsed(request("sip:[2001:db8::10]", VIA));
    assert.equal(m.uri.host, "[2001:db8::10]");
    assert.equal(m.uri.port, undefined);
    assert.equal(m.topVia?.host, "[2001:db8::9:1]");
    assert.equal(m.topVia?.port, 6050);
    assert.equal(m.nameAddrs("contact")[0].uri.host, "[2001:db8::9:1]");
  });

  it("4.2: an IPv6 address without brackets in the Request-URI MUST be rejected with 400", () => {
    const r = parseMessage(request("sip:2001:db8::10", VIA));
    assert.ok(!r.ok);
    assert.equal(r.error.status, 400);
    assert.equal(r.error.answerable, true);
  });

  it("4.3: sip:[2001:db8::10:5070] is a host without port (the port is inside the brackets)", () => {
    const m = parsed(request("sip:[2001:db8::10:5070]", VIA));
    assert.equal(m.uri.host, "[2001:db8::10:5070]");
    assert.equal(m.uri.port, undefined);
  });

  it("4.4: sip:[2001:db8::10]:5070 has port 5070", () => {
    const m = parsed(request("sip:[2001:db8::10]:5070", VIA));
    assert.equal(m.uri.host, "[2001:db8::10]");
    assert.equal(m.uri.port, 5070);
  });

  it("4.5: received= holds an IPv6 address with or without brackets", () => {
    const a = parsed(request("sip:[2001:db8::10]", `${VIA};received=[2001:db8::9:255]`));
    assert.equal(a.topVia?.received, "[2001:db8::9:255]");
    const b = parsed(request("sip:[2001:db8::10]", `${VIA};received=2001:db8::9:255`));
    assert.equal(b.topVia?.received, "2001:db8::9:255");
  });

  it("4.7: IPv4 and IPv6 Via values side by side", () => {
    const m = parsed(request("sip:[2001:db8::10]", `${VIA}, SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK2`));
    assert.deepEqual(
      m.vias.map((v) => [v.transport, v.host, v.port]),
      [
        ["UDP", "[2001:db8::9:1]", 6050],
        ["TCP", "192.0.2.1", 5060],
      ],
    );
  });

  it("4.9: an IPv4-mapped IPv6 address parses", () => {
    const m = parsed(
      request("sip:[::ffff:192.0.2.10]", "SIP/2.0/UDP [::ffff:192.0.2.10]:19823;branch=z9hG4bKbzp"),
    );
    assert.equal(m.uri.host, "[::ffff:192.0.2.10]");
    assert.equal(m.topVia?.host, "[::ffff:192.0.2.10]");
    assert.equal(m.topVia?.port, 19823);
  });

  it("4.10: an IPv6 reference ending in a dotted IPv4 part parses", () => {
    assert.equal(parseUri("sip:user@[2001:db8::192.0.2.1]")?.host, "[2001:db8::192.0.2.1]");
  });

  it("standalone parsers reject broken references without throwing", () => {
    assert.equal(parseUri("sip:[2001:db8::10"), undefined);
    assert.equal(parseUri("sip:[]"), undefined);
    assert.equal(parseUri("sip:[2001:db8::10]:99999"), undefined);
    assert.equal(parseVia("SIP/2.0/UDP [2001:db8::1"), undefined);
    assert.equal(parseUri("SIP:[2001:DB8::10]")?.host, "[2001:db8::10]");
  });
});
