import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createRequest,
  createResponse,
  generateBranch,
  parseMessage,
  parseUri,
} from "../../src/sip/index.js";

const INVITE = Buffer.from(
  "INVITE sip:bob@example.com SIP/2.0\r\n" +
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport\r\n" +
    "Max-Forwards: 70\r\n" +
    "From: Alice <sip:alice@example.com>;tag=1928301774\r\n" +
    "To: <sip:bob@example.com>\r\n" +
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
    "CSeq: 314159 INVITE\r\n" +
    "Contact: <sip:alice@192.0.2.1>\r\n" +
    "Content-Length: 4\r\n\r\nabcd",
  "latin1",
);

describe("parseMessage() on a plain INVITE", () => {
  it("reads the essentials", () => {
    const r = parseMessage(INVITE);
    assert.ok(r.ok);
    const m = r.message;
    assert.equal(m.kind, "request");
    assert.equal(m.callId, "a84b4c76e66710@pc33.example.com");
    assert.deepEqual(m.cseq, { seq: 314159, method: "INVITE" });
    assert.equal(m.topVia?.branch, "z9hG4bKabc");
    assert.equal(m.topVia?.rport, null);
    assert.equal(m.from?.tag, "1928301774");
    assert.equal(m.to?.tag, undefined);
    assert.equal(m.body.toString(), "abcd");
    assert.deepEqual(m.serialize(), INVITE);
  });
});

describe("createResponse()", () => {
  it("copies Via, From, To, Call-ID, CSeq and adds the To tag", () => {
    const r = parseMessage(INVITE);
    assert.ok(r.ok && r.message.kind === "request");
    const res = createResponse(r.message, 180, undefined, { toTag: "xyz" });
    const back = parseMessage(res.serialize());
    assert.ok(back.ok);
    assert.equal(back.message.kind === "response" && back.message.reason, "Ringing");
    assert.equal(back.message.to?.tag, "xyz");
    assert.equal(back.message.get("content-length"), "0");
  });
});

describe("createRequest()", () => {
  it("serializes to a parsable request with Content-Length", () => {
    const req = createRequest({
      method: "OPTIONS",
      uri: "sip:bob@example.com",
      headers: [
        ["Via", `SIP/2.0/UDP 192.0.2.1;branch=${generateBranch()}`],
        ["From", "<sip:a@example.com>;tag=1"],
        ["To", "<sip:bob@example.com>"],
        ["Call-ID", "x@y"],
        ["CSeq", "1 OPTIONS"],
      ],
    });
    const back = parseMessage(req.serialize());
    assert.ok(back.ok, back.ok ? "" : back.error.reason);
    assert.equal(back.message.get("content-length"), "0");
  });
});

describe("a raw # in the user part (phones dialling feature codes)", () => {
  it("is taken as part of the user, as %23 would be", () => {
    assert.equal(parseUri("sip:*93*101#@pbx.example.com")?.user, "*93*101#");
    assert.equal(parseUri("sip:*78#@10.0.0.1:5060;transport=udp")?.user, "*78#");
  });
});
