/**
 * One party's audio on its way into a call recording: the G.711 RTP a relay side receives, decoded
 * and placed by its RTP timestamp on the recording's own sample clock, so a lost packet leaves
 * silence of its length and a late or reordered one still lands where it belongs. The recording
 * is written by wall-clock time (recorder.ts), never by packet count: its length is the call's.
 *
 * Placement: the first packet (and every resynchronisation) anchors the stream: its timestamp maps
 * to the sample position the recording has reached at its arrival plus a fixed playout delay (the
 * jitter allowance). Later packets land at anchor + (timestamp - anchor timestamp), RFC 3550 5.1
 * timestamps counting 8 kHz samples. Samples are kept in a ring indexed by position; what the
 * writer has taken is cleared, so a position no packet filled reads as silence.
 *
 * Resynchronisation (a new SSRC, a sender whose clock drifts from ours, a timestamp jump): a
 * packet that lands wholly before what was written, three times running, or further ahead of its
 * arrival than the ring holds, re-anchors the stream at that packet.
 */
import { codecOfPayloadType, decodeInto } from "./dsp/g711.js";
import { emptyHeader, readRtpHeader } from "./rtp/rtp-packet.js";

/** The ring: two seconds of 8 kHz audio, far more than any jitter worth waiting for. */
export const RING_SAMPLES = 16_000;
/** Late packets in a row that mean the stream moved (drift, a restarted sender). */
const LATE_RESYNC = 3;
/** A packet this far (samples) ahead of where it should be (0.5 s) means a jump: re-anchor. */
const MAX_AHEAD = 4_000;

export class RecorderStream {
  private readonly ring = new Int16Array(RING_SAMPLES);
  private readonly header = emptyHeader();
  private readonly scratch = new Int16Array(RING_SAMPLES);
  private anchored = false;
  private anchorTs = 0;
  private anchorPos = 0;
  private ssrc = -1;
  private late = 0;
  /** Packets placed and dropped (late or not G.711), for the tests and the log. */
  placed = 0;
  dropped = 0;

  constructor(
    /** The recording's playout delay in samples: how late a packet may arrive and still count. */
    private readonly delay: number,
  ) {}

  /**
   * An RTP packet arrived from this party. `arrival` is the recording's sample position at its
   * arrival; `written` how far the writer has taken samples (nothing before it can change).
   */
  push(packet: Uint8Array, arrival: number, written: number): void {
    if (!readRtpHeader(packet, packet.length, this.header)) return;
    const codec = codecOfPayloadType(this.header.payloadType);
    // telephone-event, comfort noise and other codecs carry no G.711 samples to mix.
    if (codec === undefined) return;
    const h = this.header;
    const n = Math.min(h.payloadLength, RING_SAMPLES / 2);
    if (n === 0) return;
    if (!this.anchored || h.ssrc !== this.ssrc) this.anchor(h.timestamp, h.ssrc, arrival);
    let pos = this.position(h.timestamp);
    if (pos + n <= written) {
      if (++this.late < LATE_RESYNC) {
        this.dropped++;
        return;
      }
      this.anchor(h.timestamp, h.ssrc, arrival);
      pos = this.position(h.timestamp);
    } else if (pos > arrival + this.delay + MAX_AHEAD || pos + n > written + RING_SAMPLES) {
      this.anchor(h.timestamp, h.ssrc, arrival);
      pos = this.position(h.timestamp);
    }
    this.late = 0;
    decodeInto(codec, packet, h.payloadOffset, n, this.scratch);
    // A packet straddling what was already written keeps only its unwritten tail.
    const skip = Math.max(0, written - pos);
    for (let i = skip; i < n; i++) this.ring[(pos + i) % RING_SAMPLES] = this.scratch[i];
    this.placed++;
  }

  /** Takes the samples of positions [from, from + count) into `out` (silence where none came). */
  take(from: number, count: number, out: Int16Array): void {
    for (let i = 0; i < count; i++) {
      const at = (from + i) % RING_SAMPLES;
      out[i] = this.ring[at];
      this.ring[at] = 0;
    }
  }

  private anchor(ts: number, ssrc: number, arrival: number): void {
    this.anchored = true;
    this.anchorTs = ts;
    this.anchorPos = arrival + this.delay;
    this.ssrc = ssrc;
    this.late = 0;
  }

  /** RFC 3550 5.1: timestamps wrap at 2^32; the signed difference counts samples either way. */
  private position(ts: number): number {
    return this.anchorPos + ((ts - this.anchorTs) | 0);
  }
}
