/** Refer-To and Replaces as the transfer code reads them (RFC 3515 2.1, RFC 3891 6.1). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRefer, parseReplaces } from "../../src/call/refer.js";
import { parseMessage } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";

function refer(...referTo: string[]): SipRequest {
  const text = [
    "REFER sip:parley@127.0.0.1 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKrefer1",
    "Max-Forwards: 70",
    "From: <sip:101@127.0.0.1>;tag=a",
    "To: <sip:100@127.0.0.1>;tag=b",
    "Call-ID: refer-test",
    "CSeq: 2 REFER",
    ...referTo.map((v) => `Refer-To: ${v}`),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const r = parseMessage(Buffer.from(text));
  assert.ok(r.ok && r.message.kind === "request");
  return r.message;
}

describe("parseRefer", () => {
  it("reads a blind transfer's target user", () => {
    const r = parseRefer(refer("<sip:102@pbx.example>"));
    assert.deepEqual(r, { ok: true, target: { uri: "sip:102@pbx.example", user: "102" } });
  });

  it("reads the escaped Replaces of an attended transfer (RFC 3891 6.1)", () => {
    const r = parseRefer(refer("<sip:102@pbx.example?Replaces=abc%40host%3Bto-tag%3D12%3Bfrom-tag%3D34>"));
    assert.ok(r.ok);
    assert.equal(r.target.uri, "sip:102@pbx.example");
    assert.deepEqual(r.target.replaces, { callId: "abc@host", toTag: "12", fromTag: "34", earlyOnly: false });
  });

  it("reads the compact form r (RFC 3515 2.1)", () => {
    const text = refer("<sip:102@pbx.example>").serialize().toString().replace("Refer-To:", "r:");
    const m = parseMessage(Buffer.from(text));
    assert.ok(m.ok && m.message.kind === "request");
    assert.equal(parseRefer(m.message).ok, true);
  });

  for (const [why, values, reason] of [
    ["none", [], "Missing Refer-To"],
    ["two", ["<sip:102@h>", "<sip:103@h>"], "More Than One Refer-To"],
    ["no user", ["<sip:pbx.example>"], "Refer-To Is Not A SIP URI With A User"],
    ["not sip", ["<tel:+15551234>"], "Refer-To Is Not A SIP URI With A User"],
    ["Replaces without tags", ["<sip:102@h?Replaces=abc>"], "Bad Replaces In Refer-To"],
  ] as const) {
    it(`refuses ${why}: "${reason}" (400, RFC 3515 2.4.1)`, () => {
      assert.deepEqual(parseRefer(refer(...values)), { ok: false, reason });
    });
  }
});

describe("parseReplaces", () => {
  it("needs both tags and reads early-only", () => {
    assert.deepEqual(parseReplaces("x@y;from-tag=1;to-tag=2;early-only"), {
      callId: "x@y",
      toTag: "2",
      fromTag: "1",
      earlyOnly: true,
    });
    assert.equal(parseReplaces("x@y;to-tag=2"), undefined);
    assert.equal(parseReplaces(""), undefined);
  });
});
