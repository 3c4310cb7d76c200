/**
 * Requirement (issue 23): every CDR says why its call ended (store/cdr-model.ts HangupCause): who
 * hung up an answered call (the caller's or the callee's BYE, the administrator, the server's
 * shutdown), or why an unanswered one ended (CANCEL, busy, any other failure as `rejected
 * <status>`); and its legs' peers are bare URIs, the caller's Contact like the callees'. Proven
 * over the loop transport with the engine's real SIP stack; timers (maximum duration, session
 * timer) and services are left to their own tests and the e2e test with sipp.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answered, onlyCdr, ring } from "./flows.js";
import { createEngineHarness } from "./harness.js";

describe("the hang-up cause of a call's record", () => {
  describe("an answered call", () => {
    it("is caller-bye when the caller sends BYE", async () => {
      const h = createEngineHarness();
      const { call } = await answered(h, h.phone("100"), h.phone("101"));
      await h.until(call.hangup());
      await h.run(50);
      assert.deepEqual([onlyCdr(h).disposition, onlyCdr(h).hangupCause], ["answered", "caller-bye"]);
    });

    it("is callee-bye when the callee sends BYE", async () => {
      const h = createEngineHarness();
      const { calleeDialog } = await answered(h, h.phone("100"), h.phone("101"));
      await h.until(calleeDialog.bye());
      await h.run(50);
      assert.deepEqual([onlyCdr(h).disposition, onlyCdr(h).hangupCause], ["answered", "callee-bye"]);
    });

    it("is hangup-by-admin when the API hangs it up, server-shutdown when the server stops", async () => {
      const h = createEngineHarness();
      await answered(h, h.phone("100"), h.phone("101"));
      await h.until(h.engine.hangup(h.engine.list()[0]!.id));
      await h.run(50);
      assert.equal(onlyCdr(h).hangupCause, "hangup-by-admin");
      const g = createEngineHarness();
      await answered(g, g.phone("100"), g.phone("101"));
      g.engine.closeAll();
      await g.run(50);
      assert.equal(onlyCdr(g).hangupCause, "server-shutdown");
    });
  });

  describe("an unanswered call", () => {
    it("is cancel when the caller gives up while it rings", async () => {
      const h = createEngineHarness();
      const call = await ring(h, h.phone("100"), "101", [h.phone("101")]);
      call.cancel();
      await h.run(100);
      assert.deepEqual([onlyCdr(h).disposition, onlyCdr(h).hangupCause], ["cancelled", "cancel"]);
    });

    it("is busy when the callee answers 486", async () => {
      const h = createEngineHarness();
      const callee = h.phone("101");
      callee.onIncoming = 486;
      const alice = h.phone("100");
      alice.call("101");
      await h.run(100);
      assert.deepEqual([onlyCdr(h).disposition, onlyCdr(h).hangupCause], ["busy", "busy"]);
    });

    it("is `rejected <status>` for any other failure (a number nobody has: 404)", async () => {
      const h = createEngineHarness();
      h.phone("100").call("4711");
      await h.run(100);
      assert.deepEqual([onlyCdr(h).sipStatus, onlyCdr(h).hangupCause], [404, "rejected 404"]);
    });
  });
});

describe("the peers of a call's record", () => {
  it("are bare URIs: the caller's Contact without its angle brackets, like the callee's target", async () => {
    const h = createEngineHarness();
    const alice = h.phone("100");
    const bob = h.phone("101");
    const { call } = await answered(h, alice, bob);
    await h.until(call.hangup());
    await h.run(50);
    assert.deepEqual(
      onlyCdr(h).legs.map((l) => [l.role, l.peer]),
      [
        ["caller", alice.contact],
        ["callee", bob.contact],
      ],
    );
    assert.match(alice.contact, /^sip:[^<>]+$/);
  });

  it("are bare URIs for a call in from a SIP trunk (the provider's Contact URI) and its caller is the outside number", async () => {
    const h = createEngineHarness({ trunks: [{ name: "office", address: "127.0.2.1", port: 5060 }] });
    const office = h.peer("0612345678", "127.0.2.1", 5060);
    const bob = h.phone("101");
    const call = office.call("101");
    await h.run(50);
    bob.answer();
    await h.run(50);
    await h.until(call.hangup());
    await h.run(50);
    const cdr = onlyCdr(h);
    assert.deepEqual([cdr.caller, cdr.callee, cdr.hangupCause], ["0612345678", "101", "caller-bye"]);
    assert.deepEqual(
      cdr.legs.map((l) => l.peer),
      [office.contact, bob.contact],
    );
  });

  it("are bare URIs for a call out through a carrier (the request URI toward it)", async () => {
    const h = createEngineHarness({
      dialPlan: ({ dialed }) =>
        dialed.startsWith("0")
          ? {
              kind: "outbound",
              number: dialed,
              carriers: [{ address: "127.0.9.1", port: 5060 }],
              noAnswerMs: 0,
            }
          : { kind: "local-user", number: dialed },
    });
    const provider = h.peer("provider", "127.0.9.1", 5060);
    const alice = h.phone("100");
    const call = alice.call("0612345678");
    await h.run(50);
    const dialog = provider.answer();
    await h.run(50);
    await h.until(dialog.bye());
    await h.run(50);
    const cdr = onlyCdr(h);
    assert.deepEqual([cdr.callee, cdr.hangupCause], ["0612345678", "callee-bye"]);
    assert.equal(cdr.legs[0]?.peer, alice.contact);
    assert.match(cdr.legs[1]?.peer ?? "", /^sip:0612345678@127\.0\.9\.1(:5060)?(;[^<>]*)?$/);
    assert.equal(call.status, 200);
  });
});
