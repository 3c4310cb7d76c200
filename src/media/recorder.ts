/**
 * One call recording in a media worker: both parties' RTP, as their relay sides receive it
 * (recorder-stream.ts), mixed every 20 ms tick into one WAV (recorder-wav-file.ts): 8 kHz 16-bit
 * linear PCM, the two directions summed into one channel, or with `channels: 2` the caller on the
 * left and the callee on the right.
 *
 * The file follows the wall clock: at each tick the recording is due as many samples as time has
 * passed since it started, less the playout delay that lets late packets land; at the end the
 * rest is written. So a call of 30 s gives a WAV of 30 s whatever packets were lost, came late or
 * were never sent (a held phone, silence suppression): what is missing is silence.
 */
import { RecorderStream } from "./recorder-stream.js";
import { RecorderWavFile } from "./recorder-wav-file.js";

/** How long a packet may be late and still count: 60 ms (three 20 ms frames). */
export const PLAYOUT_DELAY_SAMPLES = 480;
/** Samples mixed per tick at most: one second (a stalled timer catches up in steps). */
const MAX_STEP = 8_000;

export interface RecordingResult {
  readonly path: string;
  /** Length of the audio, ms. */
  readonly durationMs: number;
  /** Size of the file, header included. */
  readonly bytes: number;
  readonly channels: 1 | 2;
  /** Why the recording stopped early (a full disk, an unwritable directory), if it did. */
  readonly error?: string;
}

export interface CallRecorderOptions {
  readonly path: string;
  readonly channels: 1 | 2;
  /** The clock, ms (performance.now in the worker; a test's own). */
  readonly now: () => number;
  /** Writing failed: the recording stopped (the call goes on). */
  readonly failed: (error: string) => void;
}

export class CallRecorder {
  /** "a" is what the caller says, "b" what the callee says. */
  readonly caller = new RecorderStream(PLAYOUT_DELAY_SAMPLES);
  readonly callee = new RecorderStream(PLAYOUT_DELAY_SAMPLES);
  private readonly file: RecorderWavFile;
  private readonly startedAt: number;
  private written = 0;
  private stopped = false;
  private readonly a = new Int16Array(MAX_STEP);
  private readonly b = new Int16Array(MAX_STEP);

  constructor(private readonly o: CallRecorderOptions) {
    this.startedAt = o.now();
    this.file = new RecorderWavFile(o.path, o.channels, (error) => {
      this.stopped = true;
      o.failed(error);
    });
  }

  /** Creates the file; false when it cannot be (the error is in the result). */
  open(): Promise<boolean> {
    return this.file.open();
  }

  get active(): boolean {
    return !this.stopped;
  }

  /** The recording's sample position now. */
  private position(now = this.o.now()): number {
    return Math.max(0, Math.floor((now - this.startedAt) * 8));
  }

  /** RTP from the caller's side ("a") or the callee's ("b"). */
  packet(side: "a" | "b", packet: Uint8Array): void {
    if (this.stopped) return;
    (side === "a" ? this.caller : this.callee).push(packet, this.position(), this.written);
  }

  /** The 20 ms tick: writes what is due, keeping the playout delay for packets on their way. */
  tick(): void {
    if (this.stopped) return;
    this.mixUntil(this.position() - PLAYOUT_DELAY_SAMPLES);
  }

  /** Stops: writes the audio up to now (the delay's packets included) and closes the file. */
  async stop(): Promise<RecordingResult> {
    if (!this.stopped) {
      this.mixUntil(this.position());
      this.stopped = true;
    }
    await this.file.close();
    return this.result();
  }

  result(): RecordingResult {
    const samples = this.file.bytes / (2 * this.o.channels);
    const out = {
      path: this.o.path,
      durationMs: Math.round(samples / 8),
      bytes: this.file.bytes + 44,
      channels: this.o.channels,
    };
    return this.file.error === undefined ? out : { ...out, error: this.file.error };
  }

  private mixUntil(due: number): void {
    while (this.written < due && !this.stopped) {
      const n = Math.min(MAX_STEP, due - this.written);
      this.caller.take(this.written, n, this.a);
      this.callee.take(this.written, n, this.b);
      this.file.append(this.o.channels === 2 ? interleave(this.a, this.b, n) : mix(this.a, this.b, n));
      this.written += n;
    }
  }
}

/** The two directions summed into one channel, clipped to 16 bits. */
function mix(a: Int16Array, b: Int16Array, n: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const s = a[i] + b[i];
    out[i] = Math.min(32767, Math.max(-32768, s));
  }
  return out;
}

/** Two channels: the caller left, the callee right (WAV frames interleave L R). */
function interleave(a: Int16Array, b: Int16Array, n: number): Int16Array {
  const out = new Int16Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[2 * i] = a[i];
    out[2 * i + 1] = b[i];
  }
  return out;
}
