/**
 * A leg that ends at Parley itself rather than at a phone: a media endpoint of the media server
 * (a prompt, voicemail, an IVR menu, a conference, music on hold). Declared here, in the call
 * layer, as the interface the call engine needs (ARCHITECTURE.md: a lower layer declares what it
 * needs; the media server implements it, and a service hands one to the engine in a verdict).
 * The engine answers the caller with the endpoint's SDP (RFC 3264 offer/answer), passes it the
 * re-offers and digits of the dialog, and ends it with the call.
 */

/** Parley's side of an offer/answer exchange, or why it cannot take part. */
export type MediaAnswer =
  | { readonly ok: true; readonly sdp: Buffer }
  /** e.g. 488 Not Acceptable Here with a Warning naming the codecs Parley speaks (RFC 3261 20.43). */
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly warning?: string };

/** A final status a service ends an unanswered call with. */
export interface FinalStatus {
  readonly status: number;
  readonly reason: string;
}

export interface MediaEndpoint {
  /** What the CDR and the live view show as this leg's peer, e.g. `parley:voicemail`. */
  readonly peer: string;
  /**
   * RFC 3264: the answer to the caller's offer; with an empty offer (an INVITE without SDP),
   * Parley's own offer, whose answer then comes in the ACK (`acknowledged`). `local` is the local
   * address of the leg (issue 23), written in Parley's SDP unless a media address is configured;
   * the endpoint keeps it for its later answers.
   */
  answer(offer: Buffer, local?: string): Promise<MediaAnswer>;
  /** The answer to Parley's offer, from the caller's ACK (RFC 3261 13.2.2.4: late offer). */
  acknowledged(answer: Buffer): void;
  /**
   * The caller's ACK confirmed the answer (RFC 3261 13.3.1.4): the session is up, so the endpoint
   * may start speaking (RTP sent before the 200 OK arrives would be dropped by the phone).
   */
  confirmed?(): void;
  /** A re-INVITE's or UPDATE's offer (hold, a new address, a codec change): Parley's answer. */
  reoffer(offer: Buffer): Promise<MediaAnswer>;
  /** A DTMF digit signalled in SIP INFO (RFC 6086; application/dtmf-relay or application/dtmf). */
  digit(digit: string, durationMs: number): void;
  /**
   * Called once when the endpoint is done with the call (the service hangs up). Before an early
   * endpoint answers, `final` is the status the caller's INVITE then fails with (e.g. 404 after
   * "the number you dialled does not exist"); without one it fails with 480.
   */
  onHangup(listener: (final?: FinalStatus) => void): void;
  /**
   * Early media (RFC 3960): the endpoint's answer goes in a 183 Session Progress and it starts at
   * once, before any 200; it may answer later (`onAnswer`) or end the call with a final status.
   * Only for an INVITE with an offer; without one the endpoint answers as usual.
   */
  readonly early?: boolean;
  /** An early endpoint answers the call: the 200 carries the same SDP as the 183 (RFC 3264). */
  onAnswer?(listener: () => void): void;
  /** The leg is over (either side hung up): frees its ports. Idempotent. */
  close(): Promise<void>;
}

/** A verdict's media endpoint: the party it stands for (the user whose voicemail it is) and the endpoint. */
export interface EndpointTarget {
  readonly party: { readonly domainId: number; readonly user: string; readonly displayName: string };
  readonly endpoint: MediaEndpoint;
}
