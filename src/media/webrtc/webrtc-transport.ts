/**
 * A browser's side of a call on ONE UDP socket: ICE-lite (RFC 8445 2.5), DTLS-SRTP (RFC 5763/5764,
 * Parley always the DTLS server), SRTP/SRTCP (RFC 3711) with rtcp-mux (RFC 5761), demultiplexed
 * by first byte (RFC 7983).
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:dgram";
import { certificateFingerprint, type DtlsCertificate } from "./dtls-certificate.js";
import { DtlsServer, type SrtpKeys } from "./dtls-server.js";
import { SrtpSession } from "./srtp.js";
import { bindingSuccess, readBindingRequest } from "./stun.js";

export type { DtlsCertificate } from "./dtls-certificate.js";

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

/** RFC 8445 15.4 / RFC 8839 5.4: ice-char = ALPHA / DIGIT / "+" / "/". */
const ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function iceString(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ICE_CHARS[byte & 63];
  return out;
}

/** RFC 8839 5.4: ufrag at least 4 characters (24 bits), pwd at least 22 (128 bits). */
export function randomIceCredentials(): IceCredentials {
  return { ufrag: iceString(8), pwd: iceString(24) };
}

/** RFC 7675 5.1: without a fresh consent (a validated check) for 30 s, stop sending. */
const CONSENT_MS = 30_000;
/** Addresses that passed a check: a browser has a few candidates; more is a scan. */
const MAX_VALIDATED = 8;

