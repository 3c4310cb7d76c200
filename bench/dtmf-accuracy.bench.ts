/**
 * In-band DTMF detector accuracy and speed (src/media/dsp/dtmf-detector.ts), deterministic:
 * - 1,600 digits (100 of each of the 16 keys, shuffled), each 40-200 ms long with a 40-200 ms
 *   pause after it, the row tone at -5..-25 dBm0 and the column 7 dB below to 3 dB above it
 *   (inside Q.24's twist limits of 8 and 4 dB), over speech-like noise at 10-20 dB SNR;
 * - then 40 s of speech-like signal and 30 s of music-like chords (with vibrato) without digits,
 *   at -10..-30 dBm0;
 * all through G.711 mu-law and back, as it would cross RTP, fed in 20 ms frames.
 * A digit counts as detected when its key is reported between its start and the next digit's;
 * any other report is false. Exits 1 below the floors: 99% detected, 0 false. The speed is
 * frames per second through one detector on one core (the frame copy included).
 * Run: node --import tsx bench/dtmf-accuracy.bench.ts
 */
import { performance } from "node:perf_hooks";
import { InbandDtmfDetector } from "../src/media/dsp/dtmf-detector.js";
import { decode, encode } from "../src/media/dsp/g711.js";
import {
  addDtmf,
  addScaled,
  feedFrames,
  KEYS,
  musicLike,
  prng,
  samples,
  speechLike,
  toPcm,
  uniform,
} from "../test/media/dtmf-signals.js";

const DIGITS = 1600;
const rand = prng(0x5eed_d7f1);

interface Press {
  key: string;
  start: number;
  on: number;
  rowDbm0: number;
  twistDb: number;
  /** Where the next press starts: a report before it belongs to this one. */
  until: number;
  noiseDbm0: number;
}

const keys: string[] = [];
for (let i = 0; i < DIGITS; i++) keys.push(KEYS[i % 16]);
for (let i = keys.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [keys[i], keys[j]] = [keys[j], keys[i]];
}

const presses: Press[] = [];
let at = samples(100);
for (const key of keys) {
  const on = samples(uniform(rand, 40, 200));
  const off = samples(uniform(rand, 40, 200));
  const rowDbm0 = uniform(rand, -25, -5);
  const twistDb = uniform(rand, -7, 3);
  // The noise sits 10-20 dB below the pair's total power.
  const toneDbm0 = 10 * Math.log10(10 ** (rowDbm0 / 10) + 10 ** ((rowDbm0 + twistDb) / 10));
  const noiseDbm0 = toneDbm0 - uniform(rand, 10, 20);
  presses.push({ key, start: at, on, rowDbm0, twistDb, until: at + on + off, noiseDbm0 });
  at += on + off;
}
const digitsEnd = at;
const total = digitsEnd + samples(40_000) + samples(30_000);
const signal = new Float64Array(total);

// Speech under the digits: one long speech-like stream, scaled press by press to its SNR.
const under = speechLike(rand, digitsEnd);
for (const p of presses) {
  addScaled(signal, p.start, under.subarray(p.start, p.until), p.noiseDbm0);
  addDtmf(signal, p.start, p.on, p.key, p.rowDbm0, p.twistDb, rand() * 2 * Math.PI);
}
// Then speech and music alone, in 5 s pieces at -10..-30 dBm0.
for (let s = digitsEnd; s < total; s += samples(5000)) {
  const len = Math.min(samples(5000), total - s);
  const piece = s < digitsEnd + samples(40_000) ? speechLike(rand, len) : musicLike(rand, len);
  addScaled(signal, s, piece, uniform(rand, -30, -10));
}

// Across RTP: mu-law and back.
const pcm = decode("PCMU", encode("PCMU", toPcm(signal)));

const reports: Array<{ digit: string; at: number }> = [];
let frameStart = 0;
const detector = new InbandDtmfDetector((digit) => reports.push({ digit, at: frameStart }));
feedFrames(
  pcm,
  (frame, count) => detector.push(frame, count),
  (start) => {
    frameStart = start;
  },
);

// Speed: a second pass with a fresh detector, once the code is warm.
const timed = new InbandDtmfDetector(() => {});
const t0 = performance.now();
feedFrames(pcm, (frame, count) => timed.push(frame, count));
const elapsed = (performance.now() - t0) / 1000;

let detected = 0;
let falses = 0;
let next = 0;
const hit = new Uint8Array(presses.length);
for (const r of reports) {
  while (next < presses.length && presses[next].until <= r.at) next++;
  const p = presses[next];
  if (p && r.at >= p.start && r.digit === p.key && !hit[next]) {
    hit[next] = 1;
    detected++;
  } else {
    falses++;
    if (process.env.VERBOSE) console.log(`false ${r.digit} at ${(r.at / 8000).toFixed(2)} s`, p);
  }
}
if (process.env.VERBOSE) {
  for (let i = 0; i < presses.length; i++) if (!hit[i]) console.log("missed", presses[i]);
}
const frames = Math.ceil(pcm.length / 160);
const pct = ((100 * detected) / presses.length).toFixed(1);
console.log(
  `BENCH dtmf.inband detected=${detected}/${presses.length} (${pct}%) false=${falses} (goal 100%, 0 false)`,
);
console.log(`BENCH dtmf.inband.speed frames_per_s=${Math.round(frames / elapsed)}`);
if (detected < 0.99 * presses.length || falses > 0) process.exitCode = 1;
