/**
 * Counters of one side's RTP as it reaches the relay: packets and bytes, loss from sequence
 * numbers (RFC 3550 A.1/A.3) and interarrival jitter (RFC 3550 A.8). Updated once per packet with
 * integer and float arithmetic only: nothing allocated on the packet path.
 */
import type { StreamStats } from "./protocol.js";

const SEQ_MOD = 0x10000;
/** RFC 3550 A.1: a jump ahead of at most this many sequence numbers is in order. */
const MAX_DROPOUT = 3000;
/** Timestamp units per millisecond: G.711 and telephone-event run an 8 kHz clock (RFC 3551 4.5.14). */
const UNITS_PER_MS = 8;

export class RtpStats {
  packetsIn = 0;
  bytesIn = 0;
  packetsOut = 0;
  bytesOut = 0;
  rtcpIn = 0;
  /** Sequence tracking of the current SSRC. */
  private ssrc = -1;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private received = 0;
  /** Loss of earlier SSRCs of this side (a re-INVITE may restart the stream). */
  private lostBefore = 0;
  private lastTransit = 0;
  private jitter = 0;

  /** An RTP packet from this side, `arrivalMs` on a monotonic clock. */
  rtp(packet: Buffer, arrivalMs: number): void {
    this.packetsIn++;
    this.bytesIn += packet.length;
    // RFC 3550 5.1: version 2, 12-byte fixed header; anything shorter is relayed but not measured.
    if (packet.length < 12 || packet[0] >> 6 !== 2) return;
    const seq = packet.readUInt16BE(2);
    const timestamp = packet.readUInt32BE(4);
    const ssrc = packet.readUInt32BE(8);
    const transit = arrivalMs * UNITS_PER_MS - timestamp;
    if (ssrc !== this.ssrc) {
      this.lostBefore += this.lostNow();
      this.ssrc = ssrc;
      this.baseSeq = seq;
      this.maxSeq = seq;
      this.cycles = 0;
      this.received = 1;
      this.lastTransit = transit;
      return;
    }
    this.received++;
    const delta = (seq - this.maxSeq + SEQ_MOD) % SEQ_MOD;
    if (delta > 0 && delta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += SEQ_MOD;
      this.maxSeq = seq;
    }
    // RFC 3550 A.8: J += (|D| - J) / 16.
    let d = transit - this.lastTransit;
    this.lastTransit = transit;
    if (d < 0) d = -d;
    // A timestamp jump (new talk spurt, DTMF event) is not jitter: ignore gaps over one second.
    if (d < 8000) this.jitter += (d - this.jitter) / 16;
  }

  /** RFC 3550 A.3: expected minus received, never negative (duplicates make it so). */
  private lostNow(): number {
    if (this.ssrc === -1) return 0;
    const expected = this.cycles + this.maxSeq - this.baseSeq + 1;
    return Math.max(0, expected - this.received);
  }

  snapshot(latched?: string): StreamStats {
    const out: StreamStats = {
      packetsIn: this.packetsIn,
      bytesIn: this.bytesIn,
      packetsOut: this.packetsOut,
      bytesOut: this.bytesOut,
      lost: this.lostBefore + this.lostNow(),
      jitterMs: Math.round((this.jitter / UNITS_PER_MS) * 100) / 100,
      rtcpIn: this.rtcpIn,
    };
    return latched === undefined ? out : { ...out, latched };
  }
}
