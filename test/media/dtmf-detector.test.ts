/**
 * Covers src/media/dsp/dtmf-detector.ts: in-band DTMF (ITU-T Q.23 keys, Q.24 receiver limits).
 * Proven here: all 16 keys at -10 dBm0 per tone, 50 and 100 ms on with 50 ms off, each reported
 * once; twist at Q.24's limits (8 dB normal, 4 dB reverse) accepted and beyond them rejected;
 * tones 1.5% + 2 Hz off accepted, 3.5% off rejected; a column with a second harmonic rejected;
 * detection with white and pink-ish noise at 15 dB SNR; no digit from 30 s of speech-like signal,
 * from music-like chords, from a single sine or from a 30 ms burst; 40 ms tones found at any
 * alignment; two presses of one key 40 ms apart give two digits; frames of any size; real sox output.
 * Not proven here: the accuracy over 1,600 digits through G.711 (bench/dtmf-accuracy.bench.ts).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { InbandDtmfDetector } from "../../src/media/dsp/dtmf-detector.js";
import { missingTool } from "../helpers/run-tool.js";
import {
  addDtmf,
  addScaled,
  addSine,
  COLS,
  feedFrames,
  KEYS,
  musicLike,
  noise,
  prng,
  ROWS,
  samples,
  speechLike,
  toPcm,
} from "./dtmf-signals.js";

/** Runs a detector over `pcm` in 20 ms frames; returns the digits reported, in order. */
function detect(pcm: Int16Array): string {
  let digits = "";
  const detector = new InbandDtmfDetector((digit, durationMs) => {
    assert.equal(durationMs, 0, "reported at key-down");
    digits += digit;
  });
  feedFrames(pcm, (frame, count) => detector.push(frame, count));
  return digits;
}

/** Every key in turn, `onMs` on and `offMs` off, after `leadMs` of silence. */
function keySequence(onMs: number, offMs: number, dbm0 = -10, twistDb = 0, leadMs = 13): Float64Array {
  const out = new Float64Array(samples(leadMs + KEYS.length * (onMs + offMs) + 100));
  let at = samples(leadMs);
  for (const key of KEYS) {
    addDtmf(out, at, samples(onMs), key, dbm0, twistDb);
    at += samples(onMs + offMs);
  }
  return out;
}

