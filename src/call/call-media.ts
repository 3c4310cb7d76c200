/**
 * What the call engine needs from the media relay, declared here so the call layer does not import
 * the media layer (ARCHITECTURE.md: higher layers are handed in as interfaces). The composition
 * root hands in a CallMediaProvider (src/call/call-relay.ts).
 */
import type { CallSubject } from "./call-events.js";
import type { RecordingRequest } from "./call-recording.js";
import type { SdpContext } from "./leg-policy.js";

/** Per-leg media figures of a relayed call, as /api/v1/calls and the CDR show them. */
export interface LegMediaStats {
  /** RTP received from this leg's phone. */
  packetsIn: number;
  bytesIn: number;
  /** RTP sent to this leg's phone. */
  packetsOut: number;
  bytesOut: number;
  /** RFC 3550 A.3: packets lost on the way from this leg's phone. */
  lost: number;
  /** RFC 3550 A.8 interarrival jitter of this leg's RTP, ms. */
  jitterMs: number;
  /** Where this leg's RTP really comes from ("address:port"), once latched. */
  latched?: string;
}

export interface CallMediaStats {
  /** Media is anchored in Parley for this call. */
  relayed: true;
  /** Why it is relayed: "setting", "user", "nat". */
  reason: string;
  caller: LegMediaStats;
  callee: LegMediaStats;
  /** "media-timeout" when the call was ended because a phone stopped sending RTP. */
  hangupCause?: string;
  /** The call's recording (its id in /api/v1/recordings), when it was recorded (issue 17). */
  recording?: string;
}

/** The media of one relayed call: an SDP hook, its figures and its release. */
export interface CallMedia {
  /** Rewrites a body crossing legs (LegPolicy.sdp), learning the sending side's address. */
  sdp(body: Buffer, context: SdpContext): Buffer;
  /** The call was answered: the media timeout runs from now (and a recording may start). */
  answered(call?: CallSubject): void;
  /** The latest figures (pushed by the media worker about once a second). */
  stats(): CallMediaStats;
  /**
   * Called once when the media timeout ran out: a phone whose SDP says it sends (not held) sent
   * no RTP for that long (with neither sending, both count).
   */
  onTimeout(listener: () => void): void;
  /** RFC 4733 key presses a party sent through the relay (the "digit" detection point). */
  onDigit?(listener: (party: "caller" | "callee", digit: string) => void): void;
  /**
   * Music on hold for a relayed call: the held side hears music from the relay instead of the
   * other phone while `on` (src/services/music-on-hold decides whether the holder wants it).
   */
  holdMusic?(held: "caller" | "callee", on: boolean): void;
  /**
   * The call-waiting tone, once, to one party of a relayed call (a second call rings for it):
   * Parley plays it in the media path for phones that do not play their own.
   */
  waitingTone?(party: "caller" | "callee"): void;
  /**
   * Call recording (issue 17): both directions into a WAV at `path` from now on, mixed (1 channel)
   * or the caller left and the callee right (2). Resolves once it runs, or with why it could not.
   */
  record?(options: { readonly path: string; readonly channels: 1 | 2 }): Promise<RecordingRun>;
  /** Releases the relay's ports; idempotent; resolves with the final figures. */
  close(): Promise<CallMediaStats>;
}

/** A call recording running in the media path, or the reason it could not start. */
export type RecordingRun =
  | { readonly ok: true; stop(): Promise<RecordedFile | undefined> }
  | { readonly ok: false; readonly error: string };

/** A finished recording's figures. */
export interface RecordedFile {
  readonly durationMs: number;
  /** The file's size, header included. */
  readonly bytes: number;
  /** Why it stopped before the call did (a full disk), if it did. */
  readonly error?: string;
}

/** What the call engine knows when a call starts. */
export interface CallMediaRequest {
  readonly callId: string;
  /** The INVITE: its Contact host, SDP and where it came from. */
  readonly callerContactHost?: string;
  readonly callerSdp: Buffer;
  readonly callerSource: string;
  /** The user settings' "relay media stream" of caller and callee. */
  readonly callerRelayMedia: boolean;
  readonly calleeRelayMedia: boolean;
  /** The callee's bindings: Contact and observed source. */
  readonly calleeBindings: ReadonlyArray<{
    readonly contactUri: string;
    readonly sourceAddress: string;
    /** Reached over a WebSocket: a browser (issue 20). */
    readonly webSocket?: boolean;
  }>;
  /** The call may be recorded (call-recording.ts): its media must pass through Parley. */
  readonly record?: boolean;
  /** Who calls and who may answer, for call recording (call-recording.ts) to decide on. */
  readonly recording?: RecordingRequest | undefined;
}

export interface CallMediaProvider {
  /** The media of a new call, or undefined when its media flows phone to phone. */
  forCall(request: CallMediaRequest): Promise<CallMedia | undefined>;
}
