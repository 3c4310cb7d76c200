/**
 * Call progress tones (ITU-T E.180 and its Supplement 2, the national tone plans) and Parley's
 * own short signals, generated as 8 kHz 16-bit linear frames.
 *
 * Levels are dBm0 per frequency, mapped to samples as in level.ts (a 0 dBm0 sine peaks 3.17 dB
 * below 32768, the G.711 mu-law overload point); a segment without a level plays at -13 dBm0.
 *
 * Plans:
 * - us: the North American Precise Tone Plan (ANSI T1.401, E.180 Suppl. 2 "United States"): dial
 *   350+440 Hz continuous at -13 dBm0, ringback 440+480 Hz 2 s on 4 s off at -19 dBm0, busy
 *   480+620 Hz 0.5/0.5 s and reorder (congestion) 0.25/0.25 s at -24 dBm0, call waiting 440 Hz
 *   0.3 s, confirmation 350+440 Hz three times 0.1 s on 0.1 s off.
 * - eu: the CEPT/ETSI tones (ETSI TR 101 041, ES 201 970): 425 Hz; dial continuous, ringback 1 s
 *   on 4 s off, busy 0.5/0.5 s, congestion 0.25/0.25 s, call waiting 0.2 on 0.2 off 0.2 on.
 * - cn: China (YD/T 1051, E.180 Suppl. 2 "China"): 450 Hz; dial continuous, ringback 1 s on 4 s
 *   off, busy 0.35/0.35 s, congestion 0.7/0.7 s, call waiting 0.4 s.
 * Call waiting and confirmation are single bursts (whoever plays them repeats call waiting, every
 * 10 s in the US). Every plan shares Parley's own: "beep" (1000 Hz 0.4 s: leave a message after
 * the tone, and a conference's announcement tone), "join" (600 then 900 Hz, rising) and "leave"
 * (900 then 600 Hz, falling), 0.1 s each note.
 */
import { dbm0ToPeak } from "./level.js";

export type ToneName =
  | "dial"
  | "ringback"
  | "busy"
  | "congestion"
  | "confirmation"
  | "callWaiting"
  | "beep"
  | "join"
  | "leave";

export type TonePlanName = "us" | "eu" | "cn";

export interface ToneSegment {
  /** Frequencies in Hz played together; [] is silence. */
  readonly freqs: readonly number[];
  readonly ms: number;
  /** Level of each frequency in dBm0 (default -13). */
  readonly levelDbm0?: number;
}

export interface ToneSpec {
  readonly segments: readonly ToneSegment[];
  /** Start again after the last segment (a cadence), or stop there. */
  readonly loop: boolean;
}

const DEFAULT_DBM0 = -13;
const MAX_FREQS = 8;
const RATE = 8000;

const on = (freqs: number[], ms: number, levelDbm0?: number): ToneSegment => ({ freqs, ms, levelDbm0 });
const off = (ms: number): ToneSegment => ({ freqs: [], ms });
const cadence = (freqs: number[], onMs: number, offMs: number, levelDbm0?: number): ToneSpec => ({
  segments: [on(freqs, onMs, levelDbm0), off(offMs)],
  loop: true,
});
/** A steady tone: one looping segment of a whole second (integer cycles of integer Hz). */
const steady = (freqs: number[], levelDbm0?: number): ToneSpec => ({
  segments: [on(freqs, 1000, levelDbm0)],
  loop: true,
});
const once = (...segments: ToneSegment[]): ToneSpec => ({ segments, loop: false });
const threeBeeps = (freqs: number[], levelDbm0?: number): ToneSpec =>
  once(on(freqs, 100, levelDbm0), off(100), on(freqs, 100, levelDbm0), off(100), on(freqs, 100, levelDbm0));

const PARLEY = {
  beep: once(on([1000], 400)),
  join: once(on([600], 100), on([900], 100)),
  leave: once(on([900], 100), on([600], 100)),
} as const;

export const TONE_PLANS: Record<TonePlanName, Record<ToneName, ToneSpec>> = {
  us: {
    dial: steady([350, 440], -13),
    ringback: cadence([440, 480], 2000, 4000, -19),
    busy: cadence([480, 620], 500, 500, -24),
    congestion: cadence([480, 620], 250, 250, -24),
    confirmation: threeBeeps([350, 440], -13),
    callWaiting: once(on([440], 300, -13)),
    ...PARLEY,
  },
  eu: {
    dial: steady([425]),
    ringback: cadence([425], 1000, 4000),
    busy: cadence([425], 500, 500),
    congestion: cadence([425], 250, 250),
    confirmation: threeBeeps([425]),
    callWaiting: once(on([425], 200), off(200), on([425], 200)),
    ...PARLEY,
  },
  cn: {
    dial: steady([450]),
    ringback: cadence([450], 1000, 4000),
    busy: cadence([450], 350, 350),
    congestion: cadence([450], 700, 700),
    confirmation: threeBeeps([450]),
    callWaiting: once(on([450], 400)),
    ...PARLEY,
  },
};

/** Samples of the fade at a tone's start and end (4 ms, raised cosine): no click. */
const RAMP = 32;
const RAMP_GAIN = Float64Array.from(
  { length: RAMP },
  (_, i) => 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / RAMP),
);

/** A segment ready to play: the resonators' coefficients and start states, its fades. */
interface Rendered {
  readonly samples: number;
  /** Per frequency: 2cos(w). */
  readonly coef: Float64Array;
  /** Per frequency: y[-1] and y[-2] of A·sin(w·n), so that y[0] = 0. */
  readonly start1: Float64Array;
  readonly start2: Float64Array;
  /** The previous segment plays the same: carry its oscillators on, phase and all. */
  readonly carries: boolean;
  /** Fade length when the tone starts here (the first segment played fades in even if it carries). */
  readonly ramp: number;
  readonly fadeIn: number;
  readonly fadeOut: number;
}

