/**
 * One relayed call in a media worker: two sides, each with an RTP socket on an even port and an
 * RTCP socket on the next one (RFC 3550 11). What one side sends is sent on, untouched (the very
 * Buffer received: any codec, telephone-event included), from the other side's socket to where
 * that side's packets really come from (symmetric RTP, RFC 4961: latching), so a phone behind NAT
 * that advertises a private address in its SDP still hears audio.
 */
import type { Socket } from "node:dgram";
import { plainPeer, socketPeer } from "./port-pool.js";
import type { MediaPeer, MediaSide, SessionStats } from "./protocol.js";
import { RtpStats } from "./rtp-stats.js";
import { SecureLink } from "./secure-link.js";
import type { DtlsCertificate } from "./webrtc/webrtc-transport.js";

/** RFC 5761 4: with rtcp-mux, an RTP-port packet whose second byte is 192-223 is RTCP (PT 64-95 | M). */
function isRtcp(packet: Buffer): boolean {
  if (packet.length < 2) return false;
  const pt = packet[1];
  return pt >= 192 && pt <= 223;
}

/** Silence from the latched source after which another source may take the latch, ms. */
export const DEFAULT_RELATCH_AFTER_MS = 2000;
/**
 * Packets in a row, in RTP sequence, a new source must send before it takes the latch (as
 * Asterisk's strictrtp probation): one spoofed or stray packet never moves it.
 */
export const RELATCH_PROBATION = 4;

export class RelaySide {
  readonly stats = new RtpStats();
  /** Where RTP (and muxed RTCP) goes: the SDP address until latched, then the real source. */
  private rtpAddress: string | undefined;
  private rtpPort = 0;
  private rtcpAddress: string | undefined;
  private rtcpPort = 0;
  private rtcpMux = false;
  /** The address the SDP gave; packets from elsewhere are dropped unless latchAny. */
  private expected: string | undefined;
  private latchedRtp = false;
  private latchedRtcp = false;
  /** A source that may take the latch over (after silence): its address, port, packets, last seq. */
  private candidate: { address: string; port: number; count: number; seq: number } | undefined;
  /** After an RTP latch moved: RTCP latches again, but only from the new RTP address. */
  private rtcpFrom: string | undefined;
  /**
   * The RTP socket is connected to the latched source: sends then skip the per-packet address
   * resolution of an unconnected send, and the kernel drops packets from anyone else.
   */
  private rtpConnected = false;
  /** performance.now() of this side's last RTP packet (or of arming the timeout). */
  lastPacketAt = performance.now();
  /** The side's SDP says it sends: its silence counts towards the media timeout. */
  mustSend = true;
  other!: RelaySide;
  /** RFC 4733: the telephone-event payload type of this side's SDP (0 = none). */
  private dtmfPt = 0;
  /** The RTP timestamp of the last key press reported (RFC 4733 2.5.1.4: end packets repeat). */
  private lastDigitTs = -1;
  /** A key press this side sent ended (set by the worker). */
  onDigit: ((digit: string) => void) | undefined;
  /**
   * A media endpoint attached to this side (music on hold, park): this side's RTP goes to it
   * rather than to the other side, and only the endpoint's packets are sent to this side.
   */
  tap: ((packet: Buffer) => void) | undefined;
  /** A call recorder hearing this side (recorder-worker-core.ts): a copy, the relaying goes on. */
  recording: ((packet: Buffer) => void) | undefined;
  /** A browser's side (issue 20): ICE-lite, DTLS-SRTP and SRTP on the RTP socket. */
  private readonly secure: SecureLink;

  constructor(
    readonly rtp: Socket,
    readonly rtcp: Socket,
    readonly port: number,
    private readonly latchAny: boolean,
    /**
     * The sockets are bound to one address (not a wildcard): connecting them to the latched source
     * keeps that local address. A wildcard-bound socket must not connect: the kernel would pin it to
     * the route's source address and drop what arrives for the advertised one.
     */
    private readonly connectOnLatch: boolean,
    /** The sockets are dual-stack: IPv4 peers are kept IPv4-mapped (port-pool.ts socketPeer). */
    private readonly dualStack = false,
    /** The latch may move after this much silence from the latched source, ms (0 = never). */
    private readonly relatchAfterMs = DEFAULT_RELATCH_AFTER_MS,
    /** The worker's DTLS certificate, for a browser's side. */
    certificate?: DtlsCertificate,
  ) {
    this.secure = new SecureLink(rtp, certificate, {
      // ICE chose the browser's address: no latching, SRTP's authentication vouches for each packet.
      rtp: (packet) => this.forward(packet),
      rtcp: (packet) => this.forwardRtcp(packet),
    });
    rtp.on("message", (packet, from) => {
      if (this.secure.active) this.secure.receive(packet, from.address, from.port);
      else this.onRtp(packet, from.address, from.port);
    });
    rtcp.on("message", (packet, from) => this.onRtcp(packet, from.address, from.port));
    // A peer's ICMP unreachable must not kill the worker; RTP is best effort.
    rtp.on("error", () => {});
    rtcp.on("error", () => {});
  }

