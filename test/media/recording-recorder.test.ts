/**
 * Covers issue 17, call recording in the media worker (src/media/recorder*.ts): two parties' G.711
 * RTP mixed per 20 ms tick into one 8 kHz 16-bit WAV (or two channels), placed by RTP timestamp so
 * lost, late and reordered packets and silence suppression keep the file's length the call's;
 * a failing disk stops the recording, not its caller; the worker core hears relay sides and
 * finishes a recorder whose session is gone. Not covered here: the relay and the call (e2e).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { encode } from "../../src/media/dsp/g711.js";
import { CallRecorder } from "../../src/media/recorder.js";
import { RecorderStream } from "../../src/media/recorder-stream.js";
import { RecorderWorkerCore } from "../../src/media/recorder-worker-core.js";
import type { RelaySide } from "../../src/media/relay-session.js";
import { wavSamples } from "../helpers/audio-measure.js";
import { toneShare } from "../helpers/rtp-peer.js";

const dir = mkdtempSync(join(tmpdir(), "parley-recorder-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A 20 ms PCMU (pt 0) or PCMA (pt 8) packet of a tone, frame `n` of a stream. */
function packet(freq: number, n: number, pt = 0, ssrc = 0x1234, tsBase = 1000): Buffer {
  const pcm = new Int16Array(160);
  for (let i = 0; i < 160; i++)
    pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * freq * (n * 160 + i)) / 8000));
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = pt;
  header.writeUInt16BE(n & 0xffff, 2);
  header.writeUInt32BE((tsBase + n * 160) >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, Buffer.from(encode(pt === 8 ? "PCMA" : "PCMU", pcm))]);
}

/** A recorder on a virtual clock. */
function recorder(name: string, channels: 1 | 2 = 1) {
  let t = 0;
  const failures: string[] = [];
  const r = new CallRecorder({
    path: join(dir, name),
    channels,
    now: () => t,
    failed: (e) => failures.push(e),
  });
  return { r, advance: (ms: number) => (t += ms), failures };
}

describe("CallRecorder", () => {
  it("mixes two streams with lost packets and a silent stretch into a WAV of the call's length holding both tones", async () => {
    const { r, advance } = recorder("mix.wav");
    assert.equal(await r.open(), true);
    // 3 s: the caller (440 Hz) sends throughout but loses every 7th packet; the callee (1000 Hz)
    // sends from 1 s on, with silence suppression (nothing sent) from 2.0 to 2.4 s.
    for (let n = 0; n < 150; n++) {
      if (n % 7 !== 3) r.packet("a", packet(440, n, 0, 0xaaaa));
      if (n >= 50 && (n < 100 || n >= 120)) r.packet("b", packet(1000, n - 50, 8, 0xbbbb, 77));
      advance(20);
      r.tick();
    }
    const result = await r.stop();
    assert.equal(result.error, undefined);
    assert.ok(Math.abs(result.durationMs - 3000) <= 20, `duration ${result.durationMs}`);
    const pcm = wavSamples(result.path);
    assert.ok(Math.abs(pcm.length - 24_000) <= 160, `samples ${pcm.length}`);
    assert.equal(result.bytes, readFileSync(result.path).length);
    const first = pcm.subarray(800, 7200);
    const both = pcm.subarray(9600, 15_200);
    assert.ok(toneShare(first, 440) > 0.6, `440 alone ${toneShare(first, 440)}`);
    assert.ok(toneShare(first, 1000) < 0.05);
    assert.ok(toneShare(both, 440) > 0.25, `440 in the mix ${toneShare(both, 440)}`);
    assert.ok(toneShare(both, 1000) > 0.25, `1000 in the mix ${toneShare(both, 1000)}`);
  });

  it("places reordered and late-but-in-time packets by timestamp", async () => {
    const { r, advance } = recorder("reorder.wav");
    await r.open();
    for (let n = 0; n < 50; n += 2) {
      // Pairs arrive swapped, 20 ms late: within the playout delay.
      advance(40);
      r.packet("a", packet(440, n + 1));
      r.packet("a", packet(440, n));
      r.tick();
    }
    const result = await r.stop();
    const pcm = wavSamples(result.path);
    assert.ok(Math.abs(pcm.length - 8000) <= 160, `samples ${pcm.length}`);
    assert.ok(toneShare(pcm.subarray(800, 7200), 440) > 0.8, "a clean tone, no holes");
  });

  it("with two channels puts the caller left and the callee right", async () => {
    const { r, advance } = recorder("stereo.wav", 2);
    await r.open();
    for (let n = 0; n < 50; n++) {
      r.packet("a", packet(440, n));
      r.packet("b", packet(1000, n, 0, 0x99));
      advance(20);
      r.tick();
    }
    const result = await r.stop();
    const bytes = readFileSync(result.path);
    assert.equal(bytes.readUInt16LE(22), 2);
    const frames = (bytes.length - 44) / 4;
    const left = new Int16Array(frames);
    const right = new Int16Array(frames);
    for (let i = 0; i < frames; i++) {
      left[i] = bytes.readInt16LE(44 + 4 * i);
      right[i] = bytes.readInt16LE(46 + 4 * i);
    }
    assert.ok(toneShare(left.subarray(800), 440) > 0.8);
    assert.ok(toneShare(right.subarray(800), 1000) > 0.8);
    assert.ok(Math.abs(result.durationMs - 1000) <= 20);
  });

  it("a file that cannot be created does not open, and says why", async () => {
    const r = new CallRecorder({
      path: join(dir, "no-such-dir", "x.wav"),
      channels: 1,
      now: () => 0,
      failed: () => {},
    });
    assert.equal(await r.open(), false);
    assert.match(r.result().error ?? "", /ENOENT/);
  });
});

