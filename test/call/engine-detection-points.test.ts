/**
 * Requirement (issue 13, docs/call-lifecycle.md): services attach at the call lifecycle's
 * detection points through the engine's one ordered table, and the engine acts on their verdicts:
 * ring other targets or route another number with the forwarding user's rights ("reachesCallee",
 * "busy", "noAnswer", "unreachable"), refuse ("attempted"), with loops ended by 482; the
 * notification points ("answered", "held", "ended") are told in order; a service that throws is
 * skipped. The engine publishes typed call events and answers a user's live state from them.
 * Proven over the loop transport with hand-made handlers standing for the services to come.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CallEventName } from "../../src/call/call-events.js";
import { onlyCdr, ring } from "./flows.js";
import { createEngineHarness } from "./harness.js";

/** A forwarding rule as the forwarding service will register it: `from` goes to `to`. */
function forward(from: string, to: string) {
  return (context: { callee?: { user: string } }) =>
    context.callee?.user === from ? { kind: "route" as const, number: to, asUser: from } : undefined;
}

describe("the 'reachesCallee' detection point", () => {
  it("routes another number with the forwarding user's rights: the new callee rings, the first does not", async () => {
    const h = createEngineHarness();
    h.engine.points.decide("reachesCallee", "forward-unconditional", forward("101", "102"));
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    await ring(h, alice, "101", [carol]);
    assert.equal(bob.invites.length, 0, "the forwarding user's phone does not ring");
    assert.equal(
      carol.lastInvite.request.to?.uri.user,
      "102",
      "the forwarded leg is addressed to its callee",
    );
    carol.answer();
    await h.run(50);
    await h.until(h.engine.hangup(h.engine.list()[0]!.id));
    await h.run(50);
    assert.equal(onlyCdr(h).callee, "102", "the CDR names the final callee");
  });

  it("ends a forwarding loop with 482 Loop Detected (RFC 3261 21.4.20), ringing nobody", async () => {
    const h = createEngineHarness();
    h.engine.points.decide("reachesCallee", "a", forward("101", "102"));
    h.engine.points.decide("reachesCallee", "b", forward("102", "101"));
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    const call = alice.call("101");
    await h.run(50);
    assert.equal(call.status, 482);
    assert.equal(bob.invites.length + carol.invites.length, 0);
    assert.equal(onlyCdr(h).sipStatus, 482);
  });

  it("asks handlers in their order: the lower order's verdict wins", async () => {
    const h = createEngineHarness();
    h.engine.points.decide("reachesCallee", "late", forward("101", "100"), 200);
    h.engine.points.decide("reachesCallee", "early", forward("101", "102"), 10);
    const alice = h.phone("100");
    const carol = h.phone("102");
    await ring(h, alice, "101", [carol]);
  });

  it("skips a service that throws and rings the callee as usual", async () => {
    const h = createEngineHarness();
    h.engine.points.decide("reachesCallee", "broken", () => {
      throw new Error("broken service");
    });
    const alice = h.phone("100");
    const bob = h.phone("101");
    await ring(h, alice, "101", [bob]);
  });
});

