/**
 * A fixed-delay ("adaptive-lite") jitter buffer for one incoming G.711 RTP stream at 8 kHz in
 * 20 ms frames. The caller's 20 ms clock drives playout: put() on every RTP packet, take() once
 * per tick.
 *
 * - Frames are ordered by RTP sequence number, compared modulo 2^16 as in RFC 3550 A.1.
 * - Playout starts once `depthFrames` frames are buffered (the fixed delay). A frame missing at
 *   its turn while later frames wait is a loss; an empty buffer is an underrun (the stream paused,
 *   as in silence suppression, or stalled): playout stops and waits for `depthFrames` again.
 * - Delay that has grown beyond `depthFrames` (after a stall, packets arrive in a burst) is
 *   flushed rather than kept: when the fewest frames waiting at any take() over one second is
 *   more than the depth, the oldest are dropped (Asterisk/FreeSWITCH conference practice).
 * - A new talkspurt (marker bit, RFC 3551 4.1) or a timestamp that does not follow the sequence
 *   (a new SSRC, a restarted sender) resynchronises: playout restarts from that packet.
 * - Memory is bounded: `maxFrames` slots of 160 bytes, preallocated; a packet too far ahead
 *   drops the oldest frames (overflow). Nothing is allocated per packet.
 *
 * NOTE: payloads are taken as one 20 ms frame whatever their length (10 or 30 ms packetisation
 * is not supported yet): longer ones are truncated, shorter ones padded with silence.
 */
import { FRAME_SAMPLES, type G711Codec, SILENCE } from "../dsp/g711.js";

export interface JitterBufferOptions {
  /** Frames buffered before playout starts: the fixed delay (default 2, 40 ms). */
  depthFrames?: number;
  /** Slots in the ring: the most frames held, and how far ahead a packet may be (default 10). */
  maxFrames?: number;
  /** The law of the stream, for the silence that pads a short payload (default PCMU). */
  codec?: G711Codec;
}

export interface JitterBufferStats {
  /** Packets that arrived after their playout point (or duplicates of played ones). */
  late: number;
  /** Packets whose sequence number was already buffered. */
  duplicate: number;
  /** Frames never received when their turn came (or skipped over). */
  lost: number;
  /** Frames dropped to bound memory or delay. */
  overflow: number;
}

const IDLE = 0;
const BUFFERING = 1;
const PLAYING = 2;
/** Consecutive late packets that mean the sender restarted its sequence: resync on the last. */
const LATE_RESYNC = 3;
/** Takes (one second) over which the least occupancy is watched for excess delay. */
const LAG_WINDOW = 50;

/** RFC 3550 A.1: the distance from `b` to `a` as a signed 16-bit number. */
function seqDiff(a: number, b: number): number {
  return ((a - b) << 16) >> 16;
}

export class JitterBuffer {
  readonly stats: Readonly<JitterBufferStats>;
  private readonly counters: JitterBufferStats = { late: 0, duplicate: 0, lost: 0, overflow: 0 };
  private readonly depth: number;
  private readonly slotCount: number;
  private readonly mask: number;
  private readonly pad: number;
  private readonly slots: Uint8Array;
  /** The 16-bit sequence number held by each slot, -1 when empty. */
  private readonly slotSeq: Int32Array;
  /** Each slot as its own view, made once, so take() copies with one set() (a memcpy). */
  private readonly views: Uint8Array[];
  private readonly out = new Uint8Array(FRAME_SAMPLES);
  private state = IDLE;
  /** The sequence number due at the next take() (the playout point). */
  private nextSeq = 0;
  /** Before the first take() since a resync, a reordered earlier packet may move the start back. */
  private soft = true;
  private count = 0;
  private highest = 0;
  /** The last in-order packet: timestamps are checked against it. */
  private refSeq = 0;
  private refTs = 0;
  private refStep = FRAME_SAMPLES;
  private resyncSamples: number;
  private lateRun = 0;
  private lagTakes = 0;
  private lagMin = Number.POSITIVE_INFINITY;

