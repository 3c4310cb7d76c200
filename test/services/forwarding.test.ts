/**
 * Call forwarding (issue 15) on the engine's real SIP stack over the loop transport: each kind
 * (unconditional, busy, no answer, unreachable) sends the call to the user's number only while the
 * right is on; the caller gets 181 with Call-Info purpose=forwarding; the new callee's INVITE
 * carries Diversion (RFC 5806) and History-Info (RFC 7044); a loop ends in 482; an outside number
 * is routed with the forwarding user's call right, not the caller's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registerForwarding } from "../../src/services/forwarding/forwarding.js";
import { createEngineHarness, type TestUser } from "../call/harness.js";

function rule(number: string, enabled = true) {
  return { enabled, number };
}

function harness(users: TestUser[], extra: Parameters<typeof createEngineHarness>[0] = {}) {
  const h = createEngineHarness({ users, ...extra });
  registerForwarding(h.engine.points, h.users);
  return h;
}

const off = { enabled: false, number: "" };
const none = { unconditional: off, busy: off, noAnswer: off, unreachable: off };

describe("call forwarding", () => {
  it("unconditional: 181 to the caller, Diversion and History-Info to the new callee", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", forwarding: { ...none, unconditional: rule("102") } },
      { name: "102" },
    ]);
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    const call = alice.call("101");
    await h.run(50);
    assert.equal(bob.invites.length, 0, "101 does not ring");
    assert.equal(carol.invites.length, 1, "102 rings");
    const forwarded = call.responses.find((r) => r.status === 181);
    assert.match(forwarded?.get("call-info") ?? "", /^<sip:101@[^>]+>;purpose=forwarding$/);
    const invite = carol.lastInvite.request;
    assert.match(invite.get("diversion") ?? "", /^<sip:101@[^>]+>;reason=unconditional;counter=1/);
    assert.match(
      invite.getAll("history-info").join(", "),
      /^<sip:101@[^>]+>;index=1, <sip:102@[^;>]+;cause=302>;index=1\.1;mp=1$/,
    );
    assert.match(invite.get("to") ?? "", /sip:102@/);
    carol.answer();
    await h.run(50);
    assert.equal(call.status, 200);
    await h.until(call.hangup());
    await h.run(50);
    // The call record names the forwarding user and the final callee.
    const cdr = h.cdrs.at(-1);
    assert.equal(cdr?.dialed, "101");
    assert.equal(cdr?.callee, "102");
    assert.deepEqual(cdr?.legs.find((l) => l.status === 200 && l.role === "callee")?.forwardedBy, ["101"]);
  });

  it("does nothing without the right, even with a number", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", forwarding: { ...none, unconditional: rule("102", false) } },
      { name: "102" },
    ]);
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    alice.call("101");
    await h.run(50);
    assert.equal(bob.invites.length, 1);
    assert.equal(carol.invites.length, 0);
  });

  it("busy: a 486 from the callee sends the call on with reason user-busy", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", forwarding: { ...none, busy: rule("102") } },
      { name: "102" },
    ]);
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    bob.onIncoming = 486;
    const call = alice.call("101");
    await h.run(50);
    assert.equal(carol.invites.length, 1);
    assert.match(carol.lastInvite.request.get("diversion") ?? "", /reason=user-busy/);
    assert.match(carol.lastInvite.request.getAll("history-info").join(", "), /cause=486/);
    carol.answer();
    await h.run(50);
    assert.equal(call.status, 200);
  });

  it("no answer: after the user's no-answer time", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", noAnswerTime: 5, forwarding: { ...none, noAnswer: rule("102") } },
      { name: "102" },
    ]);
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    alice.call("101");
    await h.run(50);
    assert.equal(bob.invites.length, 1);
    await h.run(5_100, 100);
    assert.equal(bob.got("CANCEL").length, 1);
    assert.equal(carol.invites.length, 1);
    assert.match(carol.lastInvite.request.get("diversion") ?? "", /reason=no-answer/);
  });

  it("unreachable: a callee with no device", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", forwarding: { ...none, unreachable: rule("102") } },
      { name: "102" },
    ]);
    const alice = h.phone("100");
    const carol = h.phone("102");
    alice.call("101");
    await h.run(50);
    assert.equal(carol.invites.length, 1);
    assert.match(carol.lastInvite.request.get("diversion") ?? "", /reason=unavailable/);
  });

  it("a chain keeps every diversion, latest first; a loop ends in 482 without ringing anyone", async () => {
    const h = harness([
      { name: "100" },
      { name: "101", forwarding: { ...none, unconditional: rule("102") } },
      { name: "102", forwarding: { ...none, unconditional: rule("103") } },
      { name: "103" },
    ]);
    const alice = h.phone("100");
    const dave = h.phone("103");
    alice.call("101");
    await h.run(50);
    const div = dave.lastInvite.request.getAll("diversion").join(", ");
    assert.match(div, /^<sip:102@[^>]+>;reason=unconditional;counter=1;privacy=off, <sip:101@/);
    assert.match(dave.lastInvite.request.getAll("history-info").join(", "), /index=1\.1\.1;mp=1\.1$/);

    const loop = harness([
      { name: "100" },
      { name: "101", forwarding: { ...none, unconditional: rule("102") } },
      { name: "102", forwarding: { ...none, unconditional: rule("101") } },
    ]);
    const a = loop.phone("100");
    const b = loop.phone("101");
    const c = loop.phone("102");
    const call = a.call("101");
    await loop.run(50);
    assert.equal(call.status, 482);
    assert.equal(b.invites.length + c.invites.length, 0);
  });

  it("an outside number is routed with the forwarding user's call right, not the caller's", async () => {
    const carrier = { address: "127.0.0.9", port: 5060 };
    const dialPlan = (c: { caller: string; callRight: number; dialed: string }) =>
      c.dialed.startsWith("9")
        ? c.callRight >= 5
          ? { kind: "outbound" as const, number: c.dialed.slice(1), carriers: [carrier], noAnswerMs: 30_000 }
          : { kind: "reject" as const, status: 403, reason: "Forbidden" }
        : { kind: "local-user" as const, number: c.dialed };
    const forwarder = (right: number) => ({
      name: "101",
      callRight: right,
      forwarding: { ...none, unconditional: rule("90123") },
    });
    // A caller who may call out, through a user who may not: refused.
    const h = harness([{ name: "100", callRight: 9 }, forwarder(1)], { dialPlan });
    const provider = h.peer("provider", carrier.address, carrier.port);
    const alice = h.phone("100");
    const call = alice.call("101");
    await h.run(50);
    assert.equal(call.status, 403, "101 may not call out, so its forwarding may not either");
    assert.equal(provider.invites.length, 0);
    // A caller who may not call out, through a user who may: the provider is called.
    const g = harness([{ name: "100", callRight: 1 }, forwarder(9)], { dialPlan });
    const provider2 = g.peer("provider", carrier.address, carrier.port);
    const bob = g.phone("100");
    bob.call("101");
    await g.run(50);
    assert.equal(provider2.invites.length, 1, "the forwarding user's right lets it out");
    assert.match(provider2.lastInvite.request.getAll("diversion").join(", "), /^<sip:101@/);
  });

  it("a 3xx from the callee's phone forwards to its Contact, with reason deflection", async () => {
    const h = harness([{ name: "100" }, { name: "101" }, { name: "102" }]);
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    const call = alice.call("101");
    await h.run(50);
    bob.lastInvite.reject(302, { headers: [["Contact", "<sip:102@pbx.test>"]] });
    await h.run(50);
    assert.equal(carol.invites.length, 1, "the Contact's user rings");
    assert.match(
      carol.lastInvite.request.getAll("diversion").join(", "),
      /^<sip:101@[^>]+>;reason=deflection/,
    );
    assert.ok(call.statuses.includes(181));
    assert.equal(call.status, undefined, "the caller never sees the 302");
    carol.answer();
    await h.run(50);
    assert.equal(call.status, 200);
  });

  it("a 3xx back to the caller's own chain ends in 482, not a storm", async () => {
    const h = harness([{ name: "100" }, { name: "101" }]);
    const alice = h.phone("100");
    const bob = h.phone("101");
    const call = alice.call("101");
    await h.run(50);
    bob.lastInvite.reject(302, { headers: [["Contact", "<sip:101@pbx.test>"]] });
    await h.run(50);
    assert.equal(bob.invites.length, 1, "101 is not rung again");
    assert.equal(call.status, 482, "a redirect back into the chain is a loop");
  });
});
