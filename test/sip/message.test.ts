/** The message model: laziness, byte-exact serialization, mutation, builders and helpers. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  cloneMessage,
  createRequest,
  createResponse,
  formatNameAddr,
  formatUri,
  fromUtf8,
  generateBranch,
  generateCallId,
  generateTag,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  reasonPhrase,
  toUtf8,
  uriEquals,
} from "../../src/sip/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/types.js";

const TEXT =
  "\r\n\r\nINVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
  "v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds ,\r\n" +
  "  SIP/2.0/TCP proxy.example.com;branch=z9hG4bK2\r\n" +
  "Max-Forwards:   70\r\n" +
  "To: Bob <sip:bob@biloxi.example.com>\r\n" +
  'f: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774\r\n' +
  "i: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
  "CSeq: 314159 INVITE\r\n" +
  "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n" +
  'WWW-Authenticate: Digest realm="a, b", nonce="x"\r\n' +
  "Allow: INVITE, ACK,\r\n BYE\r\n" +
  "Timestamp: 54\r\n" +
  "Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
  "c: application/sdp\r\n" +
  "l: 5\r\n\r\nv=0\r\ngarbage";

const DATA = Buffer.from(TEXT, "latin1");
const MESSAGE = DATA.subarray(4, DATA.length - "garbage".length);

function parse(data: Buffer = DATA): SipRequest {
  const r = parseMessage(data);
  assert.ok(r.ok, r.ok ? "" : r.error.reason);
  assert.equal(r.message.kind, "request");
  return r.message as SipRequest;
}

function lines(m: SipMessage): string[] {
  return m.serialize().toString("latin1").split("\r\n");
}

describe("a parsed message", () => {
  it("serializes byte for byte while untouched (leading CRLFs and trailing octets excluded)", () => {
    assert.deepEqual(parse().serialize(), MESSAGE);
  });

  it("reads compact and long names alike, case-insensitively", () => {
    const m = parse();
    assert.equal(m.get("Content-Type"), "application/sdp");
    assert.equal(m.get("c"), "application/sdp");
    assert.equal(m.get("CALL-ID"), "a84b4c76e66710@pc33.atlanta.example.com");
    assert.equal(m.headers[0].name, "v");
    assert.equal(m.headers[0].key, "via");
    assert.equal(m.body.toString("latin1"), "v=0\r\n");
  });

  it("splits list headers on commas but never Date or WWW-Authenticate", () => {
    const m = parse();
    assert.deepEqual(m.getAll("allow"), ["INVITE", "ACK", "BYE"]);
    assert.equal(m.get("allow"), "INVITE");
    assert.deepEqual(m.getAll("date"), ["Sat, 13 Nov 2010 23:29:00 GMT"]);
    assert.deepEqual(m.getAll("www-authenticate"), ['Digest realm="a, b", nonce="x"']);
    assert.equal(m.vias.length, 2);
  });

  it("set() rewrites only the touched line and keeps folded lines as received", () => {
    const m = parse();
    m.set("Max-Forwards", "69");
    const before = MESSAGE.toString("latin1").split("\r\n");
    const after = lines(m);
    assert.equal(after.length, before.length);
    for (let i = 0; i < before.length; i++) {
      if (before[i].startsWith("Max-Forwards")) assert.equal(after[i], "Max-Forwards: 69");
      else assert.equal(after[i], before[i]);
    }
    assert.equal(m.maxForwards, 69);
  });

  it("setTopViaParams() rewrites the top Via value only", () => {
    const m = parse();
    m.setTopViaParams({ received: "192.0.2.4", rport: 5066 });
    assert.equal(m.topVia?.received, "192.0.2.4");
    assert.equal(m.topVia?.rport, 5066);
    assert.equal(m.topVia?.branch, "z9hG4bK776asdhds");
    assert.equal(m.vias[1].host, "proxy.example.com");
    const out = lines(m);
    assert.match(
      out[1],
      /^v: SIP\/2.0\/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.4;rport=5066/,
    );
    assert.deepEqual(out.slice(2), MESSAGE.toString("latin1").split("\r\n").slice(3));
    const again = parseMessage(m.serialize());
    assert.ok(again.ok);
    assert.equal(again.message.topVia?.received, "192.0.2.4");
  });

  it("append(top) and removeTopVia() manage the Via stack", () => {
    const m = parse();
    m.append("Via", "SIP/2.0/UDP me.example.com;branch=z9hG4bKnew", true);
    assert.equal(m.topVia?.host, "me.example.com");
    assert.equal(m.vias.length, 3);
    m.removeTopVia();
    assert.equal(m.topVia?.host, "pc33.atlanta.example.com");
    m.removeTopVia();
    assert.equal(m.topVia?.host, "proxy.example.com");
    assert.equal(m.vias.length, 1);
    m.remove("via");
    assert.equal(m.topVia, undefined);
    assert.equal(m.has("v"), false);
  });

  it("keeps Content-Length in step with a new body", () => {
    const m = parse();
    m.body = Buffer.from("hello world");
    const again = parseMessage(m.serialize());
    assert.ok(again.ok);
    assert.equal(again.message.get("content-length"), "11");
    assert.equal(again.message.body.toString(), "hello world");
  });

  it("adds Content-Length when a touched message had none", () => {
    const data = Buffer.from(
      "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\n" +
        "To: <sip:a@b>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\nxyz",
      "latin1",
    );
    const m = parse(data);
    assert.deepEqual(m.serialize(), data);
    m.set("Subject", "hi");
    assert.match(m.serialize().toString("latin1"), /\r\nContent-Length: 3\r\n\r\nxyz$/);
  });

  it("re-renders the start line after uriText or reason changes", () => {
    const m = parse();
    m.uriText = "sip:carol@chicago.example.com";
    assert.equal(m.uri.user, "carol");
    assert.equal(lines(m)[0], "INVITE sip:carol@chicago.example.com SIP/2.0");
    const r = createResponse(m, 486);
    r.reason = "Busy";
    assert.equal(lines(r)[0], "SIP/2.0 486 Busy");
  });

  it("cloneMessage() copies: changing the clone leaves the original alone", () => {
    const m = parse();
    const c = cloneMessage(m);
    assert.deepEqual(c.serialize(), m.serialize());
    c.set("Max-Forwards", "1");
    c.body = Buffer.from("x");
    assert.equal(m.maxForwards, 70);
    assert.deepEqual(m.serialize(), MESSAGE);
  });
});

describe("createResponse()", () => {
  it("copies Via (in order), From, To, Call-ID and CSeq, and Timestamp into a 100 (RFC 3261 8.2.6)", () => {
    const m = parse();
    const r: SipResponse = createResponse(m, 100);
    assert.equal(r.reason, "Trying");
    assert.deepEqual(
      r.vias.map((v) => v.branch),
      ["z9hG4bK776asdhds", "z9hG4bK2"],
    );
    assert.equal(r.from?.tag, "1928301774");
    assert.equal(r.to?.tag, undefined);
    assert.equal(r.callId, m.callId);
    assert.deepEqual(r.cseq, m.cseq);
    assert.equal(r.get("timestamp"), "54");
    assert.equal(r.get("content-length"), "0");
    assert.equal(createResponse(m, 180).get("timestamp"), undefined);
  });

  it("adds the To tag only when To has none", () => {
    const m = parse();
    assert.equal(createResponse(m, 200, "OK", { toTag: "abc" }).to?.tag, "abc");
    m.set("To", "<sip:bob@biloxi.example.com>;tag=old");
    assert.equal(createResponse(m, 200, "OK", { toTag: "abc" }).to?.tag, "old");
  });
});

describe("createRequest()", () => {
  it("builds a request that parses back", () => {
    const req = createRequest({
      method: "MESSAGE",
      uri: "sip:bob@example.com",
      headers: [
        ["v", `SIP/2.0/TCP 10.0.0.1:5060;branch=${generateBranch()}`],
        ["Max-Forwards", "70"],
        ["From", formatNameAddr("sip:alice@example.com", 'Alice "A"', new Map([["tag", generateTag()]]))],
        ["To", "<sip:bob@example.com>"],
        ["Call-ID", generateCallId("example.com")],
        ["CSeq", "1 MESSAGE"],
        ["Content-Type", "text/plain"],
      ],
      body: Buffer.from("hi"),
    });
    assert.equal(req.headers[0].name, "Via");
    const r = parseMessage(req.serialize());
    assert.ok(r.ok, r.ok ? "" : r.error.reason);
    assert.equal(r.message.from?.displayName, 'Alice "A"');
    assert.equal(r.message.body.toString(), "hi");
  });
});

describe("helpers", () => {
  it("generateBranch/Tag/CallId are well formed and unique", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = generateBranch();
      assert.match(b, /^z9hG4bK[A-Za-z0-9_-]{16}$/);
      seen.add(b);
      seen.add(generateTag());
      seen.add(generateCallId());
    }
    assert.equal(seen.size, 6000);
  });

  it("reasonPhrase() knows the standard codes", () => {
    assert.equal(reasonPhrase(200), "OK");
    assert.equal(reasonPhrase(481), "Call/Transaction Does Not Exist");
    assert.equal(reasonPhrase(505), "Version Not Supported");
    assert.equal(reasonPhrase(499), "Bad Request");
  });

  it("toUtf8/fromUtf8 convert between byte strings and text", () => {
    assert.equal(fromUtf8("é"), "\xc3\xa9");
    assert.equal(toUtf8("\xc3\xa9"), "é");
  });

  it("uriEquals() follows RFC 3261 19.1.4", () => {
    assert.ok(uriEquals("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"));
    assert.ok(!uriEquals("sip:alice@atlanta.com", "sip:ALICE@atlanta.com"));
    assert.ok(!uriEquals("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
    assert.ok(!uriEquals("sip:bob@biloxi.com", "sips:bob@biloxi.com"));
    assert.ok(!uriEquals("sip:bob@biloxi.com;transport=udp", "sip:bob@biloxi.com"));
    assert.ok(uriEquals("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5"));
    assert.ok(!uriEquals("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"));
    assert.ok(!uriEquals("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"));
    assert.ok(
      uriEquals(
        "sip:carol@chicago.com?Subject=next%20meeting",
        "sip:carol@chicago.com?subject=next%20meeting",
      ),
    );
  });

  it("standalone parsers return undefined on bad input", () => {
    assert.equal(parseUri("not a uri"), undefined);
    assert.equal(parseUri("sip:"), undefined);
    assert.equal(parseNameAddr('"unterminated <sip:a@b>'), undefined);
    assert.equal(parseNameAddr("<sip:a@b>;;"), undefined);
    assert.equal(parseVia("SIP/2.0/UDP"), undefined);
    assert.equal(parseVia("SIP/2.0/UDP h;rport=x"), undefined);
    const u = parseUri("sips:alice:pw@[2001:db8::1]:5061;transport=tcp;lr?Subject=x&Priority=urgent");
    assert.equal(u?.scheme, "sips");
    assert.equal(u?.password, "pw");
    assert.equal(u?.params.get("lr"), null);
    assert.deepEqual(u?.headers, [
      ["Subject", "x"],
      ["Priority", "urgent"],
    ]);
    assert.equal(
      u && formatUri(u),
      "sips:alice:pw@[2001:db8::1]:5061;transport=tcp;lr?Subject=x&Priority=urgent",
    );
    assert.equal(parseUri("tel:+1-201-555-0123;phone-context=example.com")?.user, "+1-201-555-0123");
  });

  it("parseMessage() reports empty input and garbage without throwing", () => {
    for (const bad of ["", "\r\n\r\n", "hello", "SIP/2.0 abc OK\r\n\r\n", "\x00\xff\r\n"]) {
      const r = parseMessage(Buffer.from(bad, "latin1"));
      assert.equal(r.ok, false);
    }
  });
});