describe("the 'busy', 'noAnswer' and 'unreachable' detection points", () => {
  it("'busy': a callee answering 486 is forwarded to another user, who answers the caller", async () => {
    const h = createEngineHarness();
    const seen: number[] = [];
    h.engine.points.decide("busy", "forward-busy", (context) => {
      seen.push(context.failure?.status ?? 0);
      return forward("101", "102")(context);
    });
    const events: CallEventName[] = [];
    h.engine.on("retargeted", ({ before, after }) =>
      events.push(`retargeted:${before.user}>${after.user}` as never),
    );
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    bob.onIncoming = 486;
    const call = alice.call("101");
    await h.run(50);
    assert.deepEqual(seen, [486], "the handler is told the failure");
    assert.equal(carol.invites.length, 1, "the forward target rings");
    assert.deepEqual(events, ["retargeted:101>102"]);
    carol.answer();
    await h.run(50);
    assert.equal(call.status, 200, "the caller never saw the 486");
  });

  it("'busy' also applies when the callee is at its concurrency limit (no INVITE sent to it)", async () => {
    const h = createEngineHarness({
      users: [{ name: "100" }, { name: "101", maxConcurrentCalls: 0 }, { name: "102" }],
    });
    h.engine.points.decide("busy", "forward-busy", forward("101", "102"));
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    await ring(h, alice, "101", [carol]);
    assert.equal(bob.invites.length, 0);
  });

  it("'noAnswer': after the callee's no-answer time its devices are cancelled and the target rings", async () => {
    const h = createEngineHarness({
      users: [{ name: "100" }, { name: "101", noAnswerTime: 5 }, { name: "102" }],
    });
    h.engine.points.decide("noAnswer", "forward-no-answer", forward("101", "102"));
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    const call = await ring(h, alice, "101", [bob]);
    await h.run(5_100, 100);
    assert.equal(bob.got("CANCEL").length, 1, "the unanswered device is cancelled");
    assert.equal(carol.invites.length, 1, "the forward target rings");
    assert.equal(call.status, undefined, "the caller still hears ringing");
  });

  it("'unreachable': a callee with no device is forwarded", async () => {
    const h = createEngineHarness();
    h.engine.points.decide("unreachable", "forward-unreachable", forward("101", "102"));
    const alice = h.phone("100");
    const carol = h.phone("102");
    await ring(h, alice, "101", [carol]);
  });

  it("without a verdict the caller gets the failure as before (480 for no device)", async () => {
    const h = createEngineHarness();
    h.engine.points.decide("unreachable", "nothing", () => undefined);
    const alice = h.phone("100");
    const call = alice.call("101");
    await h.run(50);
    assert.equal(call.status, 480);
  });
});

describe("the 'attempted' detection point", () => {
  it("refuses a call before routing with a catalogue status, and records it", async () => {
    const h = createEngineHarness();
    h.engine.points.decide("attempted", "blacklist", (context) =>
      context.caller.user === "100" ? { kind: "refuse", code: "busy" } : undefined,
    );
    const alice = h.phone("100");
    const bob = h.phone("101");
    const call = alice.call("101");
    await h.run(50);
    assert.equal(call.status, 486);
    assert.equal(bob.invites.length, 0);
    assert.equal(onlyCdr(h).disposition, "busy");
  });
});

describe("notification points and call events", () => {
  it("tell 'answered', 'held' and 'ended' in order, and the events follow the call with their payloads", async () => {
    const h = createEngineHarness();
    const told: string[] = [];
    h.engine.points.notify("answered", "t", ({ call }) => told.push(`answered:${call.callee.user}`));
    h.engine.points.notify("held", "t", ({ by, held }) => told.push(`held:${by.user}:${held}`));
    h.engine.points.notify("ended", "t", ({ record }) => told.push(`ended:${record.disposition}`));
    const events: string[] = [];
    for (const name of ["created", "ringing", "answered", "held", "ended"] as const)
      h.engine.on(name, () => events.push(name));
    const alice = h.phone("100");
    const bob = h.phone("101");
    const call = await ring(h, alice, "101", [bob]);
    assert.equal(h.engine.userState(1, "101"), "ringing");
    bob.answer();
    await h.run(50);
    assert.equal(h.engine.userState(1, "100"), "talking");
    assert.equal(h.engine.userState(1, "101"), "talking");
    assert.equal((await h.until(call.hold())).status, 200);
    await h.run(50);
    await h.until(call.hangup());
    await h.run(50);
    assert.deepEqual(told, ["answered:101", "held:100:true", "ended:answered"]);
    assert.deepEqual(events, ["created", "ringing", "answered", "held", "ended"]);
    assert.equal(h.engine.userState(1, "101"), "online", "the live state follows the call's end");
  });
});
