/**
 * The conference jitter buffer (src/media/mixer/jitter-buffer.ts), pure unit tests driven tick by
 * tick: ordering by RTP sequence number with 16-bit wrap (RFC 3550 A.1), the fixed playout delay,
 * duplicates, late and lost packets, resync on a marker bit (RFC 3551 4.1) or a timestamp jump,
 * bounded memory, excess delay flushed, and payloads that are not 160 bytes. Not covered here:
 * real network timing (see the media engine tests).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SILENCE } from "../../src/media/dsp/g711.js";
import { JitterBuffer } from "../../src/media/mixer/jitter-buffer.js";

/** A 160-byte frame whose bytes all carry `tag` (so a played frame says which packet it was). */
function frame(tag: number, length = 160): Uint8Array {
  return new Uint8Array(length).fill(tag & 0xff);
}

/** Puts packet `seq` of a regular 20 ms stream (timestamp 160 per packet from `ts0`). */
function put(
  jb: JitterBuffer,
  seq: number,
  opts: { ts0?: number; marker?: boolean; tag?: number } = {},
): void {
  const s = seq & 0xffff;
  const ts = ((opts.ts0 ?? 1000) + seq * 160) >>> 0;
  jb.put(s, ts, frame(opts.tag ?? s), 0, 160, opts.marker ?? false);
}

/** What take() yields: the tag of the frame, or null for a gap. */
function take(jb: JitterBuffer): number | null {
  const f = jb.take();
  if (f === undefined) return null;
  assert.equal(f.length, 160);
  return f[0];
}

