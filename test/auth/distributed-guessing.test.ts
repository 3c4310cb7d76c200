/**
 * Distributed guessing (issue 22): bans were per exact address, so every new address got fresh
 * guesses. Now a user under attack from many sources is locked (the right password refused) for
 * new addresses while its own phones' addresses still pass, and IPv6 sources count by /64.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BanList } from "../../src/auth/ban-list.js";
import { sourceKey } from "../../src/auth/source-key.js";
import { VirtualClock } from "../../src/util/clock.js";

const policy = { threshold: 3, userThreshold: 5, windowMs: 10_000, banMs: 60_000, allow: ["10.9.0.0/16"] };

describe("per-user lock-out", () => {
  it("locks a user guessed at from many addresses, but not for its own phone's address", () => {
    const clock = new VirtualClock();
    const b = new BanList(clock, policy);
    b.recordSuccess("198.51.100.7", "100"); // user 100's phone, seen before the attack
    for (let i = 1; i <= 5; i++) b.recordFailure(`203.0.113.${i}`, "100"); // one guess per address
    assert.ok(b.isLockedOut("100", "203.0.113.99"), "a new address is locked out, right password or not");
    assert.ok(!b.isLockedOut("100", "198.51.100.7"), "the phone's address still works");
    assert.ok(!b.isLockedOut("100", "10.9.1.1"), "an allow-listed address still works");
    assert.ok(!b.isLockedOut("101", "203.0.113.99"), "other users are not locked");
    assert.deepEqual(
      b.lockedUsers().map((l) => l.user),
      ["100"],
    );
    clock.advance(60_001);
    assert.ok(!b.isLockedOut("100", "203.0.113.99"), "the lock ends after the ban time");
  });

  it("does not lock below the threshold, nor with failures spread beyond the window", () => {
    const clock = new VirtualClock();
    const b = new BanList(clock, policy);
    for (let i = 1; i <= 4; i++) b.recordFailure(`203.0.113.${i}`, "100");
    assert.ok(!b.isLockedOut("100", "203.0.113.50"));
    clock.advance(10_001);
    b.recordFailure("203.0.113.9", "100");
    assert.ok(!b.isLockedOut("100", "203.0.113.50"));
  });
});

describe("IPv6 sources by /64", () => {
  it("keys an IPv6 address by its /64, IPv4 and IPv4-mapped as the address", () => {
    assert.equal(sourceKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    assert.equal(sourceKey("2001:0db8:0001:0002::1"), "2001:db8:1:2::/64");
    assert.equal(sourceKey("2001:db8::1"), "2001:db8::/64");
    assert.equal(sourceKey("::1"), "::/64");
    assert.equal(sourceKey("fe80::1%eth0"), "fe80::/64");
    assert.equal(sourceKey("2001:0:0:5::9"), "2001:0:0:5::/64");
    assert.equal(sourceKey("::ffff:192.0.2.1"), "192.0.2.1");
    assert.equal(sourceKey("192.0.2.1"), "192.0.2.1");
  });

  it("bans a /64 whose addresses fail in turn, and lifts it by any address in it", () => {
    const clock = new VirtualClock();
    const b = new BanList(clock, policy);
    b.recordFailure("2001:db8:1:2::a", "100");
    b.recordFailure("2001:db8:1:2::b", "101");
    const ban = b.recordFailure("2001:db8:1:2::c", "102");
    assert.equal(ban?.address, "2001:db8:1:2::/64", "three addresses of one /64 count together");
    assert.ok(b.isBanned("2001:db8:1:2:ffff::1"), "every address of the /64 is banned");
    assert.ok(!b.isBanned("2001:db8:1:3::a"), "the next /64 is not");
    assert.ok(b.lift("2001:db8:1:2::77"));
    assert.ok(!b.isBanned("2001:db8:1:2::a"));
  });
});
