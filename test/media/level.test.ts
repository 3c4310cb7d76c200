/**
 * Covers src/media/dsp/level.ts: rmsDbfs(), the dBm0 mapping (G.711: 0 dBm0 is 3.17 dB below a
 * full-scale sine) and SilenceDetector ("end the recording after N seconds of silence").
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DBM0_PEAK, dbfsToDbm0, dbm0ToPeak, rmsDbfs, SilenceDetector } from "../../src/media/dsp/level.js";

function sine(peak: number, n = 160, freq = 1000): Int16Array {
  return Int16Array.from({ length: n }, (_, i) =>
    Math.round(peak * Math.sin((2 * Math.PI * freq * i) / 8000)),
  );
}

describe("rmsDbfs()", () => {
  it("gives -3.01 dBFS for a full-scale sine and 0 for a full-scale square", () => {
    assert.ok(Math.abs(rmsDbfs(sine(32767)) + 3.01) < 0.02);
    assert.ok(Math.abs(rmsDbfs(new Int16Array(160).fill(-32768))) < 1e-9);
  });
  it("gives -Infinity for digital silence and reads only `count` samples", () => {
    assert.equal(rmsDbfs(new Int16Array(160)), Number.NEGATIVE_INFINITY);
    const frame = new Int16Array(160).fill(1000);
    frame.fill(0, 80);
    assert.ok(Math.abs(rmsDbfs(frame, 80) - 20 * Math.log10(1000 / 32768)) < 1e-9);
  });
});

describe("dBm0", () => {
  it("puts a 0 dBm0 sine 3.17 dB below full scale and -6.18 dBFS RMS; dbfsToDbm0() inverts it", () => {
    assert.ok(Math.abs(20 * Math.log10(32768 / DBM0_PEAK) - 3.17) < 1e-9);
    assert.ok(Math.abs(rmsDbfs(sine(DBM0_PEAK)) + 6.18) < 0.01);
    assert.ok(Math.abs(dbfsToDbm0(rmsDbfs(sine(dbm0ToPeak(-20)))) + 20) < 0.05);
  });
});

describe("SilenceDetector", () => {
  const quiet = sine(30); // about -64 dBFS
  const loud = sine(3000); // about -24 dBFS
  it("says true once frames below the threshold have lasted holdMs, and while they go on", () => {
    const d = new SilenceDetector(-50, 100);
    const got = [];
    for (let i = 0; i < 7; i++) got.push(d.push(quiet));
    assert.deepEqual(got, [false, false, false, false, true, true, true]);
    assert.equal(d.silentMs, 140);
  });
  it("starts over on a louder frame", () => {
    const d = new SilenceDetector(-50, 60);
    d.push(quiet);
    d.push(quiet);
    assert.equal(d.push(loud), false);
    assert.equal(d.push(quiet), false);
    assert.equal(d.push(quiet), false);
    assert.equal(d.push(quiet), true);
  });
  it("reset() forgets the silence so far", () => {
    const d = new SilenceDetector(-50, 40);
    d.push(quiet);
    d.reset();
    assert.equal(d.push(quiet), false);
    assert.equal(d.push(quiet), true);
  });
});
