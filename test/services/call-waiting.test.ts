/**
 * Call waiting (issue 15) on the engine's real SIP stack over the loop transport: a second call to
 * a talking user rings that user's phone when the user has the right, and takes the busy path
 * (forwarding on busy, else 486) when not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registerCallWaiting } from "../../src/services/call-waiting/call-waiting.js";
import { registerForwarding } from "../../src/services/forwarding/forwarding.js";
import { createEngineHarness, type TestUser } from "../call/harness.js";

const off = { enabled: false, number: "" };

async function secondCall(users: TestUser[]) {
  const h = createEngineHarness({ users });
  registerForwarding(h.engine.points, h.users);
  registerCallWaiting(h.engine.points, {
    talking: (domainId, user) => h.engine.userState(domainId, user) === "talking",
  });
  const alice = h.phone("100");
  const bob = h.phone("101");
  const carol = h.phone("102");
  const dave = h.phone("103");
  const first = alice.call("101");
  await h.run(50);
  bob.answer();
  await h.run(50);
  assert.equal(first.status, 200);
  assert.equal(h.engine.userState(1, "101"), "talking");
  const second = carol.call("101");
  await h.run(50);
  return { h, bob, dave, second };
}

describe("call waiting", () => {
  it("with the right, a second call rings the talking user's phone", async () => {
    const { bob, second } = await secondCall([
      { name: "100" },
      { name: "101", callWaiting: true },
      { name: "102" },
      { name: "103" },
    ]);
    assert.equal(bob.invites.length, 2, "the phone is offered the waiting call");
    assert.equal(second.status, undefined, "still ringing");
  });

  it("without the right, a second call gets 486 and the phone is not disturbed", async () => {
    const { bob, second } = await secondCall([
      { name: "100" },
      { name: "101", callWaiting: false },
      { name: "102" },
      { name: "103" },
    ]);
    assert.equal(second.status, 486);
    assert.equal(bob.invites.length, 1);
  });

  it("without the right, forwarding on busy applies", async () => {
    const { bob, dave, second } = await secondCall([
      { name: "100" },
      {
        name: "101",
        callWaiting: false,
        forwarding: {
          unconditional: off,
          unreachable: off,
          noAnswer: off,
          busy: { enabled: true, number: "103" },
        },
      },
      { name: "102" },
      { name: "103" },
    ]);
    assert.equal(bob.invites.length, 1);
    assert.equal(dave.invites.length, 1, "the busy forwarding target rings");
    assert.equal(second.status, undefined);
  });
});
