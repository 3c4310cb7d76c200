/**
 * Do not disturb (issue 15) on the engine's real SIP stack over the loop transport: a call to a
 * user with do-not-disturb on rings no device and takes the busy path (forwarding on busy when
 * active, else 486); with it off the phone rings; unconditional forwarding still applies. The
 * feature codes that switch it (*78/*79) are proven end to end in test/e2e/services-codes.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registerDoNotDisturb } from "../../src/services/dnd/dnd.js";
import { registerForwarding } from "../../src/services/forwarding/forwarding.js";
import { createEngineHarness, type TestUser } from "../call/harness.js";

const off = { enabled: false, number: "" };
const none = { unconditional: off, busy: off, noAnswer: off, unreachable: off };

function harness(users: TestUser[], forwarding = false) {
  const h = createEngineHarness({ users });
  registerDoNotDisturb(h.engine.points);
  if (forwarding) registerForwarding(h.engine.points, h.users);
  return h;
}

describe("do not disturb", () => {
  describe("upon a call to a user with doNotDisturb on", () => {
    it("MUST NOT ring the user's device and MUST answer 486 Busy Here", async () => {
      const h = harness([{ name: "100" }, { name: "101", doNotDisturb: true }]);
      const alice = h.phone("100");
      const bob = h.phone("101");
      const call = alice.call("101");
      await h.run(50);
      assert.equal(bob.invites.length, 0);
      assert.equal(call.status, 486);
    });

    it("MUST take the busy path: an active forwarding on busy sends the call on", async () => {
      const h = harness(
        [
          { name: "100" },
          {
            name: "101",
            doNotDisturb: true,
            forwarding: { ...none, busy: { enabled: true, number: "102" } },
          },
          { name: "102" },
        ],
        true,
      );
      const alice = h.phone("100");
      const bob = h.phone("101");
      const carol = h.phone("102");
      const call = alice.call("101");
      await h.run(50);
      assert.equal(bob.invites.length, 0);
      assert.equal(carol.invites.length, 1);
      assert.match(carol.lastInvite.request.get("diversion") ?? "", /^<sip:101@[^>]+>;reason=user-busy/);
      carol.answer();
      await h.run(50);
      assert.equal(call.status, 200);
    });

    it("MUST answer 486 when the busy forwarding has no right", async () => {
      const h = harness(
        [
          { name: "100" },
          {
            name: "101",
            doNotDisturb: true,
            forwarding: { ...none, busy: { enabled: false, number: "102" } },
          },
          { name: "102" },
        ],
        true,
      );
      const alice = h.phone("100");
      const carol = h.phone("102");
      const call = alice.call("101");
      await h.run(50);
      assert.equal(carol.invites.length, 0);
      assert.equal(call.status, 486);
    });

    it("MUST let unconditional forwarding win (the calls go elsewhere anyway)", async () => {
      const h = harness(
        [
          { name: "100" },
          {
            name: "101",
            doNotDisturb: true,
            forwarding: { ...none, unconditional: { enabled: true, number: "102" } },
          },
          { name: "102" },
        ],
        true,
      );
      const alice = h.phone("100");
      const carol = h.phone("102");
      alice.call("101");
      await h.run(50);
      assert.equal(carol.invites.length, 1);
      assert.match(carol.lastInvite.request.get("diversion") ?? "", /reason=unconditional/);
    });
  });

  describe("upon a call to a user with doNotDisturb off", () => {
    it("MUST ring the user's device", async () => {
      const h = harness([{ name: "100" }, { name: "101", doNotDisturb: false }]);
      const alice = h.phone("100");
      const bob = h.phone("101");
      const call = alice.call("101");
      await h.run(50);
      assert.equal(bob.invites.length, 1);
      bob.answer();
      await h.run(50);
      assert.equal(call.status, 200);
    });
  });
});
