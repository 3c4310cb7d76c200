/**
 * Call recordings as the API and the services see them (issue 17): what a recording is, and a
 * user's recording setting. The audio is a WAV under `<dataDir>/recordings/` (the services own
 * the files; the repository owns the rows).
 */

/** A user's recording: never, every answered call, or from the in-call feature code on. */
export const RECORDING_MODES = ["never", "always", "on-demand"] as const;
export type RecordingMode = (typeof RECORDING_MODES)[number];

export function isRecordingMode(value: unknown): value is RecordingMode {
  return typeof value === "string" && (RECORDING_MODES as readonly string[]).includes(value);
}

export interface CallRecording {
  /** The API's and the CDR's id: the call's id, then `-2`, `-3` for later on-demand segments. */
  id: string;
  domainId: number;
  /** Parley's id of the call (the CDR's `callId`). */
  callId: string;
  caller: string;
  callee: string;
  /** Epoch milliseconds the recording started (the answer, or the feature code). */
  startedAt: number;
  durationMs: number;
  /** Size of the WAV, header included. */
  bytes: number;
  /** 1: both directions mixed; 2: the caller left, the callee right. */
  channels: 1 | 2;
  /** The WAV, relative to the recordings folder (calls/yyyy/mm/dd/<id>.wav). */
  file: string;
}

export interface RecordingQuery {
  domainId: number;
  /** Recordings started at or after / before these epoch milliseconds. */
  from?: number;
  to?: number;
  /** The caller or callee, exactly. */
  number?: string;
  offset?: number;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface RecordingPage {
  /** Newest first. */
  items: CallRecording[];
  total: number;
}
