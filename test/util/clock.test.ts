import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VirtualClock } from "../../src/util/clock.js";

describe("VirtualClock", () => {
  it("advance() fires due timers in time order and skips cancelled ones", () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimer(200, () => fired.push("b"));
    const c = clock.setTimer(150, () => fired.push("c"));
    clock.setTimer(100, () => {
      fired.push("a");
      clock.setTimer(50, () => fired.push("a+50"));
    });
    c.cancel();
    clock.advance(199);
    assert.deepEqual(fired, ["a", "a+50"]);
    assert.equal(clock.now(), 199);
    clock.advance(1);
    assert.deepEqual(fired, ["a", "a+50", "b"]);
    assert.equal(clock.pending, 0);
  });
});
