/**
 * Covers src/media/dsp/tones.ts: the tone plans (E.180 Suppl. 2: us, eu, cn) and ToneGenerator.
 * Proven here: every plan's ringback and busy have their frequencies (Goertzel) and cadence (RMS
 * per 10 ms) and keep looping; levels in dBm0; a steady tone runs on across frames and loops
 * with no step between samples; tones fade in and out; one-shot tones end, pad their last frame
 * and then return false; join rises and leave falls.
 * Not proven here: how a tone sounds through G.711 (the endpoint's tests).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dbm0ToPeak } from "../../src/media/dsp/level.js";
import {
  TONE_PLANS,
  ToneGenerator,
  type ToneName,
  type TonePlanName,
  type ToneSpec,
} from "../../src/media/dsp/tones.js";

const FRAME = 160;

/** Plays `ms` of the spec in 20 ms frames; returns the samples and what fill() returned. */
function play(spec: ToneSpec, ms: number): { pcm: Int16Array; more: boolean[] } {
  const frames = Math.ceil(ms / 20);
  const pcm = new Int16Array(frames * FRAME);
  const frame = new Int16Array(FRAME);
  const gen = new ToneGenerator(spec);
  const more: boolean[] = [];
  for (let f = 0; f < frames; f++) {
    frame.fill(12345);
    more.push(gen.fill(frame));
    pcm.set(frame, f * FRAME);
  }
  return { pcm, more };
}

/** Peak amplitude of the sine at `freq` in pcm[from, from + n) (Goertzel, n whole). */
function amplitudeAt(pcm: Int16Array, from: number, n: number, freq: number): number {
  const coef = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let a = 0;
  let b = 0;
  for (let i = from; i < from + n; i++) {
    const t = pcm[i] + coef * a - b;
    b = a;
    a = t;
  }
  return (2 * Math.sqrt(a * a + b * b - coef * a * b)) / n;
}

/** On (true) or off per 10 ms, by RMS against a threshold far below the tone. */
function cadence(pcm: Int16Array): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i + 80 <= pcm.length; i += 80) {
    let sum = 0;
    for (let j = i; j < i + 80; j++) sum += pcm[j] * pcm[j];
    out.push(Math.sqrt(sum / 80) > 100);
  }
  return out;
}

/** The expected on/off per 10 ms of a looping two-segment cadence. */
function expected(onMs: number, offMs: number, totalMs: number): boolean[] {
  const out: boolean[] = [];
  for (let t = 0; t < totalMs; t += 10) out.push(t % (onMs + offMs) < onMs);
  return out;
}

const CADENCES: Record<TonePlanName, Record<"ringback" | "busy", [number[], number, number, number]>> = {
  us: { ringback: [[440, 480], 2000, 4000, -19], busy: [[480, 620], 500, 500, -24] },
  eu: { ringback: [[425], 1000, 4000, -13], busy: [[425], 500, 500, -13] },
  cn: { ringback: [[450], 1000, 4000, -13], busy: [[450], 350, 350, -13] },
};

describe("TONE_PLANS", () => {
  it("defines every tone in every plan", () => {
    const names: ToneName[] = [
      "dial",
      "ringback",
      "busy",
      "congestion",
      "confirmation",
      "callWaiting",
      "beep",
      "join",
      "leave",
    ];
    for (const plan of Object.values(TONE_PLANS))
      for (const name of names) assert.ok(plan[name].segments.length > 0, name);
  });
  it("has the E.180 congestion cadences: us 0.25/0.25, eu 0.25/0.25, cn 0.7/0.7", () => {
    const ms = (p: TonePlanName) => TONE_PLANS[p].congestion.segments.map((s) => s.ms);
    assert.deepEqual(
      [ms("us"), ms("eu"), ms("cn")],
      [
        [250, 250],
        [250, 250],
        [700, 700],
      ],
    );
  });
});