const sameSound = (a: ToneSegment, b: ToneSegment) =>
  a.freqs.length === b.freqs.length &&
  a.freqs.every((f, i) => f === b.freqs[i]) &&
  (a.levelDbm0 ?? DEFAULT_DBM0) === (b.levelDbm0 ?? DEFAULT_DBM0);

/** Precomputed once per spec (the plans' specs are shared by every stream that plays them). */
const prepared = new WeakMap<ToneSpec, Rendered[]>();

function prepare(spec: ToneSpec): Rendered[] {
  const known = prepared.get(spec);
  if (known) return known;
  const segs = spec.segments;
  const out = segs.map((seg, i): Rendered => {
    const samples = Math.max(0, Math.round((seg.ms * RATE) / 1000));
    for (const f of seg.freqs) {
      if (!(f > 0 && f < RATE / 2)) throw new RangeError(`tone frequency ${f} Hz is outside 0-4000 Hz`);
    }
    const amp = dbm0ToPeak(seg.levelDbm0 ?? DEFAULT_DBM0);
    const w = seg.freqs.map((f) => (2 * Math.PI * f) / RATE);
    const prev = i > 0 ? segs[i - 1] : spec.loop ? segs[segs.length - 1] : undefined;
    const next = i < segs.length - 1 ? segs[i + 1] : spec.loop ? segs[0] : undefined;
    if (seg.freqs.length > MAX_FREQS)
      throw new RangeError(`a tone segment mixes at most ${MAX_FREQS} frequencies`);
    const ramp = Math.min(RAMP, samples >> 1);
    return {
      samples,
      coef: Float64Array.from(w, (x) => 2 * Math.cos(x)),
      start1: Float64Array.from(w, (x) => -amp * Math.sin(x)),
      start2: Float64Array.from(w, (x) => -amp * Math.sin(2 * x)),
      carries: prev !== undefined && sameSound(prev, seg),
      ramp: seg.freqs.length > 0 ? ramp : 0,
      fadeIn: seg.freqs.length > 0 && !(prev && sameSound(prev, seg)) ? ramp : 0,
      fadeOut: seg.freqs.length > 0 && !(next && sameSound(next, seg)) ? ramp : 0,
    };
  });
  prepared.set(spec, out);
  return out;
}

/**
 * Plays a tone spec frame by frame. Each frequency is a resonator, y[n] = 2cos(w)·y[n-1] -
 * y[n-2], whose state runs on from frame to frame (and across segments that play the same
 * frequencies, so a steady tone loops without a seam): two multiply-adds per sample and
 * frequency, no sine per sample. Tones start and stop with a 4 ms fade.
 */
export class ToneGenerator {
  private readonly segments: Rendered[];
  private readonly y1 = new Float64Array(MAX_FREQS);
  private readonly y2 = new Float64Array(MAX_FREQS);
  private index = 0;
  private position = 0;
  private fadeIn = 0;
  private ended = false;

  constructor(private readonly spec: ToneSpec) {
    this.segments = prepare(spec);
    if (this.segments.every((s) => s.samples === 0)) this.ended = true;
    else this.enter(0, true);
  }

  /**
   * Fills `out` (one frame, out.length samples) with the next samples of the tone. Returns true
   * while the frame holds any of it (its last frame padded with silence), false once a
   * non-looping tone has ended (the frame is then all silence).
   */
  fill(out: Int16Array): boolean {
    if (this.ended) {
      out.fill(0);
      return false;
    }
    let i = 0;
    while (i < out.length && !this.ended) {
      const seg = this.segments[this.index];
      const take = Math.min(out.length - i, seg.samples - this.position);
      this.render(seg, out, i, take);
      i += take;
      this.position += take;
      if (this.position >= seg.samples) this.next();
    }
    out.fill(0, i);
    return true;
  }

  private next(): void {
    let index = this.index;
    // Skips empty segments; a spec of only empty segments ended in the constructor.
    do {
      index++;
      if (index === this.segments.length) {
        if (!this.spec.loop) {
          this.ended = true;
          return;
        }
        index = 0;
      }
    } while (this.segments[index].samples === 0);
    this.enter(index, false);
  }

  private enter(index: number, first: boolean): void {
    this.index = index;
    this.position = 0;
    const seg = this.segments[index];
    this.fadeIn = first ? seg.ramp : seg.fadeIn;
    if (first || !seg.carries) {
      this.y1.set(seg.start1);
      this.y2.set(seg.start2);
    }
  }

  private render(seg: Rendered, out: Int16Array, at: number, count: number): void {
    const n = seg.coef.length;
    if (n === 0) {
      out.fill(0, at, at + count);
      return;
    }
    const { coef, fadeOut } = seg;
    const fadeIn = this.fadeIn;
    const y1 = this.y1;
    const y2 = this.y2;
    const fadeFrom = seg.samples - fadeOut;
    for (let j = 0; j < count; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const y = coef[k] * y1[k] - y2[k];
        y2[k] = y1[k];
        y1[k] = y;
        sum += y;
      }
      const p = this.position + j;
      if (p < fadeIn) sum *= RAMP_GAIN[((p * RAMP) / fadeIn) | 0];
      else if (p >= fadeFrom) sum *= RAMP_GAIN[(((seg.samples - 1 - p) * RAMP) / fadeOut) | 0];
      out[at + j] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : Math.round(sum);
    }
  }
}
