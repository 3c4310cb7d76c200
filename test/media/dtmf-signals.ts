/**
 * Deterministic test signals for the in-band DTMF detector (tests and bench/dtmf-accuracy): DTMF
 * tone pairs at a level in dBm0 with twist, white and pink-ish noise, a speech-like signal (a
 * gliding 120-220 Hz fundamental's harmonics shaped by three moving formants, with unvoiced
 * hiss and pauses) and a music-like one (chords of 3-4 notes with harmonics and vibrato).
 * All at 8 kHz, built in Float64Array and turned into Int16Array (clipped) at the end.
 */
import { dbm0ToPeak, dbm0ToPower } from "../../src/media/dsp/level.js";

export const RATE = 8000;
export const KEYS = "123A456B789C*0#D";
export const ROWS = [697, 770, 852, 941];
export const COLS = [1209, 1336, 1477, 1633];

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const uniform = (rand: () => number, lo: number, hi: number) => lo + (hi - lo) * rand();

/** Samples of `ms` milliseconds. */
export const samples = (ms: number) => Math.round((ms * RATE) / 1000);

/**
 * Adds the key's tone pair at `start` for `length` samples: the row at `rowDbm0`, the column
 * `twistDb` above it (negative: the column is weaker).
 */
export function addDtmf(
  out: Float64Array,
  start: number,
  length: number,
  key: string,
  rowDbm0: number,
  twistDb = 0,
  phase = 0,
): void {
  const k = KEYS.indexOf(key);
  if (k < 0) throw new RangeError(`not a DTMF key: ${key}`);
  addSine(out, start, length, ROWS[k >> 2], rowDbm0, phase);
  addSine(out, start, length, COLS[k & 3], rowDbm0 + twistDb, phase * 1.7 + 1);
}

export function addSine(
  out: Float64Array,
  start: number,
  length: number,
  freq: number,
  dbm0: number,
  phase = 0,
): void {
  const amp = dbm0ToPeak(dbm0);
  const w = (2 * Math.PI * freq) / RATE;
  const end = Math.min(out.length, start + length);
  for (let i = start; i < end; i++) out[i] += amp * Math.sin(w * (i - start) + phase);
}

/** Adds `src` scaled to `dbm0` of mean power over [start, start + length). */
export function addScaled(out: Float64Array, start: number, src: Float64Array, dbm0: number): void {
  let sum = 0;
  for (let i = 0; i < src.length; i++) sum += src[i] * src[i];
  if (sum === 0) return;
  const gain = Math.sqrt(dbm0ToPower(dbm0) / (sum / src.length));
  const end = Math.min(out.length, start + src.length);
  for (let i = start; i < end; i++) out[i] += gain * src[i - start];
}

/** White noise, or pink-ish (a one-pole low-pass, -6 dB/octave above ~200 Hz) when `pink`. */
export function noise(rand: () => number, length: number, pink = false): Float64Array {
  const out = new Float64Array(length);
  let y = 0;
  for (let i = 0; i < length; i++) {
    const x = rand() * 2 - 1;
    y = pink ? 0.85 * y + x : x;
    out[i] = y;
  }
  return out;
}

/**
 * Speech-like signal: syllables of 80-400 ms, mostly voiced (harmonics of a fundamental gliding
 * between 120 and 220 Hz, weighted by three formants that glide too), some unvoiced (high-passed
 * noise), some pauses. The spectrum is recomputed every 10 ms.
 */
