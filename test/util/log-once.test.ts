/** Issue 22: a repeated refusal is logged once per interval per key, with the count since. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogOncePerInterval } from "../../src/util/log-once.js";

describe("LogOncePerInterval", () => {
  it("reports the first refusal at once, then the number since once the interval has passed", () => {
    const clock = { t: 0 };
    const log = new LogOncePerInterval(() => clock.t, 60_000);
    assert.equal(log.count("1:100"), 1);
    for (let i = 0; i < 500; i++) assert.equal(log.count("1:100"), undefined);
    assert.equal(log.count("1:101"), 1, "each key on its own");
    clock.t = 60_000;
    assert.equal(log.count("1:100"), 501);
    assert.equal(log.count("1:100"), undefined);
  });

  it("holds at most maxKeys keys", () => {
    const log = new LogOncePerInterval(() => 0, 60_000, 100);
    for (let i = 0; i < 1_000; i++) assert.equal(log.count(`k${i}`), 1);
  });
});
