import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Ban, BanList, buildBlockList } from "../../src/auth/ban-list.js";
import { VirtualClock } from "../../src/util/clock.js";

const policy = {
  threshold: 3,
  userThreshold: 5,
  windowMs: 10_000,
  banMs: 60_000,
  allow: ["10.9.0.0/16", "2001:db8::/32"],
};

describe("BanList", () => {
  it("bans a source at the threshold within the window, and the ban expires", () => {
    const clock = new VirtualClock();
    const banned: Ban[] = [];
    const b = new BanList(clock, policy, (ban) => banned.push(ban));
    assert.equal(b.recordFailure("192.0.2.1", "100"), undefined);
    assert.equal(b.recordFailure("192.0.2.1", "101"), undefined);
    assert.ok(b.recordFailure("192.0.2.1", "102"));
    assert.ok(b.isBanned("192.0.2.1"));
    assert.equal(banned.length, 1);
    assert.equal(b.list()[0]?.address, "192.0.2.1");
    clock.advance(60_001);
    assert.ok(!b.isBanned("192.0.2.1"));
    assert.deepEqual(b.list(), []);
  });
  it("forgets failures older than the window", () => {
    const clock = new VirtualClock();
    const b = new BanList(clock, policy);
    b.recordFailure("192.0.2.2", "100");
    b.recordFailure("192.0.2.2", "100");
    clock.advance(10_001);
    assert.equal(b.recordFailure("192.0.2.2", "100"), undefined);
    assert.ok(!b.isBanned("192.0.2.2"));
  });
  it("never bans an allow-listed address or CIDR", () => {
    const b = new BanList(new VirtualClock(), policy);
    for (let i = 0; i < 10; i++) {
      b.recordFailure("10.9.1.2", "100");
      b.recordFailure("2001:db8::5", "100");
    }
    assert.ok(!b.isBanned("10.9.1.2"));
    assert.ok(!b.isBanned("2001:db8::5"));
  });
  it("bans sources that keep failing against one user from many addresses", () => {
    const b = new BanList(new VirtualClock(), policy);
    for (let i = 1; i <= 4; i++) b.recordFailure(`198.51.100.${i}`, "100");
    assert.ok(b.recordFailure("198.51.100.99", "100"), "fifth failure on user 100 bans its source");
  });
  it("lifts a ban on request", () => {
    const b = new BanList(new VirtualClock(), policy);
    for (let i = 0; i < 3; i++) b.recordFailure("192.0.2.3", undefined);
    assert.ok(b.lift("192.0.2.3"));
    assert.ok(!b.isBanned("192.0.2.3"));
    assert.ok(!b.lift("192.0.2.3"));
  });
  it("reads addresses and CIDRs and reports the ones it cannot", () => {
    const { list, invalid } = buildBlockList(["192.0.2.0/24", "::1", "nonsense", "10.0.0.0/33"]);
    assert.deepEqual(invalid, ["nonsense", "10.0.0.0/33"]);
    assert.ok(list.check("192.0.2.77", "ipv4"));
    assert.ok(list.check("::1", "ipv6"));
  });
});
