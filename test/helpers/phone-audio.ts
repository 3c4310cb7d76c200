/**
 * What a baresip phone heard in a stretch of its call, measured: its received dump (sndfile's
 * -dec WAV) cut to a window of wall-clock time since the call was established, and the share of
 * given tones in it (Goertzel, audio-measure.ts). Several calls of one phone each have a dump;
 * `call` picks one by order (0 = the first).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { toneShare, wavSamples } from "./audio-measure.js";
import type { BaresipPhone } from "./baresip-phone.js";

/** The phone's received dumps, oldest first (their names carry the call's start time). */
export function receivedDumps(phone: BaresipPhone): string[] {
  return readdirSync(join(phone.dir, "rec"))
    .filter((n) => n.endsWith("-dec.wav"))
    .sort()
    .map((n) => join(phone.dir, "rec", n));
}

export interface HeardWindow {
  readonly rms: number;
  /** Each asked tone's share of the window's power (0..1). */
  readonly shares: Record<number, number>;
  readonly seconds: number;
}

/** The window [fromS, toS) seconds into the phone's `call`-th recording. */
export function heard(
  phone: BaresipPhone,
  fromS: number,
  toS: number,
  tones: number[],
  call = 0,
): HeardWindow {
  const dump = receivedDumps(phone)[call];
  if (dump === undefined) throw new Error(`no recording of call ${call} in ${phone.dir}`);
  const pcm = wavSamples(dump).subarray(Math.round(fromS * 8000), Math.round(toS * 8000));
  let sum = 0;
  for (const x of pcm) sum += x * x;
  const shares: Record<number, number> = {};
  for (const hz of tones) shares[hz] = toneShare(pcm, hz);
  return {
    rms: pcm.length === 0 ? 0 : Math.sqrt(sum / pcm.length) / 32768,
    shares,
    seconds: pcm.length / 8000,
  };
}

/** Describes a window for an assertion message. */
export function describeHeard(w: HeardWindow): string {
  const shares = Object.entries(w.shares)
    .map(([hz, s]) => `${hz} Hz ${(s * 100).toFixed(0)}%`)
    .join(", ");
  return `${w.seconds.toFixed(1)} s, RMS ${w.rms.toFixed(3)}, ${shares}`;
}

/**
 * The window from `fromEndS` to `toEndS` seconds before the end of the phone's `call`-th
 * recording (e.g. 3, 0.5: the last stretch of a call, whatever came before it).
 */
export function heardBeforeEnd(
  phone: BaresipPhone,
  fromEndS: number,
  toEndS: number,
  tones: number[],
  call = 0,
): HeardWindow {
  const dump = receivedDumps(phone)[call];
  if (dump === undefined) throw new Error(`no recording of call ${call} in ${phone.dir}`);
  const seconds = wavSamples(dump).length / 8000;
  return heard(phone, Math.max(0, seconds - fromEndS), Math.max(0, seconds - toEndS), tones, call);
}