/** Everything a WebRTC side needs, over ONE UDP socket it does not own. */
export class WebRtcTransport {
  readonly local: WebRtcLocal;
  private current: WebRtcState = "new";
  private remote: WebRtcRemote | undefined;
  /** "address|port" -> performance.now() of the last validated check from there. */
  private readonly validated = new Map<string, number>();
  /** Where media and DTLS go: the nominated (USE-CANDIDATE) address, else the latest validated. */
  private target: { address: string; port: number; key: string; nominated: boolean } | undefined;
  private dtls: DtlsServer | undefined;
  private dtlsSource: string | undefined;
  /** A finished handshake waiting for the browser's SDP (its fingerprint). */
  private waiting: { keys: SrtpKeys; certificate: Buffer } | undefined;
  private outbound: SrtpSession | undefined;
  private inbound: SrtpSession | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WebRtcTransportOptions) {
    const ice = options.local ?? randomIceCredentials();
    this.local = { ice, fingerprint: `sha-256 ${options.certificate.fingerprint}` };
  }

  get state(): WebRtcState {
    return this.current;
  }

  /** From the browser's SDP (may come after packets arrived: a finished handshake waits for it). */
  setRemote(remote: WebRtcRemote): void {
    if (this.current === "closed" || this.current === "failed") return;
    this.remote = remote;
    if (this.waiting !== undefined) {
      const { keys, certificate } = this.waiting;
      this.waiting = undefined;
      this.secure(keys, certificate);
    }
  }

  /**
   * Feed EVERY datagram the socket receives. RFC 7983 7: the first byte says what it is:
   * 0..3 STUN, 20..63 DTLS, 128..191 RTP or RTCP (RFC 5761 4: RTCP by payload type 192..223).
   */
  receive(packet: Buffer, address: string, port: number): void {
    if (this.current === "closed" || this.current === "failed" || packet.length === 0) return;
    const first = packet[0];
    if (first < 4) {
      this.stun(packet, address, port);
      return;
    }
    const key = `${address}|${port}`;
    // RFC 7675: only an address that passed a check with our password may send us anything else.
    if (!this.validated.has(key)) return;
    if (first >= 20 && first <= 63) {
      this.dtlsPacket(packet, key);
      return;
    }
    if (first < 128 || first > 191 || packet.length < 12 || this.inbound === undefined) return;
    const type = packet[1] & 0x7f;
    if (type >= 64 && type <= 95) {
      const rtcp = this.inbound.unprotectRtcp(packet);
      if (rtcp !== undefined) this.options.onRtcp(rtcp);
    } else {
      const rtp = this.inbound.unprotectRtp(packet);
      if (rtp !== undefined) this.options.onRtp(rtp);
    }
  }

  /** Protect and send to the nominated/validated address; dropped before "connected". */
  sendRtp(packet: Buffer): void {
    const out = this.canSend() ? this.outbound?.protectRtp(packet) : undefined;
    if (out !== undefined) this.send(out);
  }

  sendRtcp(packet: Buffer): void {
    const out = this.canSend() ? this.outbound?.protectRtcp(packet) : undefined;
    if (out !== undefined) this.send(out);
  }

  /** Idempotent; stops timers, forgets keys. */
  close(): void {
    if (this.current === "closed") return;
    this.release();
    this.transition("closed");
  }

  private canSend(): boolean {
    if (this.current !== "connected" || this.target === undefined) return false;
    const consent = this.validated.get(this.target.key);
    return consent !== undefined && performance.now() - consent < CONSENT_MS;
  }

  private send(packet: Buffer): void {
    const target = this.target;
    if (target === undefined) return;
    this.options.socket.send(packet, target.port, target.address, () => {
      // A send error (socket closed, unreachable) is like a lost packet.
    });
  }

  private stun(packet: Buffer, address: string, port: number): void {
    const ice = this.local.ice;
    const request = readBindingRequest(packet, ice.ufrag, ice.pwd, this.remote?.ice.ufrag);
    if (request === undefined) return;
    const key = `${address}|${port}`;
    if (!this.validated.has(key) && this.validated.size >= MAX_VALIDATED) {
      // Forget the oldest (Map order is insertion order), never the one in use.
      for (const old of this.validated.keys()) {
        if (old !== this.target?.key) {
          this.validated.delete(old);
          break;
        }
      }
    }
    this.validated.delete(key);
    this.validated.set(key, performance.now());
    // RFC 8445 7.3.1.5 (lite): the nominated pair carries media; before any nomination the
    // latest validated source does.
    if (request.useCandidate || this.target === undefined || !this.target.nominated) {
      this.target = { address, port, key, nominated: request.useCandidate };
    }
    this.options.socket.send(bindingSuccess(request, address, port, ice.pwd), port, address, () => {});
    if (this.current === "new") {
      this.transition("checking");
      const ms = this.options.handshakeTimeoutMs ?? 10_000;
      this.timer = setTimeout(() => this.failWith(`no DTLS-SRTP within ${ms} ms`), ms);
    }
  }

  private dtlsPacket(packet: Buffer, key: string): void {
    if (this.dtls === undefined) {
      this.dtlsSource = key;
      this.dtls = new DtlsServer(this.options.certificate, {
        // DTLS answers the address the handshake came from (validated, and usually the target).
        send: (datagram) => {
          const [address, port] = (this.dtlsSource as string).split("|");
          this.options.socket.send(datagram, Number(port), address, () => {});
        },
        onConnected: (keys, certificate) => {
          if (this.remote === undefined) this.waiting = { keys, certificate };
          else this.secure(keys, certificate);
        },
        onFailed: (reason) => this.failWith(`DTLS: ${reason}`),
        onClosed: () => this.close(),
      });
    } else {
      this.dtlsSource = key;
    }
    this.dtls.handle(packet);
  }

  /** RFC 5763 5: the certificate the client presented must match the a=fingerprint of its SDP. */
  private secure(keys: SrtpKeys, certificate: Buffer): void {
    const expected = this.remote?.fingerprint;
    let actual = "";
    try {
      if (expected !== undefined) actual = certificateFingerprint(certificate, expected.algorithm);
    } catch {
      actual = "";
    }
    if (expected === undefined || actual === "" || actual !== expected.value.toUpperCase()) {
      this.failWith("the DTLS certificate does not match the SDP fingerprint");
      return;
    }
    // RFC 5764 4.2: we are the server: we send with the server's key, read with the client's.
    this.outbound = new SrtpSession(keys.serverKey, keys.serverSalt);
    this.inbound = new SrtpSession(keys.clientKey, keys.clientSalt);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.transition("connected");
  }

  private failWith(reason: string): void {
    if (this.current === "closed" || this.current === "failed") return;
    this.release();
    this.transition("failed", reason);
  }

  private release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dtls?.close();
    this.dtls = undefined;
    this.waiting = undefined;
    this.outbound = this.inbound = undefined;
    this.validated.clear();
    this.target = undefined;
  }

  private transition(state: WebRtcState, reason?: string): void {
    this.current = state;
    try {
      this.options.onState?.(state, reason);
    } catch {
      // A listener's exception must not corrupt the transport's state (STYLE: mediasoup).
    }
  }
}

export { createDtlsCertificate } from "./dtls-certificate.js";
