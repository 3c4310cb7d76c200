/**
 * A browser's side of a call on ONE UDP socket: ICE-lite (RFC 8445 2.5), DTLS-SRTP (RFC 5763/5764,
 * Parley always the DTLS server), SRTP/SRTCP (RFC 3711) with rtcp-mux (RFC 5761), demultiplexed
 * by first byte (RFC 7983).
 */
import type { Socket } from "node:dgram";
import type { DtlsCertificate } from "./dtls-certificate.js";

export type { DtlsCertificate } from "./dtls-certificate.js";
export { createDtlsCertificate } from "./dtls-certificate.js";

export interface IceCredentials {
  readonly ufrag: string;
  readonly pwd: string;
}
export interface WebRtcRemote {
  readonly ice: IceCredentials;
  readonly fingerprint: { readonly algorithm: string; readonly value: string };
}
export interface WebRtcLocal {
  readonly ice: IceCredentials;
  /** "sha-256 AB:CD:..." (the a=fingerprint value). */
  readonly fingerprint: string;
}
export type WebRtcState = "new" | "checking" | "connected" | "failed" | "closed";

export interface WebRtcTransportOptions {
  /** Already bound; the transport only sends on it (the owner feeds every datagram to receive()). */
  readonly socket: Socket;
  /** Per worker (dtls-certificate.ts). */
  readonly certificate: DtlsCertificate;
  /** Random when omitted (ufrag 8 chars, pwd 24 chars, ice-char set). */
  readonly local?: IceCredentials;
  /** Decrypted RTP from the browser. */
  onRtp(packet: Buffer): void;
  /** Decrypted RTCP. */
  onRtcp(packet: Buffer): void;
  onState?(state: WebRtcState, reason?: string): void;
  /** Default 10000: no DTLS done by then -> "failed". */
  readonly handshakeTimeoutMs?: number;
}

/** Everything a WebRTC side needs, over ONE UDP socket it does not own. */
export class WebRtcTransport {
  readonly local: WebRtcLocal;
  private current: WebRtcState = "new";

  constructor(private readonly options: WebRtcTransportOptions) {
    const ice = options.local ?? { ufrag: "TODOTODO", pwd: "TODOTODOTODOTODOTODOTODO" };
    this.local = { ice, fingerprint: `sha-256 ${options.certificate.fingerprint}` };
  }

  get state(): WebRtcState {
    return this.current;
  }

  /** From the browser's SDP (may come after packets arrived). */
  setRemote(_remote: WebRtcRemote): void {}

  /** Feed EVERY datagram the socket receives. */
  receive(_packet: Buffer, _address: string, _port: number): void {}

  /** Protect and send to the nominated/validated address; dropped before "connected". */
  sendRtp(_packet: Buffer): void {}

  sendRtcp(_packet: Buffer): void {}

  /** Idempotent; stops timers, forgets keys. */
  close(): void {
    this.current = "closed";
  }
}
