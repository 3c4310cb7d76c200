/**
 * Requirement: an answered call is two bridged dialogs (RFC 3261 6, B2BUA). A BYE from either side
 * is answered and passed to the other (RFC 3261 15.1.2); a re-INVITE (hold, RFC 3264 8.4) is relayed
 * to the other side with its SDP and the answer comes back; an in-dialog OPTIONS is answered by
 * Parley itself (RFC 3261 11.2); the CDR says who talked and for how long.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answered, onlyCdr } from "./flows.js";
import { createEngineHarness } from "./harness.js";

function call() {
  const h = createEngineHarness();
  return { h, alice: h.phone("100"), bob: h.phone("101") };
}

describe("an answered call", () => {
  it("passes the callee's SDP answer to the caller and the caller's offer to the callee", async () => {
    const { h, alice, bob } = call();
    const { call: placed } = await answered(h, alice, bob);
    assert.match(bob.lastInvite.request.body.toString(), /^o=100 /m, "the caller's offer reached the callee");
    assert.match(placed.final!.body.toString(), /^o=101 /m, "the callee's answer reached the caller");
  });

  describe("upon the caller's BYE", () => {
    it("MUST answer it 200 and send BYE to the callee (RFC 3261 15.1.2)", async () => {
      const { h, alice, bob } = call();
      const { call: placed, calleeDialog } = await answered(h, alice, bob);
      await h.run(2_000, 100);
      assert.equal((await h.until(placed.hangup())).status, 200);
      await h.run(50);
      assert.equal(bob.got("BYE").length, 1);
      assert.equal(calleeDialog.state, "terminated");
      const cdr = onlyCdr(h);
      assert.equal(cdr.disposition, "answered");
      assert.equal(cdr.sipStatus, 200);
      assert.equal(cdr.caller, "100");
      assert.equal(cdr.callee, "101");
      assert.ok(cdr.answeredAt !== undefined && cdr.endedAt - cdr.answeredAt >= 2_000, "talk time recorded");
      assert.equal(h.activeCalls(), 0);
    });
  });

  describe("upon the callee's BYE", () => {
    it("MUST answer it 200 and send BYE to the caller (RFC 3261 15.1.2)", async () => {
      const { h, alice, bob } = call();
      const { call: placed, calleeDialog } = await answered(h, alice, bob);
      assert.equal((await h.until(calleeDialog.bye())).status, 200);
      await h.run(50);
      assert.equal(alice.got("BYE").length, 1);
      assert.equal(placed.dialog?.state, "terminated");
      assert.equal(onlyCdr(h).disposition, "answered");
      assert.equal(h.activeCalls(), 0);
    });
  });

  describe("upon a re-INVITE putting the other side on hold", () => {
    it("relays it with its SDP to the other side and returns the answer (RFC 3261 14, RFC 3264 8.4)", async () => {
      const { h, alice, bob } = call();
      const { call: placed } = await answered(h, alice, bob);
      const answer = await h.until(placed.hold());
      assert.equal(answer.status, 200);
      const reinvites = bob.got("INVITE").slice(1);
      assert.equal(reinvites.length, 1, "the callee receives the re-INVITE");
      assert.match(reinvites[0]!.body.toString(), /a=sendonly/, "with the caller's hold SDP");
      assert.match(answer.body.toString(), /^o=101 /m, "the callee's answer comes back");
      assert.equal(h.activeCalls(), 1, "the call goes on");
    });

    it("relays the callee's re-INVITE to the caller the same way", async () => {
      const { h, alice, bob } = call();
      const { calleeDialog } = await answered(h, alice, bob);
      const answer = await h.until(calleeDialog.request("INVITE", { body: bob.sdp("sendonly") }));
      assert.equal(answer.status, 200);
      assert.match(alice.got("INVITE").at(-1)?.body.toString() ?? "", /a=sendonly/);
    });
  });

  describe("upon an in-dialog OPTIONS", () => {
    it("answers it 200 with Allow itself, without bothering the other side (RFC 3261 11.2)", async () => {
      const { h, alice, bob } = call();
      const { call: placed } = await answered(h, alice, bob);
      const answer = await h.until(placed.dialog!.request("OPTIONS"));
      assert.equal(answer.status, 200);
      assert.match(answer.getAll("allow").join(", "), /\bINVITE\b.*\bBYE\b/);
      assert.equal(bob.got("OPTIONS").length, 0);
    });
  });
});
