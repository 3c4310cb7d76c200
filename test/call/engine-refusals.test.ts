/**
 * Requirement (issue 13, the call lifecycle): every stage a call passes can refuse it with a SIP
 * status, and each refusal is answered and recorded: identify the caller (a trunk refused by its
 * limits), authenticate (407 challenge, RFC 3261 22.3; wrong password and banned source 403, with
 * no CDR: a request that never proved who it is records nothing), route (a dial plan reject record
 * or call right), resolve targets (unknown number 404, no binding 480). Limits have their own file
 * (engine-limits.test.ts). The dial plan here is a hand-made routing, not the stored tables.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { both, isResponse, sentTo } from "../helpers/sip-harness.js";
import { onlyCdr, ring } from "./flows.js";
import { createEngineHarness, DOMAIN, type EngineHarness, type TestRoute } from "./harness.js";
import type { OutgoingCall, Phone } from "./phone.js";

/** The statuses Parley sent `phone`, in order (every transaction). */
function sentStatuses(h: EngineHarness, phone: Phone, status: number): number {
  return h.net.packets(both(isResponse(status), sentTo(phone))).length;
}

/** The call's final response, once Parley answered it. */
async function refused(h: EngineHarness, call: OutgoingCall): Promise<{ status: number; reason: string }> {
  await h.run(50);
  assert.ok(call.final, "Parley answered the INVITE finally");
  return { status: call.final.status, reason: call.final.reason };
}

describe("stage 'identify the caller'", () => {
  const trunks = [
    { name: "office", address: "127.0.2.1", port: 5060 },
    {
      name: "closed",
      address: "127.0.2.2",
      port: 5060,
      refuse: { status: 403, reason: "Incoming Calls Not Allowed On Trunk" },
    },
  ];

  it("trusts a SIP trunk's address without a challenge: its call reaches the local user", async () => {
    const h = createEngineHarness({ trunks });
    const office = h.peer("0612345678", "127.0.2.1", 5060);
    const bob = h.phone("101");
    const call = office.call("101");
    await h.run(50);
    assert.equal(sentStatuses(h, office, 407), 0, "no challenge");
    assert.equal(bob.invites.length, 1);
    assert.equal(bob.lastInvite.request.from?.uri.user, "0612345678", "the outside number is the caller");
    assert.equal(call.statuses.at(-1), 180);
  });

  it("answers a trunk refused at identification with the trunk's status, without a challenge", async () => {
    const h = createEngineHarness({ trunks });
    const closed = h.peer("0612345678", "127.0.2.2", 5060);
    const bob = h.phone("101");
    assert.deepEqual(await refused(h, closed.call("101")), {
      status: 403,
      reason: "Incoming Calls Not Allowed On Trunk",
    });
    assert.equal(sentStatuses(h, closed, 407), 0);
    assert.equal(bob.invites.length, 0, "nobody is rung");
  });

  it("records a trunk call refused at identification in a CDR (ARCHITECTURE.md: every finished call leaves a CDR row)", async () => {
    const h = createEngineHarness({ trunks });
    const closed = h.peer("0612345678", "127.0.2.2", 5060);
    await refused(h, closed.call("101"));
    const cdr = onlyCdr(h);
    assert.equal(cdr.sipStatus, 403);
    assert.equal(cdr.sipReason, "Incoming Calls Not Allowed On Trunk");
    assert.equal(cdr.disposition, "failed");
    assert.equal(cdr.dialed, "101");
    assert.equal(cdr.callee, undefined, "nobody was reached");
  });
});

