/**
 * The control messages of call recording between the signalling thread and a media worker
 * (protocol.ts carries them beside the relay's and the endpoints'): start a recorder on a relayed
 * call's session, stop it. Only plain data crosses; the file is written by the worker.
 */
import type { RecordingResult } from "./recorder.js";

export type { RecordingResult } from "./recorder.js";

export interface RecorderStartRequest {
  readonly type: "recorder.start";
  readonly id: number;
  readonly recorder: string;
  /** The relayed call whose two sides are recorded. */
  readonly session: string;
  /** The WAV to write (its directory exists). */
  readonly path: string;
  /** 1: both directions mixed; 2: the caller left, the callee right. */
  readonly channels: 1 | 2;
}

export interface RecorderStopRequest {
  readonly type: "recorder.stop";
  readonly id: number;
  readonly recorder: string;
}

export type RecorderRequest = RecorderStartRequest | RecorderStopRequest;

/** What a stop (or a failed start) replies: the finished file's figures. */
export interface RecorderReplyFields {
  readonly recording?: RecordingResult;
}
