/**
 * Overload control (issue 22; RFC 3261 21.5.4): while Parley is overloaded, a new call gets 503
 * with Retry-After at once (never silence, nothing kept), and the calls already up go on: their
 * BYE is answered and ends them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LoadMonitor } from "../../src/core/load-monitor.js";
import { OverloadGate } from "../../src/core/overload-gate.js";
import { parseMessage } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { answered } from "./flows.js";
import { createEngineHarness } from "./harness.js";

function request(method: string, to = "101"): SipRequest {
  const r = parseMessage(
    Buffer.from(
      `${method} sip:${to}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKo\r\nMax-Forwards: 70\r\n` +
        `From: <sip:100@127.0.0.1>;tag=a\r\nTo: <sip:${to}@127.0.0.1>\r\nCall-ID: o@t\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`,
    ),
  );
  assert.ok(r.ok);
  return r.message as SipRequest;
}

describe("overload control", () => {
  it("refuses a new call 503 with Retry-After while the one up goes on and ends", async () => {
    let overloaded = false;
    const h = createEngineHarness({ overloaded: () => overloaded });
    const alice = h.phone("100");
    const bob = h.phone("101");
    const carol = h.phone("102");
    const { call } = await answered(h, alice, bob);
    overloaded = true;
    const refused = carol.call("101");
    await h.run(50);
    assert.equal(refused.final?.status, 503);
    assert.equal(refused.final?.get("retry-after"), "5");
    assert.deepEqual(refused.statuses, [503], "no 100 Trying, no challenge: just the 503");
    const bye = call.hangup();
    await h.run(50);
    assert.equal((await bye).status, 200, "the call up is still served");
    assert.equal(h.engine.size, 0);
    overloaded = false;
    const later = carol.call("100");
    await h.run(50);
    assert.notEqual(later.final?.status, 503, "served again once the load is gone");
  });

  it("lets through what finishes work and what a registered phone sends, nothing new from others", () => {
    const known = new OverloadGate({
      overloaded: () => true,
      knownDevice: (user, source) => source === "10.0.0.9" && (user === "100" || user === "101"),
      random: () => 0.99,
    });
    for (const method of ["ACK", "BYE", "CANCEL", "PRACK", "NOTIFY"])
      assert.equal(known.check(request(method), false, "192.0.2.1"), undefined, method);
    assert.equal(known.check(request("INVITE"), true, "192.0.2.1"), undefined, "a re-INVITE");
    assert.equal(known.check(request("REGISTER"), false, "10.0.0.9"), undefined, "a registered phone");
    assert.equal(known.check(request("REGISTER"), false, "192.0.2.1"), 15, "an unknown device");
    // A registered phone (user 100 from 10.0.0.9) still calls, subscribes and sends messages.
    for (const method of ["INVITE", "SUBSCRIBE", "MESSAGE", "OPTIONS", "PUBLISH"]) {
      assert.equal(
        known.check(request(method), false, "10.0.0.9"),
        undefined,
        `${method} of a registered phone`,
      );
      assert.equal(known.check(request(method), false, "192.0.2.1"), 15, `${method} of a stranger`);
    }
    assert.equal(known.check(request("REGISTER", "102"), false, "10.0.0.9"), 15, "another user's REGISTER");
    assert.equal(known.refused, 7);
  });

  it("goes into overload above the threshold two intervals running and out under half of it", () => {
    const changes: boolean[] = [];
    const monitor = new LoadMonitor({ thresholdMs: 100 }, (over) => changes.push(over));
    for (const lag of [20, 150, 20, 150, 160, 80, 60, 40, 120, 130]) monitor.observe(lag);
    assert.deepEqual(changes, [true, false, true]);
    assert.equal(monitor.episodes, 2);
    assert.equal(monitor.overloaded, true);
  });

  it("a delay without SIP traffic to speak of is a stall, not overload", () => {
    const monitor = new LoadMonitor({ thresholdMs: 100 });
    for (let i = 0; i < 5; i++) monitor.observe(1_000, 100, 0, 40);
    assert.equal(monitor.overloaded, false, "40 datagrams a second: a crowded machine, not a flood");
    monitor.observe(1_000, 100, 0, 500);
    monitor.observe(1_000, 100, 0, 500);
    assert.equal(monitor.overloaded, true);
  });

  it("goes into overload when the loop is busier than busyPercent two intervals running, out under half", () => {
    const changes: boolean[] = [];
    const monitor = new LoadMonitor({ thresholdMs: 800, busyPercent: 95 }, (over) => changes.push(over));
    monitor.observe(5, 99);
    assert.equal(monitor.overloaded, false, "one busy interval is a burst, not overload");
    monitor.observe(5, 60);
    monitor.observe(5, 99);
    assert.equal(monitor.overloaded, false);
    monitor.observe(5, 98);
    assert.equal(monitor.overloaded, true, "two busy intervals running");
    monitor.observe(5, 60);
    assert.equal(monitor.overloaded, true, "answering 503 costs less: the flood goes on at 60%");
    monitor.observe(5, 40);
    assert.deepEqual(changes, [true, false]);
  });
});

describe("overload from a busy loop needs a backlog", () => {
  it("a loop busy with work it keeps up with (no datagrams piling up) is not overloaded", () => {
    const monitor = new LoadMonitor({ thresholdMs: 800, busyPercent: 95 });
    for (let i = 0; i < 5; i++) monitor.observe(5, 100, 0.1, 20_000);
    assert.equal(monitor.overloaded, false);
    // A start-up that kept a few datagrams waiting: full turns, but no flood.
    for (let i = 0; i < 5; i++) monitor.observe(5, 100, 1, 40);
    assert.equal(monitor.overloaded, false);
    monitor.observe(5, 100, 0.9, 20_000);
    monitor.observe(5, 100, 0.8, 20_000);
    assert.equal(monitor.overloaded, true);
  });
});
