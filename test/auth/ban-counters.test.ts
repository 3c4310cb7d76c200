/**
 * Issue 23, what GET /metrics reads from the ban list: `counters.failures` counts every failed
 * authentication recorded (an allow-listed source's too: it failed, it is only never banned) and
 * `counters.bans` every ban imposed, both since start (a ban that expires or is lifted stays counted).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BanList } from "../../src/auth/ban-list.js";
import { VirtualClock } from "../../src/util/clock.js";

const policy = { threshold: 2, userThreshold: 100, windowMs: 10_000, banMs: 60_000, allow: ["10.9.0.0/16"] };

describe("BanList.counters", () => {
  it("counts failures and bans since start, expired and lifted bans included", () => {
    const clock = new VirtualClock();
    const b = new BanList(clock, policy);
    assert.deepEqual(b.counters, { failures: 0, bans: 0 });
    b.recordFailure("192.0.2.1", "100");
    b.recordFailure("192.0.2.1", "100");
    b.recordFailure("10.9.1.1", "100");
    b.recordFailure("10.9.1.1", "100");
    assert.deepEqual(
      b.counters,
      { failures: 4, bans: 1 },
      "the allow-listed source failed but is not banned",
    );
    b.recordFailure("192.0.2.2", undefined);
    b.recordFailure("192.0.2.2", undefined);
    b.lift("192.0.2.2");
    clock.advance(60_001);
    assert.equal(b.list().length, 0);
    assert.deepEqual(b.counters, { failures: 6, bans: 2 });
  });
});
