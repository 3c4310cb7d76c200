/**
 * Requirement (issue 4, FEATURES.md section 2): a call that rings longer than the callee's
 * no-answer time (the system's when the user has none) ends with 480 to the caller and CANCEL to
 * every branch; an answered call longer than the caller's maximum duration is ended by Parley
 * with BYE on both legs. Proven in virtual time: no real sleeps.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answered, onlyCdr, ring } from "./flows.js";
import { createEngineHarness } from "./harness.js";

describe("the no-answer timer", () => {
  it("fires at the system's no-answer time: 480 to the caller, CANCEL to every branch", async () => {
    const h = createEngineHarness({ noAnswerTime: 20 });
    const alice = h.phone("100");
    const desk = h.phone("101");
    const mobile = h.phone("101");
    const call = await ring(h, alice, "101", [desk, mobile]);
    await h.run(19_800, 100);
    assert.equal(call.status, undefined, "still ringing just before the no-answer time");
    assert.equal(desk.got("CANCEL").length, 0);
    await h.run(300, 100);
    assert.equal(call.status, 480);
    for (const phone of [desk, mobile])
      assert.equal(phone.got("CANCEL").length, 1, `${phone.contact} cancelled`);
    const cdr = onlyCdr(h);
    assert.equal(cdr.disposition, "no-answer");
    assert.equal(cdr.sipStatus, 480);
    assert.equal(h.activeCalls(), 0);
  });

  it("uses the callee's own no-answer time when it has one", async () => {
    const h = createEngineHarness({
      noAnswerTime: 60,
      users: [{ name: "100" }, { name: "101", noAnswerTime: 5 }],
    });
    const alice = h.phone("100");
    const bob = h.phone("101");
    const call = await ring(h, alice, "101", [bob]);
    await h.run(5_100, 100);
    assert.equal(call.status, 480);
    assert.equal(bob.got("CANCEL").length, 1);
  });

  it("stops once the call is answered", async () => {
    const h = createEngineHarness({ noAnswerTime: 20 });
    const alice = h.phone("100");
    const bob = h.phone("101");
    const { call } = await answered(h, alice, bob);
    await h.run(30_000, 500);
    assert.equal(call.dialog?.state, "confirmed", "the call outlives the no-answer time");
    assert.equal(bob.got("BYE").length, 0);
    assert.equal(h.activeCalls(), 1);
  });
});

describe("the maximum duration", () => {
  it("ends an answered call at the caller's maxDuration with BYE on both legs", async () => {
    const h = createEngineHarness({ users: [{ name: "100", maxDuration: 60 }, { name: "101" }] });
    const alice = h.phone("100");
    const bob = h.phone("101");
    const { call, calleeDialog } = await answered(h, alice, bob);
    await h.run(59_500, 500);
    assert.equal(alice.got("BYE").length, 0, "not before the maximum duration");
    await h.run(1_000, 100);
    assert.equal(alice.got("BYE").length, 1, "BYE to the caller");
    assert.equal(bob.got("BYE").length, 1, "BYE to the callee");
    assert.equal(call.dialog?.state, "terminated");
    assert.equal(calleeDialog.state, "terminated");
    const cdr = onlyCdr(h);
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.endedAt - (cdr.answeredAt ?? 0), 60_000, "the call lasted exactly the maximum");
    assert.equal(h.activeCalls(), 0);
  });

  it("does not apply to a caller without one (0 = no limit)", async () => {
    const h = createEngineHarness();
    const alice = h.phone("100");
    const bob = h.phone("101");
    await answered(h, alice, bob);
    await h.run(3_600_000, 60_000);
    assert.equal(bob.got("BYE").length, 0);
    assert.equal(h.activeCalls(), 1);
  });
});
