/**
 * In-band DTMF detection (ITU-T Q.23 frequencies, Q.24 receiver limits) on 8 kHz 16-bit linear
 * audio, by the Goertzel algorithm: one second-order resonator per frequency, whose state after N
 * samples gives the block's spectrum at exactly that frequency:
 *   s[n] = x[n] + 2cos(w)·s[n-1] - s[n-2],   |X(w)|^2 = s1^2 + s2^2 - 2cos(w)·s1·s2.
 *
 * Blocks are N = 106 samples (13.25 ms, bins 75.5 Hz apart), cut from the frames as they come.
 * 106 is the longest block that still fits two whole blocks into any 40 ms tone whatever its
 * alignment; its bin spacing puts each row's neighbours near the first null of the row's
 * response (697 and 770 Hz are 0.97 bins apart), which keeps the rows apart.
 *
 * A block is a hit for a key when all hold:
 * - the two tones together are at least -30 dBm0 (energy floor);
 * - each tone beats every other frequency of its group by 6 dB;
 * - twist (Q.24): the high group at most 4 dB above the low group (reverse twist) and at most
 *   8 dB below it (normal twist: lines lose more at high frequencies);
 * - the two tones hold 85% of the block's energy, both measured through a Hann window (speech
 *   and music spread theirs);
 * - the column's second harmonic (2418-3266 Hz) is 15 dB down: voices and instruments carry
 *   harmonics, a DTMF generator does not. A row's second harmonic (1394-1882 Hz) falls among the
 *   columns, where the 6 dB column margin already rejects it; checking its own bin would mistake
 *   the column tone's leakage (36 Hz away for a tone 1.5% off) for a harmonic.
 * A key press is confirmed when two consecutive hit blocks show both tones within 2.5% + 2 Hz of
 * nominal (Q.24: accept 1.5% + 2 Hz, reject beyond 3.5%), from how far their phases turned.
 *
 * Reporting: each key press is reported ONCE, at key-down, with durationMs = 0, as soon as it is
 * confirmed and has lasted 34 ms (fast IVR response, no wait for key-up). The length is measured
 * below the block size (see measured()), so a 40 ms tone is always reported and a 30 ms one
 * never is (Q.24 leaves the limit between 20 and 40 ms to the administration). The key is
 * released after 2 blocks (26.5 ms) without it, so a 40 ms pause between two presses of one key
 * gives two digits, while a drop-out of a block or so inside one press gives one.
 *
 * Cost: the eight resonators run on every sample (about 2 us per 20 ms frame once warm); the
 * harmonic and the row's windowed level are computed again only for candidate blocks.
 */
import { dbm0ToPower } from "./level.js";

const RATE = 8000;
/** Samples per analysis block. */
const N = 106;
/** Q.23: low (row) then high (column) group frequencies. */
const FREQS = [697, 770, 852, 941, 1209, 1336, 1477, 1633];
/** Keys by row * 4 + column. */
const KEYS = "123A456B789C*0#D";
const COEF = FREQS.map((f) => 2 * Math.cos((2 * Math.PI * f) / RATE));
/**
 * The column resonators run on the block through a Hann window: its flatter top keeps a column
 * tone 1.5% + 2 Hz off (Q.24's must-accept deviation, 26 Hz at 1633 Hz) within 0.7 dB instead
 * of 1.8 dB, and the columns are far enough apart (1.7 bins and more) for its wider main lobe.
 * The rows are 0.97 bins apart and keep the plain (rectangular) block.
 */
const HANN = Float64Array.from({ length: N }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 0.5)) / N));
/**
 * Goertzel power to the energy the sine holds in the block: a sine of amplitude A gives
 * |X|^2 = (A·sum(w)/2)^2 and holds N·A^2/2, so energy = 2N·|X|^2 / sum(w)^2, with sum(w) = N
 * (rows) or N/2 (columns, Hann).
 */
const TO_ENERGY = FREQS.map((_, k) => (k < 4 ? 2 / N : 8 / N));
/** Sum of (x·w)^2 to the block energy of a steady signal: N / sum(w^2), sum(w^2) = 3N/8. */
const WINDOWED_TO_ENERGY = 8 / 3;