describe("InbandDtmfDetector", () => {
  describe("upon each key's tone pair at -10 dBm0 per tone", () => {
    it("reports every key once, 100 ms on and 50 ms off", () => {
      assert.equal(detect(toPcm(keySequence(100, 50))), KEYS);
    });
    it("reports every key once, 50 ms on and 50 ms off", () => {
      assert.equal(detect(toPcm(keySequence(50, 50))), KEYS);
    });
    it("reports the same keys at -25 dBm0 and at -3 dBm0 per tone", () => {
      assert.equal(detect(toPcm(keySequence(60, 50, -25))), KEYS);
      assert.equal(detect(toPcm(keySequence(60, 50, -3))), KEYS);
    });
    it("reports nothing below the energy floor (-40 dBm0 per tone)", () => {
      assert.equal(detect(toPcm(keySequence(100, 50, -40))), "");
    });
  });

  describe("upon twist (Q.24)", () => {
    it("accepts the high group 7.5 dB below the low one (normal twist, limit 8 dB)", () => {
      assert.equal(detect(toPcm(keySequence(100, 50, -6, -7.5))), KEYS);
    });
    it("accepts the high group 3.5 dB above the low one (reverse twist, limit 4 dB)", () => {
      assert.equal(detect(toPcm(keySequence(100, 50, -12, 3.5))), KEYS);
    });
    it("rejects 10 dB of normal twist and 5.5 dB of reverse twist", () => {
      assert.equal(detect(toPcm(keySequence(100, 50, -6, -10))), "");
      assert.equal(detect(toPcm(keySequence(100, 50, -12, 5.5))), "");
    });
  });

  describe("upon frequency deviation (Q.24: accept 1.5% + 2 Hz, reject beyond 3.5%)", () => {
    /** Every key with both tones moved by `sign` · (`pct`% + `hz`). */
    function offKeys(sign: number, pct: number, hz: number): Int16Array {
      const out = new Float64Array(samples(16 * 110 + 100));
      KEYS.split("").forEach((_, k) => {
        const at = samples(13 + k * 110);
        for (const f of [ROWS[k >> 2], COLS[k & 3]])
          addSine(out, at, samples(60), f * (1 + (sign * pct) / 100) + sign * hz, -10);
      });
      return toPcm(out);
    }
    it("reports every key 1.5% + 2 Hz above and below nominal", () => {
      assert.equal(detect(offKeys(1, 1.5, 2)), KEYS);
      assert.equal(detect(offKeys(-1, 1.5, 2)), KEYS);
    });
    it("reports nothing 3.5% off", () => {
      assert.equal(detect(offKeys(1, 3.5, 0)), "");
      assert.equal(detect(offKeys(-1, 3.5, 0)), "");
    });
  });

  describe("upon harmonics", () => {
    it("rejects a pair whose column tone has a second harmonic 10 dB down, not one 25 dB down", () => {
      for (const [harmonicDb, want] of [
        [-10, ""],
        [-25, "5"],
      ] as const) {
        const signal = new Float64Array(samples(200));
        addDtmf(signal, 0, samples(100), "5", -10);
        addSine(signal, 0, samples(100), 2 * 1336, -10 + harmonicDb);
        assert.equal(detect(toPcm(signal)), want, `${harmonicDb} dB`);
      }
    });
  });

  describe("upon noise at 15 dB SNR", () => {
    for (const pink of [false, true]) {
      it(`reports every key once under ${pink ? "pink-ish" : "white"} noise`, () => {
        const signal = keySequence(60, 50, -10);
        // Tone pair total -7 dBm0, noise 15 dB below.
        addScaled(signal, 0, noise(prng(pink ? 2 : 1), signal.length, pink), -22);
        assert.equal(detect(toPcm(signal)), KEYS);
      });
    }
  });

  describe("upon signals that are not DTMF", () => {
    it("reports nothing in 30 s of speech-like signal at -5 to -30 dBm0", () => {
      const rand = prng(7);
      const signal = new Float64Array(samples(30_000));
      for (let s = 0; s < signal.length; s += samples(5000)) {
        addScaled(signal, s, speechLike(rand, samples(5000)), -5 - 5 * (s / samples(5000)));
      }
      assert.equal(detect(toPcm(signal)), "");
    });
    it("reports nothing in 15 s of music-like chords with vibrato", () => {
      const rand = prng(8);
      const signal = new Float64Array(samples(15_000));
      for (let s = 0; s < signal.length; s += samples(5000)) {
        addScaled(signal, s, musicLike(rand, samples(5000)), -8 - 6 * (s / samples(5000)));
      }
      assert.equal(detect(toPcm(signal)), "");
    });
    it("reports nothing for a single sine at any of the eight frequencies", () => {
      for (const freq of [...ROWS, ...COLS]) {
        const signal = new Float64Array(samples(500));
        addSine(signal, 0, signal.length, freq, -6);
        assert.equal(detect(toPcm(signal)), "", `${freq} Hz`);
      }
    });
  });

  describe("upon tone duration (Q.24: 40 ms accepted)", () => {
    it("reports nothing for a 30 ms burst, at any alignment to the blocks", () => {
      for (let lead = 0; lead < 106; lead += 5) {
        const signal = new Float64Array(samples(200));
        addDtmf(signal, lead, samples(30), "5", -10);
        assert.equal(detect(toPcm(signal)), "", `lead ${lead}`);
      }
    });
    it("reports a 40 ms tone once, at any alignment to the blocks", () => {
      for (let lead = 0; lead < 106; lead += 5) {
        const signal = new Float64Array(samples(200));
        addDtmf(signal, lead, samples(40), "5", -10);
        assert.equal(detect(toPcm(signal)), "5", `lead ${lead}`);
      }
    });
    it("reports a 2 s press once", () => {
      const signal = new Float64Array(samples(2200));
      addDtmf(signal, 100, samples(2000), "#", -10);
      assert.equal(detect(toPcm(signal)), "#");
    });
  });

  describe("upon a key pressed twice", () => {
    it("reports two digits when 40 ms of silence separate the presses", () => {
      const signal = new Float64Array(samples(400));
      addDtmf(signal, 50, samples(80), "5", -10);
      addDtmf(signal, 50 + samples(120), samples(80), "5", -10);
      assert.equal(detect(toPcm(signal)), "55");
    });
    it("reports one digit when a 10 ms drop-out interrupts one press", () => {
      const signal = new Float64Array(samples(400));
      addDtmf(signal, 50, samples(100), "5", -10);
      addDtmf(signal, 50 + samples(110), samples(100), "5", -10);
      assert.equal(detect(toPcm(signal)), "5");
    });
  });

  describe("push()", () => {
    it("gives the same digits whatever the frame sizes", () => {
      const pcm = toPcm(keySequence(60, 50));
      let digits = "";
      const detector = new InbandDtmfDetector((digit) => {
        digits += digit;
      });
      const rand = prng(3);
      for (let i = 0; i < pcm.length; ) {
        const n = Math.min(pcm.length - i, 1 + Math.floor(rand() * 300));
        detector.push(pcm.subarray(i, i + n));
        i += n;
      }
      assert.equal(digits, KEYS);
    });
    it("reads only `count` samples of the frame", () => {
      const pcm = toPcm(keySequence(60, 50));
      let digits = "";
      const detector = new InbandDtmfDetector((digit) => {
        digits += digit;
      });
      const frame = new Int16Array(160);
      for (let i = 0; i < pcm.length; i += 100) {
        frame.fill(20000);
        frame.set(pcm.subarray(i, i + 100));
        detector.push(frame, Math.min(100, pcm.length - i));
      }
      assert.equal(digits, KEYS);
    });
  });

  describe("reset()", () => {
    it("forgets a press in progress", () => {
      const signal = new Float64Array(samples(200));
      addDtmf(signal, 0, samples(200), "7", -10);
      const pcm = toPcm(signal);
      let digits = "";
      const detector = new InbandDtmfDetector((digit) => {
        digits += digit;
      });
      detector.push(pcm.subarray(0, 160));
      detector.reset();
      detector.push(new Int16Array(160));
      assert.equal(digits, "");
      detector.push(pcm.subarray(160, 800));
      detector.push(pcm.subarray(800, 1600));
      assert.equal(digits, "7", "a press after the reset is reported");
    });
  });

  describe("upon sox-generated tones", () => {
    it("decodes `sox synth sine 697 sine 1209` style tone pairs for every key", {
      skip: missingTool("sox"),
    }, () => {
      const parts: Int16Array[] = [];
      for (let k = 0; k < KEYS.length; k++) {
        const raw = execFileSync("sox", [
          ...["-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed", "-t", "raw", "-"],
          ...["synth", "0.1", "sine", String(ROWS[k >> 2]), "sine", String(COLS[k & 3]), "gain", "-6"],
        ]);
        parts.push(new Int16Array(new Uint8Array(raw).buffer)); // a copy: aligned, little-endian
        parts.push(new Int16Array(samples(60)));
      }
      const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        pcm.set(p, at);
        at += p.length;
      }
      assert.equal(detect(pcm), KEYS);
    });
  });
});
