/**
 * Signal levels of 16-bit linear audio (8 kHz, 20 ms frames) and a silence detector for "end the
 * recording after N seconds of silence".
 *
 * Two scales are used in the media layer:
 * - dBFS here is the RMS relative to 32768, so a full-scale square wave is 0 dBFS and a
 *   full-scale sine -3.01 dBFS.
 * - dBm0 (ITU-T G.711 and O.41): the G.711 coders overload at +3.17 dBm0 (mu-law; A-law +3.14),
 *   so a 0 dBm0 sine has a peak 3.17 dB below 32768 (22,748) and an RMS of -6.18 dBFS. Tone
 *   generators and the DTMF detector express their levels in dBm0 through this mapping.
 */

/** Peak amplitude of a 0 dBm0 sine in 16-bit linear (3.17 dB below full scale). */
export const DBM0_PEAK = 32768 * 10 ** (-3.17 / 20);

/** Peak amplitude of a sine at `dbm0`. */
export function dbm0ToPeak(dbm0: number): number {
  return DBM0_PEAK * 10 ** (dbm0 / 20);
}

/** Mean square (power per sample) of a sine at `dbm0`. */
export function dbm0ToPower(dbm0: number): number {
  const peak = dbm0ToPeak(dbm0);
  return (peak * peak) / 2;
}

/** The dBm0 of a signal whose RMS is `dbfs` (an RMS of -6.18 dBFS is 0 dBm0). */
export function dbfsToDbm0(dbfs: number): number {
  return dbfs - 20 * Math.log10(DBM0_PEAK / Math.SQRT2 / 32768);
}

/** RMS of the first `count` samples in dBFS (re 32768); -Infinity for digital silence. */
export function rmsDbfs(frame: Int16Array, count = frame.length): number {
  if (count <= 0) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += frame[i] * frame[i];
  return 10 * Math.log10(sum / count / (32768 * 32768));
}

/**
 * Says when the input has stayed below a level for a while: frames quieter than
 * `thresholdDbfs` add their length in samples to a running silence, any louder frame
 * clears it. Comparing mean squares avoids a logarithm per frame.
 */
export class SilenceDetector {
  private readonly thresholdPower: number;
  private readonly holdSamples: number;
  private silentSamples = 0;

  constructor(
    thresholdDbfs: number,
    holdMs: number,
    private readonly sampleRate = 8000,
  ) {
    this.thresholdPower = 32768 * 32768 * 10 ** (thresholdDbfs / 10);
    this.holdSamples = Math.ceil((holdMs * sampleRate) / 1000);
  }

  /** Feeds one frame; true once silence has lasted `holdMs` (and for as long as it goes on). */
  push(frame: Int16Array, count = frame.length): boolean {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += frame[i] * frame[i];
    if (count > 0 && sum / count < this.thresholdPower) this.silentSamples += count;
    else if (count > 0) this.silentSamples = 0;
    return this.silentSamples >= this.holdSamples;
  }

  /** Milliseconds of silence so far. */
  get silentMs(): number {
    return (this.silentSamples * 1000) / this.sampleRate;
  }

  reset(): void {
    this.silentSamples = 0;
  }
}