const db = (x: number) => 10 ** (x / 10);
/** Block energy of a sine at -30 dBm0. */
const MIN_TONE_ENERGY = N * dbm0ToPower(-30);
const REVERSE_TWIST = db(4);
const NORMAL_TWIST = db(8);
const PEAK_MARGIN = db(6);
const MIN_TONE_SHARE = 0.85;
const COL_HARMONIC = db(-15);
/** An edge block counts if the key's tones hold 5% of its energy and it 10% of a full block's. */
const EDGE_TONE_SHARE = 0.05;
const EDGE_MIN_ENERGY = 0.1;
/**
 * Q.24: accept 1.5% + 2 Hz off nominal, reject beyond 3.5%; we reject beyond 2.5% + 2 Hz. A
 * voice's harmonic that falls in a row's bin lies anywhere in it (±37.7 Hz), so this about
 * halves how often speech can pass for a row tone.
 */
const MAX_OFFSET = FREQS.map((f) => 0.025 * f + 2);
const COS = FREQS.map((f) => Math.cos((2 * Math.PI * f) / RATE));
const SIN = FREQS.map((f) => Math.sin((2 * Math.PI * f) / RATE));
/** How far a tone at exactly f turns in one block, modulo 2·pi. */
const TURN = FREQS.map((f) => ((2 * Math.PI * f * N) / RATE) % (2 * Math.PI));
/** A press is reported once it has lasted 34 ms: midway between 30 ms (rejected) and 40 (accepted). */
const MIN_SAMPLES = (34 * RATE) / 1000;
/** Blocks without the key that end a press. */
const RELEASE_BLOCKS = 2;

export class InbandDtmfDetector {
  private readonly s1 = new Float64Array(8);
  private readonly s2 = new Float64Array(8);
  /** The current block's samples, kept for the second look at a candidate hit. */
  private readonly block = new Float64Array(N);
  private filled = 0;
  private energy = 0;
  /** Energy through the Hann window (the sum of (x·w)^2). */
  private windowed = 0;
  /** The block's energy at each frequency (see TO_ENERGY). */
  private readonly pow = new Float64Array(8);
  private readonly prevPow = new Float64Array(8);
  /** The resonators' complex outputs, this block and the previous one, for their phases. */
  private readonly re = new Float64Array(8);
  private readonly im = new Float64Array(8);
  private readonly prevRe = new Float64Array(8);
  private readonly prevIm = new Float64Array(8);
  private prevHit = -1;
  private prevEnergy = 0;
  /** The key being pressed (row * 4 + column), or -1. */
  private key = -1;
  /** Two consecutive hit blocks found both tones on frequency. */
  private steady = false;
  /** Energies of the press's first blocks (hits and edges), for measuring its length. */
  private readonly energies = new Float64Array(8);
  private count = 0;
  /** Measured length of the blocks after those. */
  private beyond = 0;
  /** Largest energy of the press's hit blocks: the yardstick of a full block. */
  private ref = 0;
  private reported = false;
  private absent = 0;

  constructor(private readonly onDigit: (digit: string, durationMs: number) => void) {}

  /** Feeds `count` samples of `frame` (8 kHz, 16-bit linear). */
  push(frame: Int16Array, count = frame.length): void {
    let i = 0;
    while (i < count) {
      const end = Math.min(count, i + N - this.filled);
      this.accumulate(frame, i, end);
      this.filled += end - i;
      i = end;
      if (this.filled === N) this.endBlock();
    }
  }

  /** Forgets the block in progress and any key press (e.g. after a gap in the stream). */
  reset(): void {
    this.s1.fill(0);
    this.s2.fill(0);
    this.filled = 0;
    this.energy = 0;
    this.windowed = 0;
    this.prevPow.fill(0);
    this.prevEnergy = 0;
    this.prevHit = -1;
    this.key = -1;
  }