export function speechLike(rand: () => number, length: number): Float64Array {
  const out = new Float64Array(length);
  const gains = new Float64Array(40);
  let phase = 0;
  let i = 0;
  while (i < length) {
    const len = Math.min(length - i, samples(uniform(rand, 80, 400)));
    const kind = rand();
    if (kind < 0.7) {
      const f0a = uniform(rand, 120, 220);
      const f0b = uniform(rand, 120, 220);
      const fa = [uniform(rand, 300, 800), uniform(rand, 900, 2300), uniform(rand, 2300, 3200)];
      const fb = [uniform(rand, 300, 800), uniform(rand, 900, 2300), uniform(rand, 2300, 3200)];
      const bw = [uniform(rand, 60, 120), uniform(rand, 80, 150), uniform(rand, 100, 200)];
      for (let n = 0; n < len; n++) {
        const t = n / len;
        const f0 = f0a + (f0b - f0a) * t;
        if (n % 80 === 0) {
          for (let h = 1; h < gains.length; h++) {
            const f = h * f0;
            let g = 0;
            for (let k = 0; k < 3; k++) {
              const fk = fa[k] + (fb[k] - fa[k]) * t;
              g += 1 / (k + 1) / (1 + ((f - fk) / bw[k]) ** 2);
            }
            gains[h] = f < 3800 ? g / Math.sqrt(h) : 0;
          }
        }
        phase += (2 * Math.PI * f0) / RATE;
        let s = 0;
        for (let h = 1; h < gains.length && gains[h] > 0; h++) s += gains[h] * Math.sin(h * phase);
        out[i + n] = s * Math.sqrt(Math.sin(Math.PI * t));
      }
    } else if (kind < 0.85) {
      let prev = 0;
      for (let n = 0; n < len; n++) {
        const x = rand() * 2 - 1;
        out[i + n] = 0.3 * (x - 0.9 * prev) * Math.sin((Math.PI * n) / len);
        prev = x;
      }
    }
    i += len;
  }
  return out;
}

/**
 * Music-like signal: chords of 3-4 notes (equal temperament, G3 to E6) held 300-1200 ms, each
 * note a fundamental and 2-4 harmonics falling off, with 4.5-6.5 Hz vibrato of 0.3-1%, a 20 ms
 * attack and an exponential decay.
 */
export function musicLike(rand: () => number, length: number): Float64Array {
  const out = new Float64Array(length);
  let i = 0;
  while (i < length) {
    const len = Math.min(length - i, samples(uniform(rand, 300, 1200)));
    const notes = 3 + Math.floor(rand() * 2);
    for (let k = 0; k < notes; k++) {
      const freq = 440 * 2 ** ((55 + Math.floor(rand() * 33) - 69) / 12);
      const harmonics = 3 + Math.floor(rand() * 3);
      const tilt = uniform(rand, 1, 2);
      const level = uniform(rand, 0.5, 1);
      const rate = uniform(rand, 4.5, 6.5);
      const depth = uniform(rand, 0.003, 0.01);
      const decay = uniform(rand, 0.5, 3);
      let phase = rand() * 2 * Math.PI;
      for (let n = 0; n < len; n++) {
        const t = n / RATE;
        phase += (2 * Math.PI * freq * (1 + depth * Math.sin(2 * Math.PI * rate * t))) / RATE;
        const env = Math.min(1, t / 0.02) * Math.exp(-decay * t);
        let s = 0;
        for (let h = 1; h <= harmonics && h * freq < 3800; h++) s += Math.sin(h * phase) / h ** tilt;
        out[i + n] += level * env * s;
      }
    }
    i += len;
  }
  return out;
}

/** Rounds to 16-bit linear, clipping at full scale. */
export function toPcm(signal: Float64Array): Int16Array {
  const out = new Int16Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(signal[i])));
  return out;
}

/** Feeds `pcm` to `push` in 20 ms frames (the last one short); `onFrame` sees each frame's start. */
export function feedFrames(
  pcm: Int16Array,
  push: (frame: Int16Array, count: number) => void,
  onFrame?: (start: number) => void,
): void {
  const frame = new Int16Array(160);
  for (let i = 0; i < pcm.length; i += 160) {
    const count = Math.min(160, pcm.length - i);
    frame.set(pcm.subarray(i, i + count));
    onFrame?.(i);
    push(frame, count);
  }
}
