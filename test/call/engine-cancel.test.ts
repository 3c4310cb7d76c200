/**
 * Requirement: the caller's CANCEL ends a ringing call (RFC 3261 9.2: 200 to the CANCEL, 487 to the
 * INVITE) and cancels every branch (RFC 3261 16.10); a CANCEL that crosses the callee's 200 ends
 * the call whichever reaches Parley first (RFC 3261 9.1, 9.2: a CANCEL after the final response
 * has no effect; the answered side is then ended with BYE). Proven over the loop transport.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onlyCdr, ring } from "./flows.js";
import { createEngineHarness } from "./harness.js";

describe("the caller's CANCEL", () => {
  describe("while every branch rings", () => {
    it("MUST be answered 200, the INVITE 487 (RFC 3261 9.2), and every branch cancelled (RFC 3261 16.10)", async () => {
      const h = createEngineHarness();
      const alice = h.phone("100");
      const desk = h.phone("101");
      const mobile = h.phone("101");
      const call = await ring(h, alice, "101", [desk, mobile]);
      assert.equal(call.cancel(), true);
      await h.run(50);
      assert.equal(call.status, 487);
      for (const phone of [desk, mobile]) {
        assert.equal(phone.got("CANCEL").length, 1, `${phone.contact} is cancelled`);
        assert.equal(phone.lastInvite.state, "rejected", "and answers 487");
      }
      const cdr = onlyCdr(h);
      assert.equal(cdr.disposition, "cancelled");
      assert.equal(cdr.sipStatus, 487);
      assert.equal(h.activeCalls(), 0);
    });
  });

  describe("crossing the callee's 200", () => {
    it("arriving after the 200: the caller gets the 200 and its BYE ends both legs (RFC 3261 9.2: too late to cancel)", async () => {
      const h = createEngineHarness();
      const alice = h.phone("100");
      const bob = h.phone("101");
      const call = await ring(h, alice, "101", [bob]);
      // Same instant: the 200 is on its way to Parley when the caller's CANCEL leaves.
      bob.answer();
      call.cancel();
      await h.run(50);
      assert.equal(call.status, 200, "the INVITE was answered before the CANCEL arrived");
      assert.equal(bob.got("CANCEL").length, 0, "nothing to cancel toward the callee");
      // RFC 3261 9.1: a UAC whose CANCEL came too late ends the session with BYE.
      assert.equal((await h.until(call.hangup())).status, 200);
      await h.run(50);
      assert.equal(bob.got("BYE").length, 1);
      assert.equal(onlyCdr(h).disposition, "answered");
      assert.equal(h.activeCalls(), 0);
    });

    it("arriving before the 200: 487 to the caller; the callee's 200 is ACKed and ended with BYE", async () => {
      const h = createEngineHarness();
      const alice = h.phone("100");
      const bob = h.phone("101");
      const call = await ring(h, alice, "101", [bob]);
      // Same instant, the other way round: the CANCEL reaches Parley first, the callee answers
      // before Parley's CANCEL reaches it.
      call.cancel();
      const late = bob.answer();
      await h.run(100);
      assert.equal(call.status, 487);
      assert.equal(call.dialog, undefined, "the caller never had a session");
      assert.equal(bob.got("CANCEL").length, 1, "Parley cancelled the branch");
      assert.equal(bob.got("ACK").length, 1, "the 2xx that crossed it is ACKed (RFC 3261 13.2.2.4)");
      assert.equal(bob.got("BYE").length, 1, "and ended with BYE");
      assert.equal(late.state, "terminated");
      assert.equal(onlyCdr(h).disposition, "cancelled");
      assert.equal(h.activeCalls(), 0);
    });
  });

  describe("a BYE in the caller's early dialog", () => {
    it("ends the ringing call like a CANCEL (RFC 3261 15.1.2)", async () => {
      const h = createEngineHarness();
      const alice = h.phone("100");
      const bob = h.phone("101");
      const call = await ring(h, alice, "101", [bob]);
      const early = [...call.invite.dialogs.values()][0];
      assert.equal(early?.state, "early");
      await h.until(early.bye());
      await h.run(50);
      assert.equal(call.status, 487, "the INVITE pending in that dialog is answered 487 (RFC 3261 15.1.2)");
      assert.equal(bob.got("CANCEL").length, 1, "the branch is cancelled");
      assert.equal(onlyCdr(h).disposition, "cancelled");
      assert.equal(h.activeCalls(), 0);
    });
  });
});