  /**
   * Runs the eight resonators over frame[from, to); states live in locals for speed. The column
   * resonators see the sample through the Hann window.
   */
  private accumulate(frame: Int16Array, from: number, to: number): void {
    const s1 = this.s1;
    const s2 = this.s2;
    const block = this.block;
    const [c0, c1, c2, c3, c4, c5, c6, c7] = COEF;
    // biome-ignore format: one resonator per line
    let a0 = s1[0], b0 = s2[0], a1 = s1[1], b1 = s2[1], a2 = s1[2], b2 = s2[2], a3 = s1[3], b3 = s2[3],
      a4 = s1[4], b4 = s2[4], a5 = s1[5], b5 = s2[5], a6 = s1[6], b6 = s2[6], a7 = s1[7], b7 = s2[7];
    let e = this.energy;
    let ew = this.windowed;
    let n = this.filled;
    let t: number;
    // biome-ignore format: one resonator per line
    for (let i = from; i < to; i++) {
      const x = frame[i];
      const xw = x * HANN[n];
      block[n++] = x;
      e += x * x;
      ew += xw * xw;
      t = x + c0 * a0 - b0; b0 = a0; a0 = t;
      t = x + c1 * a1 - b1; b1 = a1; a1 = t;
      t = x + c2 * a2 - b2; b2 = a2; a2 = t;
      t = x + c3 * a3 - b3; b3 = a3; a3 = t;
      t = xw + c4 * a4 - b4; b4 = a4; a4 = t;
      t = xw + c5 * a5 - b5; b5 = a5; a5 = t;
      t = xw + c6 * a6 - b6; b6 = a6; a6 = t;
      t = xw + c7 * a7 - b7; b7 = a7; a7 = t;
    }
    s1[0] = a0;
    s2[0] = b0;
    s1[1] = a1;
    s2[1] = b1;
    s1[2] = a2;
    s2[2] = b2;
    s1[3] = a3;
    s2[3] = b3;
    s1[4] = a4;
    s2[4] = b4;
    s1[5] = a5;
    s2[5] = b5;
    s1[6] = a6;
    s2[6] = b6;
    s1[7] = a7;
    s2[7] = b7;
    this.energy = e;
    this.windowed = ew;
  }

  private endBlock(): void {
    const pow = this.pow;
    // The complex output y = s1 - e^{-jw}·s2 (the DFT at w, rotated by a constant phase).
    for (let k = 0; k < 8; k++) {
      const a = this.s1[k];
      const b = this.s2[k];
      this.re[k] = a - b * COS[k];
      this.im[k] = b * SIN[k];
      pow[k] = (a * a + b * b - COEF[k] * a * b) * TO_ENERGY[k];
    }
    this.s1.fill(0);
    this.s2.fill(0);
    const energy = this.energy;
    this.energy = 0;
    this.filled = 0;
    const hit = this.classify(this.windowed * WINDOWED_TO_ENERGY);
    this.windowed = 0;
    this.track(hit, energy);
    this.prevHit = hit;
    this.prevPow.set(pow);
    this.prevRe.set(this.re);
    this.prevIm.set(this.im);
    this.prevEnergy = energy;
  }

  /** The key this block is a hit for, or -1; `energy` is the block's, through the Hann window. */
  private classify(energy: number): number {
    const pow = this.pow;
    let r = 0;
    let c = 4;
    for (let k = 1; k < 4; k++) if (pow[k] > pow[r]) r = k;
    for (let k = 5; k < 8; k++) if (pow[k] > pow[c]) c = k;
    const pc = pow[c];
    if (pow[r] + pc < MIN_TONE_ENERGY) return -1;
    for (let k = 0; k < 4; k++) if (k !== r && pow[k] * PEAK_MARGIN > pow[r]) return -1;
    for (let k = 4; k < 8; k++) if (k !== c && pow[k] * PEAK_MARGIN > pc) return -1;
    // The row's level through the Hann window (see goertzel()).
    const pr = this.goertzel(FREQS[r], true);
    // Q.24 twist limits.
    if (pc > pr * REVERSE_TWIST || pr > pc * NORMAL_TWIST) return -1;
    if (pr + pc < MIN_TONE_SHARE * energy) return -1;
    if (this.goertzel(2 * FREQS[c], false) > pc * COL_HARMONIC) return -1;
    return r * 4 + (c - 4);
  }

