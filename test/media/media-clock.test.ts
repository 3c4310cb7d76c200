import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_CATCH_UP, MediaClock, PHASES, TICK_MS } from "../../src/media/endpoint/media-clock.js";

describe("the media worker's clock", () => {
  it("moves every phase once per 20 ms, without drift", async () => {
    const at: number[][] = Array.from({ length: PHASES }, () => []);
    const clock = new MediaClock({ tick: (phase) => at[phase].push(performance.now()) });
    clock.run();
    await new Promise((r) => setTimeout(r, 1500));
    clock.stop();
    for (const times of at) {
      assert.ok(times.length >= 70 && times.length <= 76, `${times.length} ticks in 1.5 s`);
      const mean = (times[times.length - 1] - times[0]) / (times.length - 1);
      assert.ok(Math.abs(mean - TICK_MS) < 0.2, `mean period ${mean} ms`);
    }
    // The phases are spread over the period, a quarter apart: the median offset of every tick (one
    // tick alone may be late on a busy machine; a clock that bunched the phases would be off in all).
    const n = Math.min(at[1].length, at[2].length);
    const offsets = Array.from({ length: n }, (_, i) => at[2][i] - at[1][i]).sort((a, b) => a - b);
    const offset = offsets[Math.floor(n / 2)];
    assert.ok(Math.abs(offset - TICK_MS / PHASES) < 2.5, `median phase offset ${offset} ms`);
  });

  it("catches up a short stall one slot at a time and skips a long one in whole periods", async () => {
    let shift = 0;
    const ticks: Array<{ phase: number; skipped: number }> = [];
    const clock = new MediaClock(
      { tick: (phase, skipped) => ticks.push({ phase, skipped }) },
      () => performance.now() + shift,
    );
    clock.run();
    await new Promise((r) => setTimeout(r, 100));
    shift = 60; // a 60 ms stall: caught up, nothing skipped
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(ticks.every((t) => t.skipped === 0));
    const before = ticks.length;
    shift += (MAX_CATCH_UP + 5) * TICK_MS; // a long stall
    await new Promise((r) => setTimeout(r, 100));
    clock.stop();
    const after = ticks.slice(before);
    const skipped = after.filter((t) => t.skipped > 0);
    assert.equal(skipped.length, PHASES, "each phase is told once");
    assert.ok(skipped.every((t) => t.skipped >= MAX_CATCH_UP));
    assert.equal(new Set(skipped.map((t) => t.phase)).size, PHASES);
  });
});
