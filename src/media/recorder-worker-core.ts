/**
 * What a media worker does with the recorder requests (recorder-protocol.ts): a recorder hears
 * both sides of a relayed call (RelaySide.recording: a copy of each packet, the relaying goes
 * on), and one 20 ms timer writes every recorder's due audio. A recorder whose session was
 * released (the call ended or its media left the relay) is finished at the next tick; one whose
 * file failed (a full disk) stops with a warning, never touching the call. A stop after that
 * still answers with the figures of what was written, for a while.
 */
import type { MediaReply, MediaSide } from "./protocol.js";
import { CallRecorder, type RecordingResult } from "./recorder.js";
import type { RecorderRequest } from "./recorder-protocol.js";
import type { RelaySide } from "./relay-session.js";

const TICK_MS = 20;
/** Finished recordings' figures are kept this long for a late stop (ms). */
const KEEP_FINISHED_MS = 120_000;

export interface RecorderCoreDeps {
  readonly relaySide: (session: string, side: MediaSide) => RelaySide | undefined;
  /** Something worth a log line (a recording stopped by a full disk). */
  readonly warn: (recorder: string, message: string) => void;
  readonly now?: () => number;
}

interface Running {
  readonly recorder: CallRecorder;
  readonly session: string;
  readonly sides: readonly RelaySide[];
}

export class RecorderWorkerCore {
  private readonly running = new Map<string, Running>();
  private readonly finished = new Map<string, { result: Promise<RecordingResult>; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: RecorderCoreDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  get size(): number {
    return this.running.size;
  }

  async handle(request: RecorderRequest): Promise<MediaReply> {
    const id = request.id;
    if (request.type === "recorder.start") {
      if (this.running.has(request.recorder))
        return { type: "reply", id, ok: false, code: "exists", error: `recorder ${request.recorder} exists` };
      const a = this.deps.relaySide(request.session, "a");
      const b = this.deps.relaySide(request.session, "b");
      if (a === undefined || b === undefined)
        return { type: "reply", id, ok: false, code: "no_session", error: `no session ${request.session}` };
      const recorder = new CallRecorder({
        path: request.path,
        channels: request.channels === 2 ? 2 : 1,
        now: this.now,
        failed: (error) => {
          this.deps.warn(request.recorder, `recording stopped, the call goes on: ${error}`);
          this.finish(request.recorder);
        },
      });
      if (!(await recorder.open())) return { type: "reply", id, ok: true, recording: recorder.result() };
      // The session may have gone while the file was created.
      if (this.deps.relaySide(request.session, "a") !== a) {
        const recording = await recorder.stop();
        return { type: "reply", id, ok: true, recording };
      }
      a.recording = (packet) => recorder.packet("a", packet);
      b.recording = (packet) => recorder.packet("b", packet);
      this.running.set(request.recorder, { recorder, session: request.session, sides: [a, b] });
      this.startTimer();
      return { type: "reply", id, ok: true };
    }
    const recording = await this.finish(request.recorder);
    return recording === undefined
      ? { type: "reply", id, ok: false, code: "no_session", error: `no recorder ${request.recorder}` }
      : { type: "reply", id, ok: true, recording };
  }

  /** One tick of every recorder (exposed for tests on their own clock). */
  tick(): void {
    for (const [name, r] of this.running) {
      if (this.deps.relaySide(r.session, "a") !== r.sides[0]) this.finish(name);
      else r.recorder.tick();
    }
    const old = this.now() - KEEP_FINISHED_MS;
    for (const [name, f] of this.finished) if (f.at < old) this.finished.delete(name);
  }

  /** Stops a recorder (idempotent); resolves with its figures, undefined when unknown. */
  finish(name: string): Promise<RecordingResult> | undefined {
    const r = this.running.get(name);
    if (r === undefined) return this.finished.get(name)?.result;
    this.running.delete(name);
    for (const side of r.sides) side.recording = undefined;
    const result = r.recorder.stop();
    this.finished.set(name, { result, at: this.now() });
    if (this.running.size === 0) this.stopTimer();
    return result;
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    for (const name of [...this.running.keys()]) this.finish(name);
    this.stopTimer();
  }
}
