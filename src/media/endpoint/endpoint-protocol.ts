/**
 * The control messages of media endpoints (Parley as a party to a call), on the same channel and
 * with the same id/reply rule as the relay's (protocol.ts): plain structured-cloneable data only.
 * Operations (play, record, collect, echo, bridge, conference) are named by an id the signalling
 * side chooses; each ends with exactly one `op` event.
 */

import type { G711Codec } from "../dsp/g711.js";
import type { ToneName, TonePlanName } from "../dsp/tones.js";
import type { WebRtcPeer } from "../protocol.js";

/** Where the endpoint's RTP goes and what it speaks, from the SDP offer/answer (RFC 3264). */
export interface EndpointRemote {
  readonly address: string;
  readonly port: number;
  readonly rtcpMux: boolean;
  /** The G.711 law Parley sends (payload type 0 or 8, RFC 3551); either law is accepted in. */
  readonly codec: G711Codec;
  /** RFC 4733 telephone-event payload type the peer offered, or undefined. */
  readonly telephoneEvent?: number;
  /** RFC 3264 6.1: whether Parley may send (false while the peer holds: sendonly/inactive). */
  readonly send: boolean;
  /** The peer is a browser: ICE-lite, DTLS-SRTP and SRTP on the endpoint's port (issue 20). */
  readonly webrtc?: WebRtcPeer;
}

/** One item of a play list: a WAV file (already resolved to a path), a tone, or silence. */
export type PlayItem =
  | { readonly file: string }
  | { readonly tone: ToneName; readonly ms?: number }
  | { readonly silenceMs: number };

export type EndpointOp =
  | {
      readonly kind: "play";
      readonly items: readonly PlayItem[];
      /** Start again at the end until stopped (music on hold). */
      readonly loop?: boolean;
      /** The digits that stop the playback (e.g. "0123456789*#"); "" or absent: not interruptible. */
      readonly interruptDigits?: string;
    }
  | {
      readonly kind: "record";
      /** The WAV file to write (16-bit PCM, 8 kHz, mono). */
      readonly file: string;
      readonly maxMs: number;
      /** Shorter recordings are discarded (result `saved: false`). */
      readonly minMs?: number;
      /** End after this much silence (trimmed from the file); 0 = never. */
      readonly silenceMs?: number;
      /** Digits that end the recording, e.g. "#". */
      readonly endDigits?: string;
    }
  | {
      readonly kind: "collect";
      readonly max: number;
      /** Digits that end collection and are not part of the result, e.g. "#". */
      readonly terminators?: string;
      readonly firstDigitMs: number;
      readonly interDigitMs: number;
      /** Start with the digits pressed since the last collection (type-ahead). Default true. */
      readonly typeAhead?: boolean;
    }
  | { readonly kind: "echo" }
  | { readonly kind: "bridge"; readonly peer: string }
  | {
      readonly kind: "conference";
      readonly room: string;
      readonly muted?: boolean;
      /** Join and leave tones for everyone in the room (default true; off for a two-party bridge). */
      readonly tones?: boolean;
      /** dB applied to what this participant says (0 = unchanged). */
      readonly volumeDb?: number;
    };

export type EndpointRequest =
  | {
      readonly type: "endpoint.open";
      readonly id: number;
      readonly endpoint: string;
      /** Attach to a relay session's side instead of opening a port (music on hold, park). */
      readonly attach?: { readonly session: string; readonly side: "a" | "b" };
    }
  | {
      readonly type: "endpoint.remote";
      readonly id: number;
      readonly endpoint: string;
      readonly remote: EndpointRemote;
    }
  | {
      readonly type: "endpoint.start";
      readonly id: number;
      readonly endpoint: string;
      readonly op: number;
      readonly operation: EndpointOp;
    }
  | { readonly type: "endpoint.stop"; readonly id: number; readonly endpoint: string; readonly op: number }
  | {
      readonly type: "endpoint.digit";
      readonly id: number;
      readonly endpoint: string;
      readonly digit: string;
      readonly durationMs: number;
    }
  | {
      readonly type: "endpoint.participant";
      readonly id: number;
      readonly endpoint: string;
      readonly muted?: boolean;
      readonly volumeDb?: number;
    }
  | { readonly type: "endpoint.close"; readonly id: number; readonly endpoint: string }
  | { readonly type: "media.settings"; readonly id: number; readonly tonePlan: TonePlanName }
  | { readonly type: "media.forget"; readonly id: number; readonly file: string };

/** How an operation ended. */
export type OpReason =
  /** It ran its course (the list played, max digits, a terminator, the maximum length). */
  | "completed"
  /** A digit stopped it (`digit`). */
  | "interrupted"
  /** The collection waited in vain (first- or inter-digit timeout). */
  | "timeout"
  /** The endpoint closed (the caller hung up). */
  | "hangup"
  /** Stopped by the signalling side, or replaced by another operation of the same kind. */
  | "stopped"
  /** Nothing could be played or written (`error`). */
  | "failed";

export interface OpResult {
  readonly reason: OpReason;
  readonly digit?: string;
  /** collect: the digits (terminator left out). */
  readonly digits?: string;
  /** record: the length kept, ms, and whether the file was written. */
  readonly durationMs?: number;
  readonly saved?: boolean;
  readonly error?: string;
  /** play: the items that could not be played (missing or corrupt files), each with why. */
  readonly warnings?: readonly string[];
}

export interface EndpointStats {
  readonly packetsIn: number;
  readonly packetsOut: number;
  /** RTP of a payload type the SDP did not agree (RFC 3550 5.1 says ignore it): counted, dropped. */
  readonly unexpectedPayload: number;
  /** Datagrams that were not RTP version 2 or were cut short. */
  readonly malformed: number;
  readonly digits: number;
}

export type DigitSource = "rfc4733" | "info" | "inband";

export type EndpointEvent =
  | ({ readonly type: "op"; readonly endpoint: string; readonly op: number } & OpResult)
  | {
      readonly type: "digit";
      readonly endpoint: string;
      readonly digit: string;
      readonly source: DigitSource;
      readonly durationMs: number;
      /** RFC 4733 2.3.4: the event's power level in dBm0 (telephone-events only). */
      readonly volume?: number;
    }
  | { readonly type: "endpoint.warning"; readonly endpoint: string; readonly message: string }
  /**
   * A conference participant started or stopped talking (its audio was mixed into the room's;
   * "stopped" after TALK_HANGOVER_TICKS quiet ticks, so the live view does not flicker between words).
   */
  | { readonly type: "talking"; readonly endpoint: string; readonly talking: boolean };
