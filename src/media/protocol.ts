/**
 * The control channel between the media engine client (signalling thread) and a media worker.
 * Only plain, structured-cloneable data crosses it, never shared objects (STYLE.md, mediasoup: a
 * handle over a separate data plane), so a worker could later be a separate process or host.
 * Every request carries an id; the worker answers each with a reply of the same id.
 */
import type { TonePlanName } from "./dsp/tones.js";
import type { EndpointEvent, EndpointRequest, EndpointStats } from "./endpoint/endpoint-protocol.js";
import type { RecorderRequest, RecordingResult } from "./recorder-protocol.js";

/**
 * A browser's side (issue 20): Parley's ICE-lite credentials written in the SDP it sent, and the
 * browser's ICE credentials and DTLS fingerprint from the browser's SDP. The media worker then
 * terminates ICE, DTLS-SRTP and SRTP on the side's RTP socket (webrtc/webrtc-transport.ts).
 */
export interface WebRtcPeer {
  readonly local: { readonly ufrag: string; readonly pwd: string };
  readonly remote: {
    readonly ice: { readonly ufrag: string; readonly pwd: string };
    readonly fingerprint: { readonly algorithm: string; readonly value: string };
  };
}

/** Where one side's RTP goes, as its SDP says (before latching). */
export interface MediaPeer {
  /** The connection address (c=) of the stream. */
  readonly address: string;
  /** The RTP port (m=); RTCP is on port + 1 unless muxed. */
  readonly port: number;
  /** RFC 5761: the side sends and accepts RTCP on its RTP port. */
  readonly rtcpMux: boolean;
  /**
   * RFC 3264 6.1: whether the side said it sends (sendrecv or sendonly; not on recvonly or
   * inactive, e.g. while held). Only a side that should send is held to the media timeout.
   * Default true.
   */
  readonly sends?: boolean;
  /**
   * RFC 4733 7.1.1: the payload type of `telephone-event/8000` in the side's SDP, when it has
   * one: the relay reports the key presses it carries (in-call feature codes).
   */
  readonly dtmfPayloadType?: number;
  /** The side is a browser: SRTP over DTLS behind ICE-lite on its RTP port (issue 20). */
  readonly webrtc?: WebRtcPeer;
}

/** The two sides of a relayed call: "a" faces the caller, "b" the callee. */
export type MediaSide = "a" | "b";

export interface AllocateRequest {
  readonly type: "allocate";
  readonly id: number;
  readonly session: string;
  /**
   * Per side, whether to latch onto the first source of RTP whatever its address (the side is
   * behind NAT) rather than only a source at the address its SDP gave.
   */
  readonly latchAny: { readonly a: boolean; readonly b: boolean };
}

export interface UpdateRequest {
  readonly type: "update";
  readonly id: number;
  readonly session: string;
  readonly side: MediaSide;
  /** The side's new SDP address; latching starts again (a re-INVITE may move the stream). */
  readonly peer: MediaPeer;
}

/**
 * Arms (or disarms with 0) the media timeout: a side that should send (MediaPeer.sends) and has
 * sent no RTP for this long makes the worker report the session timed out.
 */
export interface TimeoutRequest {
  readonly type: "timeout";
  readonly id: number;
  readonly session: string;
  readonly ms: number;
}

export interface ReleaseRequest {
  readonly type: "release";
  readonly id: number;
  readonly session: string;
}

export interface StatsRequest {
  readonly type: "stats";
  readonly id: number;
  readonly session: string;
}

export type RelayRequest = AllocateRequest | UpdateRequest | TimeoutRequest | ReleaseRequest | StatsRequest;

/** Every request of the channel: the relay's, the media endpoints' and the call recorders'. */
export type MediaRequest = RelayRequest | EndpointRequest | RecorderRequest;

/** One direction of one side, counted as packets arrive from it and leave towards it. */
export interface StreamStats {
  /** RTP packets and bytes received from this side. */
  readonly packetsIn: number;
  readonly bytesIn: number;
  /** RTP packets and bytes sent to this side. */
  readonly packetsOut: number;
  readonly bytesOut: number;
  /** RFC 3550 A.3: expected minus received, from the sequence numbers of this side's RTP. */
  readonly lost: number;
  /** RFC 3550 A.8 interarrival jitter of this side's RTP, in milliseconds (8 kHz clock assumed). */
  readonly jitterMs: number;
  /** RTCP packets received from this side. */
  readonly rtcpIn: number;
  /** Where this side's RTP really comes from, once latched ("address:port"). */
  readonly latched?: string;
}

export interface SessionStats {
  readonly a: StreamStats;
  readonly b: StreamStats;
}

export interface Allocation {
  /** The relay's RTP port facing each side (even; RTCP on port + 1). */
  readonly portA: number;
  readonly portB: number;
}

export type MediaReply =
  | {
      readonly type: "reply";
      readonly id: number;
      readonly ok: true;
      readonly allocation?: Allocation;
      readonly stats?: SessionStats;
      /** endpoint.open: the endpoint's RTP port (0 when attached to a relay side). */
      readonly endpointPort?: number;
      /** endpoint.close: the endpoint's final figures. */
      readonly endpointStats?: EndpointStats;
      /** recorder.stop: the finished recording (recorder-protocol.ts). */
      readonly recording?: RecordingResult;
    }
  | {
      readonly type: "reply";
      readonly id: number;
      readonly ok: false;
      readonly error: string;
      readonly code: MediaErrorCode;
    };

/** Unsolicited reports from a worker. */
export type MediaEvent =
  | { readonly type: "timeout"; readonly session: string; readonly stats: SessionStats }
  | { readonly type: "stats"; readonly sessions: ReadonlyArray<readonly [string, SessionStats]> }
  | { readonly type: "ready" }
  /** RFC 4733: a key press ended in the RTP one side of a relayed call sent (relayed untouched). */
  | {
      readonly type: "relayDigit";
      readonly session: string;
      readonly side: MediaSide;
      readonly digit: string;
    }
  | EndpointEvent;

export type MediaErrorCode = "no_port" | "no_session" | "exists" | "closed" | "timeout" | "bad_request";

/** Settings a worker is started with (workerData). */
export interface WorkerConfig {
  /** Inclusive port range this worker allocates from (even starts). */
  readonly minPort: number;
  readonly maxPort: number;
  /** The address the relay sockets bind to ("0.0.0.0", "::" or one address). */
  readonly bindAddress: string;
  /** How often the worker pushes the stats of every session, ms (0 = never). */
  readonly statsIntervalMs: number;
  /** The call progress tones the endpoints play (a system setting; media.settings changes it). */
  readonly tonePlan?: TonePlanName;
  /** Silence after which a relay latch may move to a new source, ms (0 = never; default 2000). */
  readonly relatchAfterMs?: number;
  /**
   * The worker's DTLS certificate for browsers' sides (RFC 5763 5: self-signed; the SDP's
   * fingerprint vouches for it), made once by the engine so every worker and the signalling
   * thread's SDP agree on the fingerprint.
   */
  readonly dtls?: { readonly certPem: string; readonly keyPem: string; readonly fingerprint: string };
}
