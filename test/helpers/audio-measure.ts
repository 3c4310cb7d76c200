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
