/**
 * Requirement (issue 13, the fork module; FEATURES.md section 3): an outgoing call's lines or
 * trunks are tried one after another (RFC 3261 16.6 "sequential search"): the next carrier rings
 * when the current one fails or its own no-answer timer runs out (that attempt is CANCELled and
 * its count released), the whole call has its own ringing time, every carrier's count is held
 * while its leg lives and released exactly once, and when every carrier failed the caller gets
 * the best of their responses (RFC 3261 16.7 step 6).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onlyCdr } from "./flows.js";
import { createEngineHarness, type TestCarrier } from "./harness.js";

/** A carrier whose concurrent-call count the test can read. */
function counted(address: string, port: number, noAnswerMs = 0) {
  const state = { held: 0, acquired: 0 };
  const carrier: TestCarrier = {
    address,
    port,
    noAnswerMs,
    acquire: () => {
      state.held++;
      state.acquired++;
      let released = false;
      return () => {
        assert.equal(released, false, "a carrier's count is released once");
        released = true;
        state.held--;
      };
    },
  };
  return { carrier, state };
}

function outboundHarness(carriers: TestCarrier[], noAnswerMs = 60_000) {
  return createEngineHarness({
    dialPlan: ({ dialed }) =>
      dialed.startsWith("0")
        ? { kind: "outbound", number: dialed, carriers, noAnswerMs }
        : { kind: "local-user", number: dialed },
  });
}

describe("an outgoing call through two carriers", () => {
  it("tries the second only after the first failed, and connects the caller to it", async () => {
    const a = counted("127.0.9.1", 5060);
    const b = counted("127.0.9.2", 5060);
    const h = outboundHarness([a.carrier, b.carrier]);
    const first = h.peer("provider-a", "127.0.9.1", 5060);
    const second = h.peer("provider-b", "127.0.9.2", 5060);
    first.onIncoming = 503;
    const alice = h.phone("100");
    const call = alice.call("0612345678");
    await h.run(50);
    assert.equal(first.invites.length, 1);
    assert.equal(second.invites.length, 1, "the next carrier rings after the first failed");
    assert.equal(second.lastInvite.request.uri.user, "0612345678");
    assert.equal(a.state.held, 0, "the failed carrier's count is released");
    assert.equal(b.state.held, 1, "the ringing carrier's count is held");
    second.answer();
    await h.run(50);
    assert.equal(call.status, 200);
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(b.state.held, 0, "released when the call ends");
    assert.equal(onlyCdr(h).legs.length, 3, "the caller's leg and both attempts are in the CDR");
  });

  it("moves on when an attempt's own no-answer timer runs out: CANCEL to it, INVITE to the next", async () => {
    const a = counted("127.0.9.1", 5060, 4_000);
    const b = counted("127.0.9.2", 5060);
    const h = outboundHarness([a.carrier, b.carrier]);
    const first = h.peer("provider-a", "127.0.9.1", 5060);
    const second = h.peer("provider-b", "127.0.9.2", 5060);
    const alice = h.phone("100");
    const call = alice.call("0612345678");
    await h.run(3_900, 100);
    assert.equal(second.invites.length, 0, "not before the attempt's time");
    await h.run(200, 50);
    assert.equal(first.got("CANCEL").length, 1);
    assert.equal(second.invites.length, 1);
    assert.equal(a.state.held, 0);
    assert.equal(call.status, undefined, "the caller still hears ringing");
  });

  it("gives the caller the best response when every carrier failed (RFC 3261 16.7 step 6)", async () => {
    const a = counted("127.0.9.1", 5060);
    const b = counted("127.0.9.2", 5060);
    const h = outboundHarness([a.carrier, b.carrier]);
    h.peer("provider-a", "127.0.9.1", 5060).onIncoming = 503;
    h.peer("provider-b", "127.0.9.2", 5060).onIncoming = 486;
    const alice = h.phone("100");
    const call = alice.call("0612345678");
    await h.run(50);
    assert.equal(call.status, 486, "a 4xx is preferred to a 5xx");
    assert.equal(a.state.held + b.state.held, 0);
    assert.equal(a.state.acquired + b.state.acquired, 2);
    assert.equal(onlyCdr(h).disposition, "busy");
  });

  it("ends with 480 No Answer when the whole call's ringing time runs out, cancelling the attempt", async () => {
    const a = counted("127.0.9.1", 5060);
    const h = outboundHarness([a.carrier], 10_000);
    const first = h.peer("provider-a", "127.0.9.1", 5060);
    const alice = h.phone("100");
    const call = alice.call("0612345678");
    await h.run(10_100, 100);
    await h.run(50);
    assert.equal(call.status, 480);
    assert.equal(first.got("CANCEL").length, 1);
    assert.equal(a.state.held, 0);
  });
});
