/**
 * Requirement (issue 4, FEATURES.md section 2, the lifecycle stage 'limits and lists'): a caller at
 * its maxConcurrentCalls or maxConcurrentOutgoingCalls is refused 403 with a reason saying which;
 * a callee at its maxConcurrentCalls is busy (486); each refusal leaves a CDR; a call that ends
 * frees its place. Counted over calls ringing and answered alike.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answered, onlyCdr, ring } from "./flows.js";
import { createEngineHarness, type TestUser } from "./harness.js";

/** Users 100 (alice), 101 (bob) and 102 (carol) with these settings, each with a registered phone. */
function users(settings: { [name: string]: Partial<TestUser> }) {
  const h = createEngineHarness({
    users: ["100", "101", "102"].map((name) => ({ ...settings[name], name })),
  });
  return { h, alice: h.phone("100"), bob: h.phone("101"), carol: h.phone("102") };
}

describe("the caller's limits", () => {
  it("refuses a caller at maxConcurrentCalls with 403 Maximum Concurrent Calls Reached, recorded", async () => {
    const { h, alice, bob, carol } = users({ "100": { maxConcurrentCalls: 1 } });
    await ring(h, alice, "101", [bob]);
    const second = alice.call("102");
    await h.run(50);
    assert.equal(second.status, 403);
    assert.equal(second.final?.reason, "Maximum Concurrent Calls Reached");
    assert.equal(carol.invites.length, 0, "the second callee is not rung");
    const cdr = onlyCdr(h);
    assert.equal(cdr.sipStatus, 403);
    assert.equal(cdr.sipReason, "Maximum Concurrent Calls Reached");
    assert.equal(cdr.disposition, "failed");
    assert.equal(cdr.dialed, "102");
  });

  it("counts the calls it receives too: a caller in a call it answered is at its limit of 1", async () => {
    const { h, alice, bob, carol } = users({ "100": { maxConcurrentCalls: 1 } });
    await answered(h, bob, alice);
    const call = alice.call("102");
    await h.run(50);
    assert.equal(call.status, 403);
    assert.equal(carol.invites.length, 0);
  });

  it("refuses a caller at maxConcurrentOutgoingCalls with 403 Maximum Concurrent Outgoing Calls Reached", async () => {
    const { h, alice, bob, carol } = users({ "100": { maxConcurrentOutgoingCalls: 1 } });
    await answered(h, alice, bob);
    const second = alice.call("102");
    await h.run(50);
    assert.equal(second.status, 403);
    assert.equal(second.final?.reason, "Maximum Concurrent Outgoing Calls Reached");
    assert.equal(carol.invites.length, 0);
    assert.equal(h.cdrs.at(-1)?.sipReason, "Maximum Concurrent Outgoing Calls Reached");
  });

  it("frees the place when the call ends: the next call goes through", async () => {
    const { h, alice, bob, carol } = users({ "100": { maxConcurrentCalls: 1 } });
    const { call } = await answered(h, alice, bob);
    await h.until(call.hangup());
    await h.run(50);
    await ring(h, alice, "102", [carol]);
  });
});

describe("the callee's limit", () => {
  it("makes a callee at maxConcurrentCalls busy: 486 to the next caller, recorded as busy", async () => {
    const { h, alice, bob, carol } = users({ "101": { maxConcurrentCalls: 1 } });
    await ring(h, alice, "101", [bob]);
    const second = carol.call("101");
    await h.run(50);
    assert.equal(second.status, 486);
    assert.equal(bob.invites.length, 1, "the busy callee is not rung again");
    const cdr = onlyCdr(h);
    assert.equal(cdr.disposition, "busy");
    assert.equal(cdr.callee, "101");
    assert.equal(cdr.caller, "102");
  });

  it("forbids every call to a user whose maxConcurrentCalls is 0", async () => {
    const { h, alice, bob } = users({ "101": { maxConcurrentCalls: 0 } });
    const call = alice.call("101");
    await h.run(50);
    assert.equal(call.status, 486);
    assert.equal(bob.invites.length, 0);
  });
});
