/**
 * Music on hold for a call whose media flows phone to phone (FEATURES.md section 6; issue 15):
 * while one side holds, Parley anchors the media for the hold only. The held side is re-offered
 * Parley's music endpoint (sendonly: it hears the music); the holding side's hold offer is
 * answered by a sink endpoint of Parley's (recvonly), so whatever it still sends goes nowhere.
 * When the holding side resumes, its offer crosses to the other side as usual and the media is
 * end to end again. Declared here, in the call layer; the media server implements it.
 */
import type { CallParty } from "./types.js";

export interface AnchoredHold {
  /** Parley's offer to the held side: sendonly, from the music endpoint. */
  readonly offer: Buffer;
  /** Parley's answer to the holding side's hold offer (RFC 3264 6.1: recvonly). */
  readonly answer: Buffer;
  /** The held side answered `offer`: the music starts. */
  answered(answer: Buffer): void;
  /** The hold is over (resumed, or the call ended): the endpoints are freed. Idempotent. */
  stop(): void;
}

/** The local addresses of the holding and the held leg (issue 23), for Parley's SDP on each. */
export interface HoldLegAddresses {
  readonly holder?: string;
  readonly held?: string;
}

export interface HoldMusicProvider {
  /**
   * Music for the side held by `holder`, or undefined (the holder's music-on-hold setting is off,
   * no G.711 in its offer, no port): the hold then crosses end to end as before.
   */
  start(holder: CallParty, holderOffer: Buffer, legs?: HoldLegAddresses): Promise<AnchoredHold | undefined>;
}