describe("stage 'authenticate'", () => {
  it("MUST challenge an INVITE without credentials with 407 and Proxy-Authenticate (RFC 3261 22.3)", async () => {
    const h = createEngineHarness();
    const anonymous = h.peer("100", "127.0.3.1", 5060);
    const bob = h.phone("101");
    const call = anonymous.call("101");
    await h.run(50);
    assert.equal(call.status, 407);
    const challenge = call.final!.get("proxy-authenticate") ?? "";
    assert.match(challenge, /^Digest realm="pbx\.test", nonce="[^"]+", algorithm=(MD5|SHA-256), qop="auth"/);
    assert.equal(bob.invites.length, 0, "nobody is rung");
    assert.deepEqual(h.cdrs, [], "a challenge is no call: no CDR");
  });

  it("challenges an unknown number the same way (no enumeration: nothing is looked up first)", async () => {
    const h = createEngineHarness();
    const anonymous = h.peer("100", "127.0.3.1", 5060);
    const call = anonymous.call("999");
    await h.run(50);
    assert.equal(call.status, 407);
  });

  it("lets the retry with the right digest credentials through (RFC 3261 22.2)", async () => {
    const h = createEngineHarness();
    const alice = h.phone("100");
    const bob = h.phone("101");
    await ring(h, alice, "101", [bob]);
    assert.equal(sentStatuses(h, alice, 407), 1, "one challenge, answered");
    const retry = bob.lastInvite;
    assert.equal(retry.request.get("proxy-authorization"), undefined, "the credentials stop at Parley");
  });

  it("answers a wrong password 403, rings nobody and records nothing", async () => {
    const h = createEngineHarness();
    const mallory = h.phone("100", { password: "guess" });
    const bob = h.phone("101");
    assert.equal((await refused(h, mallory.call("101"))).status, 403);
    assert.equal(sentStatuses(h, mallory, 407), 1, "challenged once, then refused");
    assert.equal(bob.invites.length, 0);
    assert.deepEqual(h.cdrs, []);
  });

  it("answers a banned source 403 at once, without a challenge, even with the right password", async () => {
    const h = createEngineHarness({ banThreshold: 2 });
    const mallory = h.phone("100", { password: "guess" });
    for (let i = 0; i < 2; i++) assert.equal((await refused(h, mallory.call("101"))).status, 403);
    const challenges = sentStatuses(h, mallory, 407);
    // The same address, now with the right password: still refused.
    const banned = h.phone("100", { address: mallory.address, register: false });
    const call = banned.call("101");
    assert.equal((await refused(h, call)).status, 403);
    assert.deepEqual(call.statuses, [403], "no challenge (nor 100 Trying) for a banned source");
    assert.equal(sentStatuses(h, mallory, 407), challenges);
    assert.equal(sentStatuses(h, banned, 407), 0);
    assert.deepEqual(h.cdrs, []);
  });
});

describe("stage 'route' (the dial plan)", () => {
  const dialPlan = ({ callRight, dialed }: { callRight: number; dialed: string }): TestRoute => {
    if (dialed.startsWith("00") && callRight < 2)
      return { kind: "reject", status: 403, reason: "Insufficient Call Right" };
    if (dialed === "666") return { kind: "reject", status: 603, reason: "Rejected By Dial Plan" };
    if (dialed.startsWith("*7")) return { kind: "local-user", number: dialed.slice(2) };
    return { kind: "local-user", number: dialed };
  };

  it("answers a reject record with its status and records the refusal", async () => {
    const h = createEngineHarness({ dialPlan });
    const alice = h.phone("100");
    assert.deepEqual(await refused(h, alice.call("666")), { status: 603, reason: "Rejected By Dial Plan" });
    const cdr = onlyCdr(h);
    assert.equal(cdr.caller, "100");
    assert.equal(cdr.dialed, "666");
    assert.equal(cdr.sipStatus, 603);
    assert.equal(cdr.sipReason, "Rejected By Dial Plan");
    assert.equal(cdr.callee, undefined, "nobody was reached");
  });

  it("answers 403 to a caller whose call right is too low for the number", async () => {
    const h = createEngineHarness({
      dialPlan,
      users: [
        { name: "100", callRight: 1 },
        { name: "101", callRight: 2 },
      ],
    });
    const low = h.phone("100");
    const high = h.phone("101");
    assert.deepEqual(await refused(h, low.call("00123")), { status: 403, reason: "Insufficient Call Right" });
    assert.equal(onlyCdr(h).disposition, "failed");
    // The same number passes the dial plan for a caller with the right (then: no such user, 404).
    assert.equal((await refused(h, high.call("00123"))).status, 404);
  });

  it("rings the local user a transition leads to, with the number as dialed in the CDR", async () => {
    const h = createEngineHarness({ dialPlan });
    const alice = h.phone("100");
    const bob = h.phone("101");
    const call = await ring(h, alice, "*7101", [bob]);
    call.cancel();
    await h.run(50);
    const cdr = onlyCdr(h);
    assert.equal(cdr.dialed, "*7101");
    assert.equal(cdr.callee, "101");
  });
});

describe("stage 'resolve targets'", () => {
  it("answers an unknown number 404 (after authentication) and records it with no callee", async () => {
    const h = createEngineHarness();
    const alice = h.phone("100");
    assert.deepEqual(await refused(h, alice.call("999")), { status: 404, reason: "Not Found" });
    assert.equal(sentStatuses(h, alice, 407), 1, "authenticated first");
    const cdr = onlyCdr(h);
    assert.equal(cdr.disposition, "failed");
    assert.equal(cdr.dialed, "999");
    assert.equal(cdr.callee, undefined);
    assert.deepEqual(
      cdr.legs.map((l) => [l.role, l.status]),
      [["caller", 404]],
    );
    assert.equal(cdr.domainId, DOMAIN.id);
  });

  it("answers a user with no binding 480 and records the callee", async () => {
    const h = createEngineHarness();
    const alice = h.phone("100");
    h.phone("101", { register: false });
    assert.deepEqual(await refused(h, alice.call("101")), { status: 480, reason: "Temporarily Unavailable" });
    const cdr = onlyCdr(h);
    assert.equal(cdr.disposition, "failed");
    assert.equal(cdr.callee, "101");
    assert.equal(cdr.sipStatus, 480);
  });
});