  constructor(opts: JitterBufferOptions = {}) {
    const max = opts.maxFrames ?? 10;
    const depth = opts.depthFrames ?? 2;
    if (!Number.isInteger(max) || max < 2 || max > 1000) throw new RangeError("maxFrames: 2..1000");
    if (!Number.isInteger(depth) || depth < 1 || depth > max) {
      throw new RangeError("depthFrames: 1..maxFrames");
    }
    this.depth = depth;
    this.slotCount = max;
    this.pad = SILENCE[opts.codec ?? "PCMU"];
    // A power-of-two ring indexed by the low bits of the sequence number stays contiguous across
    // the 16-bit wrap (65535 and 0 are neighbours); the window itself stays maxFrames wide.
    let ring = 2;
    while (ring < max) ring *= 2;
    this.mask = ring - 1;
    this.slots = new Uint8Array(ring * FRAME_SAMPLES);
    this.slotSeq = new Int32Array(ring).fill(-1);
    this.views = [];
    for (let i = 0; i < ring; i++)
      this.views.push(this.slots.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
    // A timestamp further than the whole ring from where the sequence puts it is another stream.
    this.resyncSamples = max * FRAME_SAMPLES;
    this.stats = this.counters;
  }

  /** Frames waiting in the buffer. */
  get buffered(): number {
    return this.count;
  }

  /**
   * One received RTP packet (its header fields and where its payload lies). The payload is
   * copied: `payload` may be reused as soon as this returns. Never throws on packet content.
   */
  put(
    seq: number,
    timestamp: number,
    payload: Uint8Array,
    offset: number,
    length: number,
    marker: boolean,
  ): void {
    seq &= 0xffff;
    timestamp >>>= 0;
    const step = length > 0 ? length : FRAME_SAMPLES;
    if (this.state === IDLE) {
      this.resync(seq, timestamp, step);
    } else {
      const fromRef = seqDiff(seq, this.refSeq);
      const drift = (timestamp - this.refTs - fromRef * this.refStep) | 0;
      if (drift > this.resyncSamples || drift < -this.resyncSamples) {
        this.resync(seq, timestamp, step);
      } else if (marker && this.count === 0) {
        // RFC 3551 4.1: the marker opens a talkspurt; its delay is measured afresh.
        // NOTE: a marker while the previous talkspurt still plays out does not flush that tail.
        this.resync(seq, timestamp, step);
      }
    }
    let d = seqDiff(seq, this.nextSeq);
    if (d < 0) {
      if (this.soft && seqDiff(this.highest, seq) < this.slotCount) {
        // Reordered before playout began: the stream starts earlier than first thought.
        this.nextSeq = seq;
        d = 0;
      } else {
        this.counters.late++;
        if (++this.lateRun < LATE_RESYNC) return;
        this.resync(seq, timestamp, step);
        d = 0;
      }
    }
    this.lateRun = 0;
    if (d >= this.slotCount) {
      if (d >= 2 * this.slotCount) {
        // Nothing buffered would survive the jump: start over from this packet.
        this.resync(seq, timestamp, step);
      } else {
        this.dropOldest(d - this.slotCount + 1, false);
      }
    }
    const slot = seq & this.mask;
    if (this.slotSeq[slot] === seq) {
      this.counters.duplicate++;
      return;
    }
    this.store(slot, payload, offset, length);
    this.slotSeq[slot] = seq;
    this.count++;
    if (this.count === 1 || seqDiff(seq, this.highest) > 0) this.highest = seq;
    if (seqDiff(seq, this.refSeq) > 0) {
      this.refSeq = seq;
      this.refTs = timestamp;
      this.refStep = step;
    }
    if (this.state === BUFFERING && this.count >= this.depth) this.startPlayout();
  }

  /**
   * The next 20 ms frame (160 bytes) in playout order, or undefined for a gap: lost, late, not
   * yet buffered, or no stream. The returned bytes are valid until the next take().
   */
  take(): Uint8Array | undefined {
    if (this.state !== PLAYING) return undefined;
    if (this.count < this.lagMin) this.lagMin = this.count;
    if (++this.lagTakes >= LAG_WINDOW) {
      // Every take this second found more than the depth waiting: that excess is added delay.
      if (this.lagMin > this.depth) this.dropOldest(this.lagMin - this.depth, true);
      this.lagTakes = 0;
      this.lagMin = Number.POSITIVE_INFINITY;
    }
    if (this.count === 0) {
      // Underrun: wait for the depth again, from the same playout point.
      this.state = BUFFERING;
      return undefined;
    }
    this.soft = false;
    const slot = this.nextSeq & this.mask;
    this.nextSeq = (this.nextSeq + 1) & 0xffff;
    if (this.slotSeq[slot] !== ((this.nextSeq - 1) & 0xffff)) {
      this.counters.lost++;
      return undefined;
    }
    this.slotSeq[slot] = -1;
    this.count--;
    this.out.set(this.views[slot]);
    return this.out;
  }

  /** Forgets the stream (e.g. the caller saw its SSRC change); stats are kept. */
  reset(): void {
    this.slotSeq.fill(-1);
    this.count = 0;
    this.state = IDLE;
  }

  private resync(seq: number, timestamp: number, step: number): void {
    if (this.count > 0) {
      this.counters.overflow += this.count;
      this.slotSeq.fill(-1);
      this.count = 0;
    }
    this.state = BUFFERING;
    this.nextSeq = seq;
    this.highest = seq;
    this.soft = true;
    this.refSeq = seq;
    this.refTs = timestamp;
    this.refStep = step;
    this.lateRun = 0;
    this.lagTakes = 0;
    this.lagMin = Number.POSITIVE_INFINITY;
  }

  private startPlayout(): void {
    // Frames missing before the first one buffered will not come in time: skip them.
    while (this.slotSeq[this.nextSeq & this.mask] !== this.nextSeq) {
      if (!this.soft) this.counters.lost++;
      this.nextSeq = (this.nextSeq + 1) & 0xffff;
    }
    this.state = PLAYING;
  }

  /** Advances the playout point past `frames` slots (`present`: count only frames held). */
  private dropOldest(frames: number, present: boolean): void {
    while (frames > 0 && this.count > 0) {
      const slot = this.nextSeq & this.mask;
      if (this.slotSeq[slot] === this.nextSeq) {
        this.slotSeq[slot] = -1;
        this.count--;
        this.counters.overflow++;
        frames--;
      } else {
        this.counters.lost++;
        if (!present) frames--;
      }
      this.nextSeq = (this.nextSeq + 1) & 0xffff;
    }
    if (!present) {
      // The ring was emptied on the way: the new packet sets the playout point.
      while (frames-- > 0) this.nextSeq = (this.nextSeq + 1) & 0xffff;
    }
  }

  private store(slot: number, payload: Uint8Array, offset: number, length: number): void {
    const base = slot * FRAME_SAMPLES;
    const slots = this.slots;
    // Only bytes that are really there: never past the payload's end, none for a bad offset.
    let n = Math.min(length, FRAME_SAMPLES, payload.length - offset);
    if (!(n > 0 && offset >= 0)) n = 0;
    // A byte loop, not set(subarray()): a view per packet would be an allocation per packet.
    for (let i = 0; i < n; i++) slots[base + i] = payload[offset + i];
    const pad = this.pad;
    for (let i = n; i < FRAME_SAMPLES; i++) slots[base + i] = pad;
  }
}
