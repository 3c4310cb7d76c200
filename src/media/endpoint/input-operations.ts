/**
 * The operations that listen rather than speak: recording what the caller says to a WAV file and
 * collecting the digits they press. Both run alongside whatever the endpoint plays (a prompt
 * while digits are collected), and both are driven by the worker's tick, so their timeouts and
 * lengths are counted in frames of audio time, not in timer callbacks.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import wavefile from "wavefile";
import { FRAME_SAMPLES } from "../dsp/g711.js";
import { SilenceDetector } from "../dsp/level.js";
import type { EndpointOp, OpResult } from "./endpoint-protocol.js";

const { WaveFile } = wavefile;

const FRAME_MS = 20;
/** Quieter than this is silence for "end the recording after N seconds of silence". */
export const SILENCE_DBFS = -40;
/** The grow step of a recording's buffer: 10 s of audio. */
const CHUNK_SAMPLES = 80_000;

type RecordOp = Extract<EndpointOp, { kind: "record" }>;
type CollectOp = Extract<EndpointOp, { kind: "collect" }>;

export class Recorder {
  private samples = new Int16Array(CHUNK_SAMPLES);
  private length = 0;
  private readonly silence: SilenceDetector | undefined;
  private readonly zero = new Int16Array(FRAME_SAMPLES);

  constructor(readonly op: RecordOp) {
    this.silence = (op.silenceMs ?? 0) > 0 ? new SilenceDetector(SILENCE_DBFS, op.silenceMs ?? 0) : undefined;
  }

  get durationMs(): number {
    return Math.round(this.length / 8);
  }

  /**
   * One tick of what the caller said (undefined: nothing arrived, recorded as silence so the file
   * keeps wall-clock length). Returns why the recording must end now, or undefined.
   */
  push(frame: Int16Array | undefined): "completed" | "silence" | undefined {
    const audio = frame ?? this.zero;
    if (this.length + FRAME_SAMPLES > this.samples.length) {
      const grown = new Int16Array(this.samples.length + CHUNK_SAMPLES);
      grown.set(this.samples.subarray(0, this.length));
      this.samples = grown;
    }
    this.samples.set(audio.subarray(0, FRAME_SAMPLES), this.length);
    this.length += FRAME_SAMPLES;
    if (this.silence?.push(audio)) {
      // The silence that ended it is not part of the message.
      this.length = Math.max(0, this.length - (this.op.silenceMs ?? 0) * 8);
      return "silence";
    }
    return this.length >= this.op.maxMs * 8 ? "completed" : undefined;
  }

  /** Writes the file (atomically: a temporary name, then rename) unless shorter than minMs. */
  async finish(reason: OpResult["reason"], digit?: string): Promise<OpResult> {
    const durationMs = this.durationMs;
    const base = { reason, durationMs, ...(digit === undefined ? {} : { digit }) };
    if (durationMs < (this.op.minMs ?? 0) || this.length === 0) return { ...base, saved: false };
    const wav = new WaveFile();
    wav.fromScratch(1, 8000, "16", this.samples.subarray(0, this.length));
    const tmp = `${this.op.file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.op.file), { recursive: true });
      await writeFile(tmp, wav.toBuffer());
      await rename(tmp, this.op.file);
    } catch (error) {
      await rm(tmp, { force: true });
      return { ...base, reason: "failed", saved: false, error: String(error) };
    }
    return { ...base, saved: true };
  }
}

export class DigitCollector {
  private digits = "";
  /** Audio time since the collection started or since the last digit, ms. */
  private waited = 0;

  /** Type-ahead digits after the ones this collection took ("100#2468#" → "2468#" for the next). */
  readonly leftover: string;

  constructor(
    private readonly op: CollectOp,
    typed: string,
  ) {
    let used = 0;
    for (const d of typed) {
      used++;
      if (this.digit(d) !== undefined) break;
    }
    this.leftover = typed.slice(used);
  }

  /** Done once it holds a result (a digit that ended it, or the max came with the type-ahead). */
  result: OpResult | undefined;

  digit(d: string): OpResult | undefined {
    if (this.result !== undefined) return this.result;
    this.waited = 0;
    if (this.op.terminators?.includes(d))
      this.result = { reason: "completed", digits: this.digits, digit: d };
    else {
      this.digits += d;
      if (this.digits.length >= this.op.max) this.result = { reason: "completed", digits: this.digits };
    }
    return this.result;
  }

  tick(): OpResult | undefined {
    if (this.result !== undefined) return this.result;
    this.waited += FRAME_MS;
    const limit = this.digits.length === 0 ? this.op.firstDigitMs : this.op.interDigitMs;
    if (limit > 0 && this.waited >= limit) this.result = { reason: "timeout", digits: this.digits };
    return this.result;
  }

  /** What was gathered when the collection is stopped or the caller hangs up. */
  partial(reason: OpResult["reason"]): OpResult {
    return { reason, digits: this.digits };
  }
}
