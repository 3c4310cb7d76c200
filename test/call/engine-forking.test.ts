/**
 * Requirement: a call to a user with several bindings rings them all in parallel (RFC 3261 16.6),
 * the first 2xx wins and the other branches are cancelled with a Reason (RFC 3261 16.7 step 10,
 * RFC 3326), a 2xx arriving too late is ACKed and ended with BYE (RFC 3261 13.2.2.4), and when every
 * branch fails the caller gets the best of their responses (RFC 3261 16.7 step 6). Proven over the
 * loop transport with the call engine's real SIP stack; media relay and sequential (outbound)
 * forking are not covered here.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onlyCdr, ring } from "./flows.js";
import { createEngineHarness } from "./harness.js";

const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

function twoDevices() {
  const h = createEngineHarness();
  const alice = h.phone("100");
  const desk = h.phone("101");
  const mobile = h.phone("101");
  return { h, alice, desk, mobile };
}

describe("a call to a user with two bindings", () => {
  it("MUST ring every binding in parallel (RFC 3261 16.6)", async () => {
    const { h, alice, desk, mobile } = twoDevices();
    await ring(h, alice, "101", [desk, mobile]);
    const [a, b] = [desk.lastInvite.request, mobile.lastInvite.request];
    assert.equal(a.uri.raw, desk.contact, "each INVITE goes to its binding's Contact");
    assert.equal(b.uri.raw, mobile.contact);
    assert.notEqual(a.callId, b.callId, "each callee leg is its own dialog (a B2BUA, not a proxy)");
    assert.equal(a.to?.uri.user, "101");
    assert.equal(a.from?.uri.user, "100");
  });

  describe("upon the first 2xx", () => {
    it("MUST pass it to the caller and CANCEL the other branch with Reason cause=200 (RFC 3261 16.7 step 10, RFC 3326)", async () => {
      const { h, alice, desk, mobile } = twoDevices();
      const call = await ring(h, alice, "101", [desk, mobile]);
      desk.answer();
      await h.run(50);
      assert.equal(call.status, 200);
      assert.equal(call.statuses.filter((s) => s === 200).length, 1, "the caller gets exactly one 200");
      const cancels = mobile.got("CANCEL");
      assert.equal(cancels.length, 1, "the losing branch is cancelled");
      assert.equal(cancels[0]!.get("reason"), COMPLETED_ELSEWHERE);
      assert.equal(mobile.lastInvite.state, "rejected", "the losing branch answered 487");
      assert.equal(desk.got("CANCEL").length, 0, "the winner is not cancelled");
      assert.equal(h.activeCalls(), 1);
    });

    it("bridges the caller with the winner only: the caller's BYE reaches the winner", async () => {
      const { h, alice, desk, mobile } = twoDevices();
      const call = await ring(h, alice, "101", [desk, mobile]);
      desk.answer();
      await h.run(50);
      assert.equal((await h.until(call.hangup())).status, 200);
      await h.run(50);
      assert.equal(desk.got("BYE").length, 1);
      assert.equal(mobile.got("BYE").length, 0, "the cancelled branch had no dialog to end");
      const cdr = onlyCdr(h);
      assert.equal(cdr.disposition, "answered");
      assert.equal(cdr.callee, "101");
      assert.deepEqual(
        cdr.legs.map((l) => [l.role, l.peer, l.status]),
        [
          ["caller", alice.contact, 200],
          ["callee", desk.contact, 200],
          ["callee", mobile.contact, 487],
        ],
      );
      assert.equal(h.activeCalls(), 0);
    });
  });

  describe("upon a 2xx from a branch that already lost", () => {
    it("MUST ACK it and end that dialog with BYE (RFC 3261 13.2.2.4), the call going on with the winner", async () => {
      const { h, alice, desk, mobile } = twoDevices();
      const call = await ring(h, alice, "101", [desk, mobile]);
      // Both answer at the same instant: the desk's 200 reaches Parley first, the mobile's 200
      // crosses Parley's CANCEL.
      desk.answer();
      const late = mobile.answer();
      await h.run(100);
      assert.equal(call.statuses.filter((s) => s === 200).length, 1, "the caller gets one 200");
      assert.equal(mobile.got("ACK").length, 1, "the late 2xx is ACKed");
      assert.equal(mobile.got("BYE").length, 1, "then ended with BYE");
      assert.equal(late.state, "terminated");
      assert.equal(desk.got("BYE").length, 0, "the winner stays up");
      assert.equal(h.activeCalls(), 1);
      await h.until(call.hangup());
      await h.run(50);
      assert.equal(desk.got("BYE").length, 1, "the caller's BYE reaches the winner");
      assert.equal(h.activeCalls(), 0);
    });
  });

  describe("when a branch fails while another rings", () => {
    it("keeps ringing the other; its answer completes the call", async () => {
      const { h, alice, desk, mobile } = twoDevices();
      const call = await ring(h, alice, "101", [desk, mobile]);
      desk.lastInvite.reject(486);
      await h.run(50);
      assert.equal(call.status, undefined, "no final response while a branch still rings");
      mobile.answer();
      await h.run(50);
      assert.equal(call.status, 200);
    });
  });

  describe("when every branch fails (RFC 3261 16.7 step 6)", () => {
    const cases: Array<[string, number, number, number]> = [
      ["a 6xx wins over a 4xx", 486, 603, 603],
      ["a 4xx is chosen over a 5xx", 503, 486, 486],
      ["the lowest 4xx is chosen", 486, 404, 404],
    ];
    for (const [name, first, second, best] of cases) {
      it(`passes the best response to the caller: ${name} (${first} + ${second} -> ${best})`, async () => {
        const { h, alice, desk, mobile } = twoDevices();
        const call = await ring(h, alice, "101", [desk, mobile]);
        desk.lastInvite.reject(first);
        await h.run(50);
        mobile.lastInvite.reject(second);
        await h.run(50);
        assert.equal(call.status, best);
        const cdr = onlyCdr(h);
        assert.equal(cdr.sipStatus, best);
        assert.equal(cdr.callee, "101");
        assert.deepEqual(
          cdr.legs.filter((l) => l.role === "callee").map((l) => l.status),
          [first, second],
        );
        assert.equal(h.activeCalls(), 0);
      });
    }

    it("a callee's challenge (407) is not relayed to the caller: it becomes 503", async () => {
      const { h, alice, desk, mobile } = twoDevices();
      const call = await ring(h, alice, "101", [desk, mobile]);
      desk.lastInvite.reject(407);
      mobile.lastInvite.reject(503);
      await h.run(50);
      assert.equal(call.status, 503);
    });

    it("a busy callee's 486 reaches the caller, recorded as busy", async () => {
      const h = createEngineHarness();
      const alice = h.phone("100");
      const bob = h.phone("101");
      bob.onIncoming = 486;
      const call = alice.call("101");
      await h.run(50);
      assert.equal(call.status, 486);
      const cdr = onlyCdr(h);
      assert.equal(cdr.disposition, "busy");
      assert.equal(cdr.sipStatus, 486);
    });
  });
});
