/**
 * A call recording as the signalling thread holds it: a handle to a recorder in the worker of a
 * relayed call's session (recorder-worker-core.ts). Starting resolves once the file exists and
 * both sides are heard, or with the reason it could not (the directory is not writable); stopping
 * resolves with the finished file's figures, and is idempotent.
 */
import { randomUUID } from "node:crypto";
import type { MediaSession } from "./media-engine.js";
import type { RecordingResult } from "./recorder.js";

export interface RecordingOptions {
  readonly path: string;
  readonly channels: 1 | 2;
}

export class RecordingHandle {
  private stopping: Promise<RecordingResult | undefined> | undefined;

  private constructor(
    readonly id: string,
    private readonly session: MediaSession,
    readonly path: string,
  ) {}

  /**
   * Starts recording both sides of a session. Resolves to the handle, or to the result of a
   * recording that could not start (its `error` says why); rejects only when the worker is gone.
   */
  static async start(
    session: MediaSession,
    options: RecordingOptions,
  ): Promise<RecordingHandle | RecordingResult> {
    const id = randomUUID();
    const reply = await session.channel.request({
      type: "recorder.start",
      recorder: id,
      session: session.id,
      path: options.path,
      channels: options.channels,
    });
    if (reply.recording !== undefined) return reply.recording;
    return new RecordingHandle(id, session, options.path);
  }

  /** Stops the recording; resolves with its figures (undefined when the worker lost it). */
  stop(): Promise<RecordingResult | undefined> {
    this.stopping ??= this.session.channel.request({ type: "recorder.stop", recorder: this.id }).then(
      (reply) => reply.recording,
      () => undefined,
    );
    return this.stopping;
  }
}