describe("JitterBuffer", () => {
  it("take() with no stream yields a gap and counts nothing", () => {
    const jb = new JitterBuffer();
    assert.equal(jb.take(), undefined);
    assert.deepEqual({ ...jb.stats }, { late: 0, duplicate: 0, lost: 0, overflow: 0 });
  });

  it("starts playout once depthFrames frames are buffered, then plays one frame per take", () => {
    const jb = new JitterBuffer({ depthFrames: 3 });
    put(jb, 10);
    assert.equal(take(jb), null);
    put(jb, 11);
    assert.equal(take(jb), null);
    put(jb, 12);
    const played: Array<number | null> = [];
    for (let s = 13; s < 20; s++) {
      played.push(take(jb));
      put(jb, s);
    }
    assert.deepEqual(played, [10, 11, 12, 13, 14, 15, 16]);
    assert.equal(jb.buffered, 3);
  });

  it("orders reordered packets by sequence number", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 1);
    put(jb, 3);
    put(jb, 2);
    put(jb, 4);
    assert.deepEqual([take(jb), take(jb), take(jb), take(jb)], [1, 2, 3, 4]);
  });

  it("a reordered packet before the first one seen moves the start back until playout begins", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 5);
    put(jb, 4);
    assert.deepEqual([take(jb), take(jb)], [4, 5]);
    assert.equal(jb.stats.late, 0);
  });

  it("orders across the 16-bit sequence wrap", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    for (const s of [65534, 65536, 65535, 65537, 65538]) put(jb, s);
    assert.deepEqual([take(jb), take(jb), take(jb), take(jb), take(jb)], [254, 255, 0, 1, 2]);
    assert.deepEqual({ ...jb.stats }, { late: 0, duplicate: 0, lost: 0, overflow: 0 });
  });

  it("keeps a full ring intact across the wrap (65530..65535 and 0..3 do not share slots)", () => {
    const jb = new JitterBuffer({ depthFrames: 10, maxFrames: 10 });
    for (let s = 65530; s < 65540; s++) put(jb, s);
    const played: Array<number | null> = [];
    for (let i = 0; i < 10; i++) played.push(take(jb));
    assert.deepEqual(played, [250, 251, 252, 253, 254, 255, 0, 1, 2, 3]);
  });

  it("drops a duplicate and counts it", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 1);
    put(jb, 1, { tag: 99 });
    put(jb, 2);
    assert.deepEqual([take(jb), take(jb), take(jb)], [1, 2, null]);
    assert.equal(jb.stats.duplicate, 1);
  });

  it("drops a packet later than its playout point and counts it late", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 1);
    put(jb, 3);
    put(jb, 4);
    assert.equal(take(jb), 1);
    assert.equal(take(jb), null);
    put(jb, 2);
    assert.equal(take(jb), 3);
    assert.equal(jb.stats.late, 1);
    assert.equal(jb.stats.lost, 1);
  });

  it("a frame missing while later ones wait is a lost frame (a gap), then playout goes on", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    const played: Array<number | null> = [];
    put(jb, 0);
    put(jb, 1);
    for (let s = 2; s < 8; s++) {
      if (s !== 4) put(jb, s);
      played.push(take(jb));
    }
    assert.deepEqual(played, [0, 1, 2, 3, null, 5]);
    assert.equal(jb.stats.lost, 1);
  });

  it("an underrun (the stream pauses) waits for the depth again, from the same point", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 0);
    put(jb, 1);
    assert.deepEqual([take(jb), take(jb), take(jb), take(jb)], [0, 1, null, null]);
    put(jb, 2);
    assert.equal(take(jb), null);
    put(jb, 3);
    assert.deepEqual([take(jb), take(jb)], [2, 3]);
    assert.deepEqual({ ...jb.stats }, { late: 0, duplicate: 0, lost: 0, overflow: 0 });
  });

  it("RFC 3551 4.1: a marker bit after silence resynchronises on the new talkspurt", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 100);
    put(jb, 101);
    assert.deepEqual([take(jb), take(jb), take(jb)], [100, 101, null]);
    // A new talkspurt numbered from elsewhere (e.g. after a re-INVITE): played, not called late.
    put(jb, 20, { marker: true, ts0: 900_000 });
    assert.equal(take(jb), null);
    put(jb, 21, { ts0: 900_000 });
    assert.deepEqual([take(jb), take(jb)], [20, 21]);
    assert.equal(jb.stats.late, 0);
  });

  it("silence suppression without a marker: the next talkspurt (sequence goes on) plays, not late", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 0);
    put(jb, 1);
    assert.deepEqual([take(jb), take(jb), take(jb), take(jb), take(jb)], [0, 1, null, null, null]);
    // 100 ms of silence not sent: the timestamp jumps 800 samples, the sequence number by one.
    jb.put(2, 1000 + 2 * 160 + 800, frame(2), 0, 160, false);
    jb.put(3, 1000 + 3 * 160 + 800, frame(3), 0, 160, false);
    assert.deepEqual([take(jb), take(jb)], [2, 3]);
    assert.deepEqual({ ...jb.stats }, { late: 0, duplicate: 0, lost: 0, overflow: 0 });
  });

  it("a marker while the previous talkspurt still plays out keeps that tail", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 1);
    put(jb, 2);
    put(jb, 3, { marker: true });
    assert.deepEqual([take(jb), take(jb), take(jb)], [1, 2, 3]);
  });

  it("a timestamp jump without a marker (a new SSRC) flushes and restarts from that packet", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    put(jb, 1);
    put(jb, 2);
    put(jb, 3);
    put(jb, 40_000, { ts0: 123_456_789 });
    assert.equal(jb.stats.overflow, 3);
    assert.equal(take(jb), null);
    put(jb, 40_001, { ts0: 123_456_789 });
    assert.deepEqual([take(jb), take(jb)], [40_000 & 0xff, 40_001 & 0xff]);
  });

  it("consecutive late packets with a consistent timestamp (the sender restarted) resync", () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    for (let s = 500; s < 504; s++) put(jb, s);
    for (let i = 0; i < 4; i++) take(jb);
    put(jb, 400);
    put(jb, 401);
    assert.equal(jb.stats.late, 2);
    put(jb, 402);
    put(jb, 403);
    assert.deepEqual([take(jb), take(jb)], [402 & 0xff, 403 & 0xff]);
  });

  it("memory is bounded: a packet beyond maxFrames drops the oldest (overflow)", () => {
    const jb = new JitterBuffer({ depthFrames: 2, maxFrames: 10 });
    for (let s = 0; s < 15; s++) put(jb, s);
    assert.equal(jb.buffered, 10);
    assert.equal(jb.stats.overflow, 5);
    assert.equal(take(jb), 5);
  });

  it("a jump of twice the ring restarts from the new packet", () => {
    const jb = new JitterBuffer({ depthFrames: 1, maxFrames: 4 });
    put(jb, 0);
    put(jb, 1);
    put(jb, 50);
    assert.equal(jb.buffered, 1);
    assert.equal(take(jb), 50);
  });

  it("excess delay after a burst is flushed back to the depth within a second", () => {
    const jb = new JitterBuffer({ depthFrames: 2, maxFrames: 10 });
    // Six frames arrive at once (a stall released), then the stream runs regularly.
    for (let s = 0; s < 6; s++) put(jb, s);
    let s = 6;
    for (let tick = 0; tick < 60; tick++) {
      take(jb);
      put(jb, s++);
    }
    assert.equal(jb.buffered, 2);
    assert.equal(jb.stats.overflow, 4);
    assert.equal(jb.stats.lost, 0);
  });

  it("a short payload is padded with the codec's silence, a long one truncated, at any offset", () => {
    const jb = new JitterBuffer({ depthFrames: 1, codec: "PCMA" });
    const packet = new Uint8Array(12 + 80).fill(7, 12);
    jb.put(1, 160, packet, 12, 80, false);
    const short = jb.take();
    assert.ok(short, "the short frame plays");
    assert.equal(short[79], 7);
    assert.equal(short[80], SILENCE.PCMA);
    assert.equal(short[159], SILENCE.PCMA);
    jb.put(2, 320, frame(9, 240), 0, 240, false);
    const long = jb.take();
    assert.ok(long, "the long frame plays");
    assert.deepEqual([...new Set(long)], [9]);
  });

  it("a payload of no bytes or a length past its end does not throw", () => {
    const jb = new JitterBuffer({ depthFrames: 1 });
    jb.put(1, 160, new Uint8Array(0), 0, 0, false);
    assert.equal(jb.take()?.[0], SILENCE.PCMU);
    jb.put(2, 320, new Uint8Array(20).fill(3), 10, 500, false);
    const f = jb.take();
    assert.equal(f?.[9], 3);
    assert.equal(f?.[10], SILENCE.PCMU);
    jb.put(3, 480, new Uint8Array(20), 50, 160, false);
    assert.equal(jb.take()?.[0], SILENCE.PCMU);
  });

  it("reset() forgets the stream but keeps the stats", () => {
    const jb = new JitterBuffer({ depthFrames: 1 });
    put(jb, 1);
    put(jb, 1);
    jb.reset();
    assert.equal(jb.take(), undefined);
    put(jb, 9000, { ts0: 5 });
    assert.equal(take(jb), 9000 & 0xff);
    assert.equal(jb.stats.duplicate, 1);
  });

  it("rejects options outside their range", () => {
    assert.throws(() => new JitterBuffer({ depthFrames: 0 }), RangeError);
    assert.throws(() => new JitterBuffer({ depthFrames: 11, maxFrames: 10 }), RangeError);
    assert.throws(() => new JitterBuffer({ maxFrames: 1 }), RangeError);
  });
});