  /**
   * Energy of the current block at `freq`, for candidate hits only. A row's level is taken again
   * through the Hann window: on the plain block the column tone's sidelobes (4% of its amplitude
   * 7-12 bins away) beat with the row tone and move its level by up to ±0.7 dB from block to
   * block, which would blur the share and twist tests.
   */
  private goertzel(freq: number, hann: boolean): number {
    const coef = 2 * Math.cos((2 * Math.PI * freq) / RATE);
    const block = this.block;
    let a = 0;
    let b = 0;
    for (let i = 0; i < N; i++) {
      const t = (hann ? block[i] * HANN[i] : block[i]) + coef * a - b;
      b = a;
      a = t;
    }
    return ((a * a + b * b - coef * a * b) * (hann ? 8 : 2)) / N;
  }

  private track(hit: number, energy: number): void {
    if (this.key >= 0) {
      if (hit === this.key) {
        if (this.prevHit === hit && this.onFrequency(hit)) this.steady = true;
        this.absent = 0;
        if (energy > this.ref) this.ref = energy;
        this.addBlock(energy);
      } else if (hit < 0 && this.holds(this.pow, energy, this.key)) {
        this.absent = 0;
        this.addBlock(energy);
      } else if (++this.absent >= RELEASE_BLOCKS) {
        this.key = -1;
      }
    }
    if (this.key < 0 && hit >= 0) {
      this.key = hit;
      this.steady = false;
      this.reported = false;
      this.absent = 0;
      this.count = 0;
      this.beyond = 0;
      this.ref = energy;
      if (this.holds(this.prevPow, this.prevEnergy, hit)) this.addBlock(this.prevEnergy);
      this.addBlock(energy);
    }
    if (this.key >= 0 && !this.reported && this.steady && this.measured() * N >= MIN_SAMPLES) {
      this.reported = true;
      this.onDigit(KEYS[this.key], 0);
    }
  }

  /**
   * Whether both tones of the key are within the frequency limit, from how far their phase
   * turned between the previous block and this one (both hits): a tone at f + d turns by
   * 2·pi·(f + d)·N/8000 per block, so the excess over the nominal turn gives d. Unambiguous
   * within ±37.7 Hz (half a bin), with no extra filter.
   */
  private onFrequency(key: number): boolean {
    return (
      this.offsetHz(key >> 2) <= MAX_OFFSET[key >> 2] &&
      this.offsetHz(4 + (key & 3)) <= MAX_OFFSET[4 + (key & 3)]
    );
  }

  /** |frequency - nominal| of resonator k's input, from its phase turn since the last block. */
  private offsetHz(k: number): number {
    const cr = this.re[k] * this.prevRe[k] + this.im[k] * this.prevIm[k];
    const ci = this.im[k] * this.prevRe[k] - this.re[k] * this.prevIm[k];
    let turn = Math.atan2(ci, cr) - TURN[k];
    turn -= 2 * Math.PI * Math.round(turn / (2 * Math.PI));
    return Math.abs((turn * RATE) / (2 * Math.PI * N));
  }

  /**
   * Whether a block that is not a hit still holds some of the key (the edge of the tone): its
   * tones are the strongest of their groups and a fair share of its energy, which is not
   * negligible against the press's full blocks.
   */
  private holds(pow: Float64Array, energy: number, key: number): boolean {
    const r = key >> 2;
    const c = 4 + (key & 3);
    for (let k = 0; k < 4; k++) if (k !== r && pow[k] > 2 * pow[r]) return false;
    for (let k = 4; k < 8; k++) if (k !== c && pow[k] > 2 * pow[c]) return false;
    if (pow[r] + pow[c] < EDGE_TONE_SHARE * energy) return false;
    return energy >= EDGE_MIN_ENERGY * this.ref;
  }

  private addBlock(energy: number): void {
    if (this.count < this.energies.length) this.energies[this.count++] = energy;
    else this.beyond += Math.min(1, energy / this.ref);
  }

  /**
   * The press's length in blocks: each block counts for its energy against the largest of the
   * hit blocks, which for a block the tone covers in part is the part it covers. (The energy of
   * a steady tone pair varies by a few % from block to block; a plain Goertzel output by up to
   * 16%, as the other tone's sidelobes beat with it.)
   */
  private measured(): number {
    let sum = this.beyond;
    for (let i = 0; i < this.count; i++) sum += Math.min(1, this.energies[i] / this.ref);
    return sum;
  }
}