  /** The side's SDP changed: aim at its new address and latch again (RFC 4961, re-INVITE moves). */
  update(peer: MediaPeer): void {
    const address = socketPeer(peer.address, this.dualStack);
    this.expected = address;
    this.rtcpMux = peer.rtcpMux;
    this.dtmfPt = peer.dtmfPayloadType ?? 0;
    this.latchedRtp = false;
    this.latchedRtcp = false;
    this.candidate = undefined;
    this.rtcpFrom = undefined;
    if (this.rtpConnected) this.disconnect();
    this.mustSend = peer.sends !== false && peer.port !== 0;
    this.lastPacketAt = performance.now();
    this.secure.update(peer.port === 0 ? undefined : peer.webrtc);
    if (peer.port === 0) {
      // RFC 3264 6: port 0 rejects the stream; send nothing to it.
      this.rtpAddress = undefined;
      this.rtcpAddress = undefined;
      return;
    }
    this.rtpAddress = address;
    this.rtpPort = peer.port;
    this.rtcpAddress = address;
    this.rtcpPort = peer.port + 1;
  }

  private accept(address: string): boolean {
    return this.latchAny || this.expected === undefined || address === this.expected;
  }

  private onRtp(packet: Buffer, address: string, port: number): void {
    if (!this.latchedRtp) {
      if (!this.accept(address)) return;
      this.latchTo(address, port);
    } else if (port !== this.rtpPort || address !== this.rtpAddress) {
      // Not the latched source: a stray or spoofed packet, dropped; unless the latched source has
      // been silent a while and this one keeps sending (a NAT that mapped the phone anew).
      if (!this.takeOver(packet, address, port)) return;
    }
    if (this.rtcpMux && isRtcp(packet)) this.forwardRtcp(packet);
    else this.forward(packet);
  }

  /** RTCP from this side, passed on to the other phone. */
  private forwardRtcp(packet: Buffer): void {
    this.stats.rtcpIn++;
    if (this.tap === undefined && this.other.tap === undefined) this.other.sendRtcp(packet);
  }

  /** RTP from this side (latched, or decrypted from a browser): counted, heard, passed on. */
  private forward(packet: Buffer): void {
    const now = performance.now();
    this.lastPacketAt = now;
    this.stats.rtp(packet, now);
    if (this.onDigit !== undefined) this.detectDigit(packet);
    this.recording?.(packet);
    if (this.tap !== undefined) this.tap(packet);
    else if (this.other.tap === undefined) this.other.sendRtp(packet);
  }

  /** Latch RTP onto `address:port`; on a socket bound to one address, connect it there too. */
  private latchTo(address: string, port: number): void {
    this.latchedRtp = true;
    this.rtpAddress = address;
    this.rtpPort = port;
    if (!this.connectOnLatch) return;
    this.rtp.connect(port, address, () => {
      // Still the same latch (no update() in between): sends may drop the address from now on;
      // else the latch moved while connecting, and the socket must be free again.
      if (this.latchedRtp && this.rtpPort === port && this.rtpAddress === address) this.rtpConnected = true;
      else this.disconnect();
    });
  }

  /**
   * The latched source has been silent long enough for another to take over: a connected socket
   * (which the kernel keeps deaf to every other source) is disconnected so a new source can be
   * heard; takeOver() still decides. Called by the worker's timer.
   */
  checkSilence(now: number): void {
    if (!this.rtpConnected || this.relatchAfterMs <= 0 || !this.mustSend) return;
    if (now - this.lastPacketAt >= this.relatchAfterMs) this.disconnect();
  }

  /**
   * Whether `address:port` takes the RTP latch over: only once the latched source has been silent
   * for relatchAfterMs, only a source the first latch would have accepted (the SDP address unless
   * latchAny), and only after RELATCH_PROBATION packets in a row in sequence from it (rtpengine's
   * strict-source, Asterisk's probation). RTCP then latches again, from the new address only.
   */
  private takeOver(packet: Buffer, address: string, port: number): boolean {
    // A side that does not send (on hold: its SDP says recvonly) is silent on purpose: no take-over.
    if (this.relatchAfterMs <= 0 || !this.mustSend || packet.length < 12 || !this.accept(address))
      return false;
    if (performance.now() - this.lastPacketAt < this.relatchAfterMs) {
      this.candidate = undefined;
      return false;
    }
    const seq = packet.readUInt16BE(2);
    const c = this.candidate;
    if (c === undefined || c.address !== address || c.port !== port || seq !== ((c.seq + 1) & 0xffff)) {
      this.candidate = { address, port, count: 1, seq };
      return false;
    }
    c.count++;
    c.seq = seq;
    if (c.count < RELATCH_PROBATION) return false;
    this.candidate = undefined;
    this.latchTo(address, port);
    this.latchedRtcp = false;
    this.rtcpFrom = address;
    if (!this.rtcpMux) {
      this.rtcpAddress = address;
      this.rtcpPort = port + 1;
    }
    return true;
  }