describe("ToneGenerator", () => {
  for (const plan of ["us", "eu", "cn"] as const) {
    for (const name of ["ringback", "busy"] as const) {
      const [freqs, onMs, offMs, dbm0] = CADENCES[plan][name];
      describe(`upon the ${plan} ${name} tone`, () => {
        const total = 2.5 * (onMs + offMs);
        const { pcm, more } = play(TONE_PLANS[plan][name], total);
        it(`plays ${freqs.join("+")} Hz at ${dbm0} dBm0 each, nothing else`, () => {
          // 100 ms from the middle of the first on period.
          const from = Math.round(((onMs / 2 - 50) * 8000) / 1000);
          for (const f of freqs) {
            const db = 20 * Math.log10(amplitudeAt(pcm, from, 800, f) / dbm0ToPeak(dbm0));
            assert.ok(Math.abs(db) < 0.3, `${f} Hz at ${db.toFixed(2)} dB from ${dbm0} dBm0`);
          }
          for (const f of [300, 400, 520, 700, 1000]) {
            if (freqs.some((g) => Math.abs(g - f) < 100)) continue;
            assert.ok(amplitudeAt(pcm, from, 800, f) < dbm0ToPeak(dbm0) / 30, `no ${f} Hz`);
          }
        });
        it(`keeps the cadence ${onMs} ms on, ${offMs} ms off, and loops`, () => {
          const got = cadence(pcm);
          const want = expected(onMs, offMs, total);
          const wrong = got.filter((v, i) => v !== want[i]).length;
          // Only the 10 ms windows holding a 4 ms fade may differ.
          assert.ok(wrong <= 2 * 3, `${wrong} windows off the cadence`);
          assert.ok(more.every(Boolean), "a looping tone never ends");
        });
      });
    }
  }

  describe("upon a steady tone (dial)", () => {
    it("runs on across frames and loop turns with no step between samples", () => {
      const { pcm } = play(TONE_PLANS.us.dial, 3000);
      // |x[n] - x[n-1]| of A1·sin(w1 n) + A2·sin(w2 n) is at most A1·w1 + A2·w2.
      const peak = dbm0ToPeak(-13);
      const bound = peak * ((2 * Math.PI * 350) / 8000 + (2 * Math.PI * 440) / 8000) + 2;
      let worst = 0;
      for (let i = 40; i < pcm.length; i++) worst = Math.max(worst, Math.abs(pcm[i] - pcm[i - 1]));
      assert.ok(worst <= bound, `step ${worst} > ${bound.toFixed(0)}`);
      assert.ok(
        amplitudeAt(pcm, 8000 - 400, 800, 350) > peak * 0.97,
        "still at level across the 1 s loop turn",
      );
    });
    it("fades in from silence", () => {
      const { pcm } = play(TONE_PLANS.eu.dial, 20);
      assert.ok(Math.abs(pcm[1]) < 200 && Math.abs(pcm[2]) < 400, `${pcm[1]}, ${pcm[2]}`);
    });
  });

  describe("upon a tone that stops (busy)", () => {
    it("fades out before the silence: no step at the end of a burst", () => {
      const { pcm } = play(TONE_PLANS.eu.busy, 600);
      const end = 4000; // 500 ms
      assert.ok(Math.abs(pcm[end - 1]) < 300, `last sample ${pcm[end - 1]}`);
      assert.equal(pcm[end], 0);
    });
  });

  describe("upon a one-shot tone", () => {
    it("plays the us confirmation's three 100 ms beeps, then ends", () => {
      const { pcm, more } = play(TONE_PLANS.us.confirmation, 600);
      const got = cadence(pcm);
      const want = expected(100, 100, 600).map((v, i) => v && i < 50);
      assert.ok(got.filter((v, i) => v !== want[i]).length <= 6);
      // 500 ms of tone: 25 frames hold some of it, then fill() says it has ended.
      assert.deepEqual(more, [...Array(25).fill(true), ...Array(5).fill(false)]);
    });
    it("pads its last frame with silence and fills nothing after it", () => {
      const spec: ToneSpec = { segments: [{ freqs: [1000], ms: 30 }], loop: false };
      const { pcm, more } = play(spec, 60);
      assert.deepEqual(more, [true, true, false]);
      assert.ok(
        pcm.subarray(240).every((x) => x === 0),
        "silence after 30 ms",
      );
      assert.ok(pcm.subarray(100, 200).some((x) => x !== 0));
    });
    it("join rises and leave falls", () => {
      const a = play(TONE_PLANS.eu.join, 200).pcm;
      const b = play(TONE_PLANS.eu.leave, 200).pcm;
      const hz = (pcm: Int16Array, from: number) =>
        amplitudeAt(pcm, from, 400, 600) > amplitudeAt(pcm, from, 400, 900) ? 600 : 900;
      assert.deepEqual([hz(a, 200), hz(a, 1000), hz(b, 200), hz(b, 1000)], [600, 900, 900, 600]);
    });
    it("the beep is 1000 Hz for 400 ms", () => {
      const { pcm, more } = play(TONE_PLANS.cn.beep, 500);
      assert.ok(amplitudeAt(pcm, 1000, 800, 1000) > dbm0ToPeak(-13) * 0.97);
      assert.equal(more.filter(Boolean).length, 20);
    });
  });

  describe("constructor", () => {
    it("rejects a frequency outside 0-4000 Hz", () => {
      assert.throws(
        () => new ToneGenerator({ segments: [{ freqs: [5000], ms: 100 }], loop: true }),
        RangeError,
      );
    });
    it("treats a spec with no sound as ended", () => {
      const gen = new ToneGenerator({ segments: [{ freqs: [440], ms: 0 }], loop: true });
      const frame = new Int16Array(FRAME).fill(7);
      assert.equal(gen.fill(frame), false);
      assert.ok(frame.every((x) => x === 0));
    });
  });
});
