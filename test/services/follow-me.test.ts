/**
 * Follow-me (issue 15) on the engine's real SIP stack over the loop transport: strategy 0 rings
 * every destination at once, 1 the next when the current fails, 2 the next after the interval;
 * the user's own number rings its own devices; an outside destination is routed with the user's
 * call right.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registerFollowMe } from "../../src/services/follow-me/follow-me.js";
import { createEngineHarness, type TestUser } from "../call/harness.js";

function harness(users: TestUser[]) {
  const h = createEngineHarness({ users, noAnswerTime: 30 });
  registerFollowMe(h.engine.points, 30);
  return h;
}

const follow = (strategy: 0 | 1 | 2, destinations: [string, string, string], interval = 20) => ({
  strategy,
  interval,
  destinations,
});

describe("follow-me", () => {
  it("strategy 0 rings every destination at once, the user's own devices included", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", followMe: follow(0, ["101", "102", "103"]) },
      { name: "102" },
      { name: "103" },
    ]);
    const alice = h.phone("100");
    const [bob, carol, dave] = [h.phone("101"), h.phone("102"), h.phone("103")];
    const call = alice.call("101");
    await h.run(50);
    assert.deepEqual(
      [bob, carol, dave].map((p) => p.invites.length),
      [1, 1, 1],
    );
    dave.answer();
    await h.run(50);
    assert.equal(call.status, 200);
    assert.equal(bob.got("CANCEL").length + carol.got("CANCEL").length, 2, "the others are cancelled");
  });

  it("strategy 1 rings the next when the current fails", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", followMe: follow(1, ["102", "103", ""]) },
      { name: "102" },
      { name: "103" },
    ]);
    const alice = h.phone("100");
    const carol = h.phone("102");
    const dave = h.phone("103");
    carol.onIncoming = 486;
    alice.call("101");
    await h.run(50);
    assert.equal(carol.invites.length, 1);
    assert.equal(dave.invites.length, 1, "B failed, C rings");
  });

  it("strategy 2 rings the next after the interval", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", followMe: follow(2, ["102", "103", ""], 5) },
      { name: "102" },
      { name: "103" },
    ]);
    const alice = h.phone("100");
    const carol = h.phone("102");
    const dave = h.phone("103");
    alice.call("101");
    await h.run(50);
    assert.equal(carol.invites.length, 1);
    assert.equal(dave.invites.length, 0, "not before the interval");
    await h.run(5_100, 100);
    assert.equal(carol.got("CANCEL").length, 1);
    assert.equal(dave.invites.length, 1, "after the interval");
  });

  it("with every destination failed the caller gets the best failure", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", followMe: follow(0, ["102", "103", ""]) },
      { name: "102" },
      { name: "103" },
    ]);
    const alice = h.phone("100");
    const carol = h.phone("102");
    const dave = h.phone("103");
    carol.onIncoming = 486;
    dave.onIncoming = 486;
    const call = alice.call("101");
    await h.run(50);
    assert.equal(call.status, 486);
  });
});
