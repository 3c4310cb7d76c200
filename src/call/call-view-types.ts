/**
 * What the call engine shows of its calls in progress: the live view that GET /api/v1/calls, the
 * dashboard and (later) presence read. Declared in call/ (the layer that owns calls); the API
 * re-exports these types.
 */
import type { LegMediaStats } from "./call-media.js";

/** A call in progress: ringing until a callee answers, answered, ending while BYE/CANCEL are out. */
export type ActiveCallState = "ringing" | "answered" | "ending";

/**
 * A leg's state. The caller's leg: ringing (the caller hears ringback), answered, ending. A callee
 * leg: calling (INVITE sent, nothing back yet), ringing (a 180/183 came), answered, ending.
 */
export type ActiveLegState = "calling" | "ringing" | "answered" | "ending";

export interface ActiveCallLeg {
  role: "caller" | "callee";
  /** The peer's URI: the caller's Contact, or the Contact of the callee binding rung. */
  peer: string;
  /** The leg's own SIP Call-ID. */
  callId: string;
  state: ActiveLegState;
  /** RTP figures of this leg when the call's media is relayed (issue 6). */
  media?: LegMedia;
}

/** One leg's relayed RTP: received from and sent to its phone, loss and jitter of what it sent. */
export type LegMedia = LegMediaStats;

/** One call the call engine holds now. */
export interface ActiveCall {
  /** Parley's id of the call (the CDR's callId once it ends), used by DELETE /api/v1/calls/{id}. */
  id: string;
  domainId: number;
  caller: string;
  dialed: string;
  /** The user or number reached, once known (a forked call rings several until one answers). */
  callee?: string;
  state: ActiveCallState;
  /** Epoch milliseconds. */
  startedAt: number;
  /** Epoch milliseconds; set once answered. */
  answeredAt?: number;
  /** The caller's leg first, then the callee legs. */
  legs: ActiveCallLeg[];
  /** Present when the media is anchored in Parley: why ("setting", "user", "nat"). */
  media?: { relayed: boolean; reason: string };
}

/** The call engine as the API sees it. */
export interface CallsView {
  /** The calls in progress now. */
  list(): ActiveCall[];
  /**
   * Ends one call as if an operator hung up: CANCEL or BYE on every leg, and its CDR as usual.
   * Resolves once the call is ending; false when there is no call with this id.
   */
  hangup(id: string): Promise<boolean>;
}

/** A user's live state (FEATURES.md section 2): ringing and talking come with calls. */
export type UserState = "offline" | "online" | "ringing" | "talking";