  /**
   * RFC 4733 2.3: a telephone-event packet's payload is event, E bit + volume, duration; the end
   * of an event (E set) is sent three times with the event's timestamp: reported once. Either
   * side's payload type counts (RFC 3264: each names what it receives; phones use the same).
   */
  private detectDigit(packet: Buffer): void {
    const pt = packet[1] & 0x7f;
    if (pt === 0 || (pt !== this.dtmfPt && pt !== this.other.dtmfPt)) return;
    let offset = 12 + (packet[0] & 0x0f) * 4;
    if ((packet[0] & 0x10) !== 0 && packet.length >= offset + 4)
      offset += 4 + packet.readUInt16BE(offset + 2) * 4;
    if (packet.length < offset + 4 || (packet[offset + 1] & 0x80) === 0) return;
    const event = packet[offset];
    const ts = packet.readUInt32BE(4);
    if (event > 15 || ts === this.lastDigitTs) return;
    this.lastDigitTs = ts;
    this.onDigit?.("0123456789*#ABCD"[event]);
  }

  private onRtcp(packet: Buffer, address: string, port: number): void {
    if (!this.latchedRtcp) {
      if (!this.accept(address) || (this.rtcpFrom !== undefined && address !== this.rtcpFrom)) return;
      this.latchedRtcp = true;
      this.rtcpAddress = address;
      this.rtcpPort = port;
    } else if (port !== this.rtcpPort || address !== this.rtcpAddress) {
      return;
    }
    // RTCP reports on streams the attached endpoint replaced would mislead the other phone.
    this.forwardRtcp(packet);
  }

  /** Sends RTP to this side, from this side's socket (the port its SDP was given). */
  sendRtp(packet: Buffer): void {
    if (this.rtpAddress === undefined) return;
    this.stats.packetsOut++;
    this.stats.bytesOut += packet.length;
    if (this.secure.active) this.secure.sendRtp(packet);
    else if (this.rtpConnected) this.rtp.send(packet);
    else this.rtp.send(packet, this.rtpPort, this.rtpAddress);
  }

  sendRtcp(packet: Buffer): void {
    if (this.secure.active) {
      this.secure.sendRtcp(packet);
      return;
    }
    if (this.rtcpMux) {
      if (this.rtpConnected) this.rtp.send(packet);
      else if (this.rtpAddress !== undefined) this.rtp.send(packet, this.rtpPort, this.rtpAddress);
      return;
    }
    if (this.rtcpAddress !== undefined) this.rtcp.send(packet, this.rtcpPort, this.rtcpAddress);
  }

  private disconnect(): void {
    this.rtpConnected = false;
    try {
      this.rtp.disconnect();
    } catch {
      // not connected (closed meanwhile): nothing to undo
    }
  }

  latchedAt(): string | undefined {
    if (this.secure.active) return undefined;
    return this.latchedRtp ? `${plainPeer(this.rtpAddress ?? "")}:${this.rtpPort}` : undefined;
  }

  close(): void {
    this.secure.close();
    this.rtp.close();
    this.rtcp.close();
  }
}

export class RelaySession {
  a!: RelaySide;
  b!: RelaySide;
  /** A side that should send and is silent this long times the session out; 0 = not armed. */
  timeoutMs = 0;

  constructor(readonly id: string) {}

  pair(a: RelaySide, b: RelaySide): void {
    this.a = a;
    this.b = b;
    a.other = b;
    b.other = a;
  }

  /** Starts the media timeout afresh for both sides. */
  arm(ms: number): void {
    this.timeoutMs = Math.max(0, ms);
    const now = performance.now();
    this.a.lastPacketAt = now;
    this.b.lastPacketAt = now;
  }

  /** Lets a long-silent side's latch be taken over (RelaySide.checkSilence). */
  checkSilence(now: number): void {
    this.a.checkSilence(now);
    this.b.checkSilence(now);
  }

  /** The media timeout ran out: a side that should send has been silent that long. */
  timedOut(now: number): boolean {
    if (this.timeoutMs <= 0) return false;
    for (const side of [this.a, this.b]) {
      if (side.mustSend && now - side.lastPacketAt >= this.timeoutMs) return true;
    }
    return false;
  }

  side(which: MediaSide): RelaySide {
    return which === "a" ? this.a : this.b;
  }

  stats(): SessionStats {
    return { a: this.a.stats.snapshot(this.a.latchedAt()), b: this.b.stats.snapshot(this.b.latchedAt()) };
  }

  close(): void {
    this.a.close();
    this.b.close();
  }
}