describe("a full disk (/dev/full: every write fails with ENOSPC)", {
  skip: !existsSync("/dev/full") && "no /dev/full",
}, () => {
  it("CallRecorder: the recording stops with the error, reported once", async () => {
    const failures: string[] = [];
    const r = new CallRecorder({
      path: "/dev/full",
      channels: 1,
      now: () => 0,
      failed: (e) => failures.push(e),
    });
    assert.equal(await r.open(), false);
    assert.equal(r.active, false);
    assert.match(r.result().error ?? "", /ENOSPC/);
    assert.equal(failures.length, 1);
    r.packet("a", packet(440, 0));
    r.tick();
    assert.match((await r.stop()).error ?? "", /ENOSPC/);
  });

  it("RecorderWorkerCore: the start answers why, and warns; the relay sides are left alone", async () => {
    const sides: Record<string, Partial<RelaySide>> = { a: {}, b: {} };
    const warnings: string[] = [];
    const core = new RecorderWorkerCore({
      relaySide: (_s, side) => sides[side] as RelaySide,
      warn: (_r, m) => warnings.push(m),
    });
    const reply = await core.handle({
      type: "recorder.start",
      id: 1,
      recorder: "r",
      session: "s",
      path: "/dev/full",
      channels: 2,
    });
    assert.ok(reply.ok && reply.recording?.error?.startsWith("ENOSPC"), JSON.stringify(reply));
    assert.equal(sides.a.recording, undefined);
    assert.equal(core.size, 0);
    assert.match(warnings.join(), /recording stopped, the call goes on: ENOSPC/);
  });
});

describe("RecorderStream", () => {
  it("re-anchors a stream whose packets keep landing before what was written (a restarted sender)", () => {
    const s = new RecorderStream(480);
    s.push(packet(440, 0, 0, 1, 100_000), 0, 0);
    for (let i = 0; i < 3; i++) s.push(packet(440, i, 0, 1, 0), 8000 + i * 160, 8000);
    assert.equal(s.dropped, 2);
    assert.equal(s.placed, 2);
  });
});

describe("RecorderWorkerCore", () => {
  it("records both relay sides and finishes when the session is gone", async () => {
    let t = 0;
    const sides: Record<string, Partial<RelaySide>> = { a: {}, b: {} };
    let present = true;
    const warnings: string[] = [];
    const core = new RecorderWorkerCore({
      relaySide: (_s, side) => (present ? (sides[side] as RelaySide) : undefined),
      warn: (_r, m) => warnings.push(m),
      now: () => t,
    });
    const path = join(dir, "core.wav");
    const started = await core.handle({
      type: "recorder.start",
      id: 1,
      recorder: "r1",
      session: "s",
      path,
      channels: 1,
    });
    assert.equal(started.ok, true);
    assert.equal(core.size, 1);
    for (let n = 0; n < 25; n++) {
      sides.a.recording?.(packet(440, n));
      sides.b.recording?.(packet(1000, n, 0, 7));
      t += 20;
      core.tick();
    }
    present = false;
    core.tick();
    assert.equal(core.size, 0);
    assert.equal(sides.a.recording, undefined, "the side no longer copies to the recorder");
    const stopped = await core.handle({ type: "recorder.stop", id: 2, recorder: "r1" });
    assert.ok(stopped.ok && stopped.recording !== undefined);
    assert.ok(Math.abs(stopped.recording.durationMs - 500) <= 20);
    assert.deepEqual(warnings, []);
    core.close();
  });

  it("refuses a recorder for an unknown session", async () => {
    const core = new RecorderWorkerCore({ relaySide: () => undefined, warn: () => {} });
    const reply = await core.handle({
      type: "recorder.start",
      id: 1,
      recorder: "x",
      session: "none",
      path: join(dir, "none.wav"),
      channels: 1,
    });
    assert.equal(reply.ok, false);
  });
});
