/**
 * Issue 22, per-source rate limits (pike-style): a source over `rate` messages a second (over a
 * two-second window) is dropped, others are not; exempt sources are never limited; an IPv6 source
 * counts by its /64; drops are reported once per interval; idle sources are forgotten, so memory
 * is bounded however many addresses send.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SourceRateLimiter } from "../../src/auth/source-rate-limit.js";
import { TokenBucket } from "../../src/util/token-bucket.js";

function limiter(options: Partial<ConstructorParameters<typeof SourceRateLimiter>[0]> = {}) {
  const clock = { t: 1_000 };
  const reports: Array<[string, number]> = [];
  const l = new SourceRateLimiter({
    rate: 10,
    now: () => clock.t,
    exempt: () => false,
    onLimited: (source, dropped) => reports.push([source, dropped]),
    ...options,
  });
  const send = (address: string, n: number) => {
    let allowed = 0;
    for (let i = 0; i < n; i++) if (l.allows(address)) allowed++;
    return allowed;
  };
  return { l, clock, reports, send };
}

describe("TokenBucket", () => {
  it("holds a burst, then refills at its rate", () => {
    const b = new TokenBucket(10, 20, 0);
    let taken = 0;
    while (b.take(0)) taken++;
    assert.equal(taken, 20);
    assert.equal(b.take(50), false, "half a token after 50 ms");
    assert.equal(b.take(100), true, "one token after 100 ms");
    assert.equal(b.full(100), false);
    assert.equal(b.full(2_100), true);
  });
});

describe("SourceRateLimiter", () => {
  it("lets a source send its two-second burst, then drops the rest, and lets it through again at its rate", () => {
    const { clock, send, l } = limiter();
    assert.equal(send("192.0.2.1", 100), 20);
    assert.equal(l.dropped, 80);
    clock.t += 1_000;
    assert.equal(send("192.0.2.1", 100), 10, "10 a second after a second");
  });

  it("limits each source on its own: a flood from one address costs another nothing", () => {
    const { send } = limiter();
    assert.equal(send("192.0.2.1", 1_000), 20);
    assert.equal(send("192.0.2.2", 5), 5);
  });

  it("never limits an exempt source, and asks whether it is exempt only once it runs over", () => {
    const asked: string[] = [];
    const { send } = limiter({
      exempt: (a) => {
        asked.push(a);
        return a === "198.51.100.7";
      },
    });
    assert.equal(send("198.51.100.7", 500), 500);
    assert.equal(send("192.0.2.1", 15), 15);
    assert.deepEqual(asked, ["198.51.100.7"], "asked once, cached; a source under its rate never asked");
  });

  it("counts an IPv6 source by its /64: a new address in the same /64 is the same source", () => {
    const { send, reports } = limiter();
    assert.equal(send("2001:db8:1:2::1", 20), 20);
    assert.equal(send("2001:db8:1:2::abcd", 5), 0);
    assert.equal(send("2001:db8:1:3::1", 5), 5);
    assert.deepEqual(reports, [["2001:db8:1:2::/64", 1]]);
  });

  it("reports a limited source once a minute with what it dropped since, not once a message", () => {
    const { clock, send, reports } = limiter();
    send("192.0.2.1", 100);
    assert.deepEqual(reports, [["192.0.2.1", 1]]);
    // A flood that goes on: 100 a second, 10 of them allowed.
    for (let second = 1; second < 60; second++) {
      clock.t += 1_000;
      send("192.0.2.1", 100);
    }
    assert.equal(reports.length, 1, "not reported again within the minute");
    clock.t += 1_000;
    send("192.0.2.1", 100);
    assert.equal(reports.length, 2);
    assert.equal(reports[1]?.[0], "192.0.2.1");
    // 79 after the first report, then 90 a second for 60 s.
    assert.equal(reports[1]?.[1], 79 + 59 * 90 + 1);
  });

  it("forgets idle sources, so its memory is bounded by maxSources whatever the number of addresses", () => {
    const { clock, send, l } = limiter({ maxSources: 1_000 });
    for (let i = 0; i < 5_000; i++) send(`10.0.${i >> 8}.${i & 255}`, 1);
    assert.ok(l.tracked <= 1_000, `tracked ${l.tracked}`);
    clock.t += 3_000;
    send("192.0.2.1", 1);
    assert.ok(l.tracked <= 1_000);
    clock.t += 30_000;
    send("192.0.2.1", 1);
    assert.equal(l.tracked, 1, "a sweep forgets every source idle for a whole window");
  });

  it("limits nothing at rate 0", () => {
    const { send } = limiter({ rate: 0 });
    assert.equal(send("192.0.2.1", 10_000), 10_000);
  });
});
