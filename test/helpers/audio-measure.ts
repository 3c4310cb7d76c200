/**
 * Measurements of recorded audio for the media tests: the samples of a WAV (8 or 16 kHz PCM or
 * G.711, through Parley's own reader), a tone's share of a signal (Goertzel), and the RMS
 * envelope of a signal with the best correlation of two envelopes over a range of lags.
 */
import { readFileSync } from "node:fs";
import { readWav } from "../../src/media/audio/wav.js";

export { toneShare } from "./rtp-peer.js";

/** 8 kHz samples of a WAV file; throws naming the file when it is not a WAV Parley reads. */
export function wavSamples(file: string): Int16Array {
  const r = readWav(readFileSync(file));
  if (!r.ok) throw new Error(`${file}: ${r.error}`);
  return r.pcm;
}

/** RMS per window of `ms` milliseconds (8 kHz). */
export function rmsEnvelope(pcm: Int16Array, ms = 50): number[] {
  const n = (8000 * ms) / 1000;
  const out: number[] = [];
  for (let i = 0; i + n <= pcm.length; i += n) {
    let sum = 0;
    for (let j = i; j < i + n; j++) sum += pcm[j] * pcm[j];
    out.push(Math.sqrt(sum / n));
  }
  return out;
}

function pearson(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/** The best correlation of `reference`'s envelope within `heard`'s, and the lag (windows) of it. */
export function envelopeMatch(heard: number[], reference: number[], maxLag = 60): { r: number; lag: number } {
  let best = { r: -1, lag: 0 };
  for (let lag = 0; lag <= maxLag && lag < heard.length; lag++) {
    const r = pearson(heard.slice(lag, lag + reference.length), reference);
    if (r > best.r) best = { r, lag };
  }
  return best;
}

/** Power per band (Goertzel at `bands` centres, 100 Hz to 3.5 kHz): a coarse spectrum. */
export function bandSpectrum(pcm: Int16Array, bands = 34): number[] {
  const out: number[] = [];
  for (let b = 0; b < bands; b++) {
    const freq = 100 + b * 100;
    const k = 2 * Math.cos((2 * Math.PI * freq) / 8000);
    let s1 = 0;
    let s2 = 0;
    for (const x of pcm) {
      const s = x + k * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    out.push(s1 * s1 + s2 * s2 - k * s1 * s2);
  }
  return out;
}

/** Cosine similarity of two spectra (1 = the same shape). */
export function spectrumSimilarity(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = Math.sqrt(a[i]);
    const y = Math.sqrt(b[i]);
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
