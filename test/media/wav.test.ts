/**
 * Covers src/media/audio/wav.ts (issue 14, "WAV import"): each accepted format (16-bit PCM,
 * G.711 mu-law and A-law; 8 or 16 kHz; mono or stereo; plain or extensible fmt) decodes to 8 kHz
 * with its tone and duration kept; 16 -> 8 kHz filters out what would alias; every refused format
 * gets an error naming it; garbage, truncated and crafted files give errors, never throws or hangs.
 * Files come from wavefile and hand-built headers, and from sox when it is installed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import wavefile from "wavefile";
import { importAudio, inspectWav, readWav, writeParleyWav } from "../../src/media/audio/wav.js";
import { encode } from "../../src/media/dsp/g711.js";
import { missingTool } from "../helpers/run-tool.js";

const { WaveFile } = wavefile;

function tone(freqs: number[], rate: number, seconds: number, amp = 8000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) {
    let v = 0;
    for (const f of freqs) v += amp * Math.sin((2 * Math.PI * f * i) / rate);
    out[i] = Math.round(v);
  }
  return out;
}

/** Amplitude of the component at `freq` (Goertzel over the middle of the clip, off the edges). */
function amplitude(pcm: Int16Array, freq: number, rate = 8000): number {
  const from = Math.floor(pcm.length / 4);
  const n = Math.floor(pcm.length / 2);
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * freq * i) / rate;
    re += pcm[from + i] * Math.cos(a);
    im += pcm[from + i] * Math.sin(a);
  }
  return (2 * Math.hypot(re, im)) / n;
}

function interleave(left: Int16Array, right: Int16Array): Int16Array {
  const out = new Int16Array(left.length * 2);
  for (let i = 0; i < left.length; i++) [out[2 * i], out[2 * i + 1]] = [left[i], right[i]];
  return out;
}

function fromScratch(channels: number, rate: number, depth: string, samples: ArrayLike<number>): Uint8Array {
  const wav = new WaveFile();
  wav.fromScratch(channels, rate, depth, samples);
  return wav.toBuffer();
}

/** A header written by hand: for formats wavefile will not write, and crafted chunks. */
function handMade(o: {
  tag: number;
  channels?: number;
  rate?: number;
  bits?: number;
  data?: Uint8Array;
  extensibleTag?: number;
  before?: Uint8Array;
}): Uint8Array {
  const fmtSize = o.extensibleTag === undefined ? 16 : 40;
  const data = o.data ?? new Uint8Array(0);
  const before = o.before ?? new Uint8Array(0);
  const b = Buffer.alloc(12 + before.length + 8 + fmtSize + 8 + data.length);
  const channels = o.channels ?? 1;
  const rate = o.rate ?? 8000;
  const bits = o.bits ?? 16;
  b.write("RIFF", 0);
  b.writeUInt32LE(b.length - 8, 4);
  b.write("WAVE", 8);
  b.set(before, 12);
  let at = 12 + before.length;
  b.write("fmt ", at);
  b.writeUInt32LE(fmtSize, at + 4);
  b.writeUInt16LE(o.extensibleTag === undefined ? o.tag : 0xfffe, at + 8);
  b.writeUInt16LE(channels, at + 10);
  b.writeUInt32LE(rate, at + 12);
  b.writeUInt32LE((rate * channels * bits) / 8, at + 16);
  b.writeUInt16LE((channels * bits) / 8, at + 20);
  b.writeUInt16LE(bits, at + 22);
  if (o.extensibleTag !== undefined) {
    b.writeUInt16LE(22, at + 24); // cbSize
    b.writeUInt16LE(bits, at + 26);
    b.writeUInt16LE(o.extensibleTag, at + 32); // SubFormat GUID, first two bytes
  }
  at += 8 + fmtSize;
  b.write("data", at);
  b.writeUInt32LE(data.length, at + 4);
  b.set(data, at + 8);
  return new Uint8Array(b);
}

const pcmBytes = (pcm: Int16Array) => new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);

function assertTone(bytes: Uint8Array, durationMs: number, freq = 1000, amp = 8000): Int16Array {
  const read = readWav(bytes);
  assert.ok(read.ok, read.ok ? "" : read.error);
  assert.equal(read.durationMs, durationMs);
  assert.equal(read.pcm.length, durationMs * 8);
  const a = amplitude(read.pcm, freq);
  assert.ok(Math.abs(a - amp) / amp < 0.05, `${freq} Hz amplitude ${a}, expected ~${amp}`);
  for (const other of [500, 2000, 3000])
    assert.ok(amplitude(read.pcm, other) < amp * 0.02, `stray energy at ${other} Hz`);
  return read.pcm;
}

describe("readWav() on accepted formats", () => {
  it("reads 8 kHz 16-bit PCM mono as it is", () => {
    const pcm = tone([1000], 8000, 1);
    const read = readWav(fromScratch(1, 8000, "16", pcm));
    assert.ok(read.ok);
    assert.deepEqual(read.pcm, pcm);
    assert.equal(read.durationMs, 1000);
  });
  it("resamples 16 kHz PCM to 8 kHz keeping a 1 kHz tone", () => {
    assertTone(fromScratch(1, 16000, "16", tone([1000], 16000, 2)), 2000);
  });
  it("removes a 6 kHz tone from 16 kHz PCM instead of folding it to 2 kHz", () => {
    const read = readWav(fromScratch(1, 16000, "16", tone([1000, 6000], 16000, 1)));
    assert.ok(read.ok);
    assert.ok(Math.abs(amplitude(read.pcm, 1000) - 8000) < 400);
    assert.ok(amplitude(read.pcm, 2000) < 8, `alias at 2 kHz: ${amplitude(read.pcm, 2000)}`);
  });
  it("downmixes stereo to the mean of both channels", () => {
    const left = tone([1000], 16000, 1, 12000);
    const right = tone([1000], 16000, 1, 4000);
    assertTone(fromScratch(2, 16000, "16", interleave(left, right)), 1000);
  });
  it("decodes 8 kHz G.711 mu-law (format tag 7)", () => {
    assertTone(fromScratch(1, 8000, "8m", encode("PCMU", tone([1000], 8000, 1.5))), 1500);
  });
  it("decodes 8 kHz G.711 A-law (format tag 6), stereo", () => {
    const alaw = encode("PCMA", interleave(tone([1000], 8000, 1), tone([1000], 8000, 1)));
    assertTone(handMade({ tag: 6, channels: 2, bits: 8, data: alaw }), 1000);
  });
  it("reads WAVE_FORMAT_EXTENSIBLE 16-bit PCM by its subformat", () => {
    assertTone(
      handMade({ tag: 1, extensibleTag: 1, rate: 16000, data: pcmBytes(tone([1000], 16000, 1)) }),
      1000,
    );
  });
  it("skips chunks it does not know, including a 'cue ' chunk claiming 2^32 points", () => {
    const cue = Buffer.alloc(12);
    cue.write("cue ", 0);
    cue.writeUInt32LE(4, 4);
    cue.writeUInt32LE(0xffffffff, 8);
    assertTone(handMade({ tag: 1, data: pcmBytes(tone([1000], 8000, 1)), before: cue }), 1000);
  });
  it("plays what a truncated data chunk holds", () => {
    const whole = fromScratch(1, 8000, "16", tone([1000], 8000, 1));
    assertTone(whole.subarray(0, whole.length - 8000), 500);
  });
});

describe("writeParleyWav() and importAudio()", () => {
  it("writes 8 kHz mono mu-law (format tag 7) that reads back", () => {
    const wav = writeParleyWav(tone([1000], 8000, 1));
    const info = inspectWav(wav);
    assert.ok(info.ok);
    assert.deepEqual([info.formatTag, info.channels, info.sampleRate, info.bitsPerSample], [7, 1, 8000, 8]);
    assert.equal(wav.length, info.dataOffset + 8000);
    assertTone(wav, 1000);
  });
  it("converts each accepted format to Parley's", () => {
    const inputs = [
      fromScratch(2, 16000, "16", interleave(tone([1000], 16000, 1), tone([1000], 16000, 1))),
      fromScratch(1, 8000, "8a", encode("PCMA", tone([1000], 8000, 1))),
    ];
    for (const input of inputs) {
      const out = importAudio(input);
      assert.ok(out.ok, out.ok ? "" : out.error);
      assert.equal(out.durationMs, 1000);
      const info = inspectWav(out.wav);
      assert.ok(info.ok && info.formatTag === 7 && info.sampleRate === 8000 && info.channels === 1);
      assertTone(out.wav, 1000);
    }
  });
  it("passes a refusal through", () => {
    assert.deepEqual(importAudio(new Uint8Array(3)), {
      ok: false,
      error: "not a WAV file (no RIFF/WAVE header)",
    });
  });
});

describe("readWav() on refused files", () => {
  const refusals: Array<[string, () => Uint8Array, string]> = [
    ["random bytes", () => new Uint8Array(400).fill(0x5a), "not a WAV file (no RIFF/WAVE header)"],
    [
      "an MP3",
      () => new TextEncoder().encode("ID3\u0004\u0000 not a wav at all"),
      "not a WAV file (no RIFF/WAVE header)",
    ],
    [
      "44.1 kHz",
      () => fromScratch(1, 44100, "16", tone([1000], 44100, 0.1)),
      "unsupported WAV: 44100 Hz; Parley takes 8000 or 16000 Hz",
    ],
    [
      "MP3 in WAV",
      () => handMade({ tag: 85, data: new Uint8Array(100) }),
      "unsupported WAV encoding: format tag 85 (MPEG Layer 3); Parley takes PCM 16-bit, G.711 mu-law or A-law",
    ],
    [
      "float",
      () => fromScratch(1, 8000, "32f", [0.1, 0.2]),
      "unsupported WAV encoding: format tag 3 (IEEE float); Parley takes PCM 16-bit, G.711 mu-law or A-law",
    ],
    [
      "extensible float",
      () => handMade({ tag: 1, extensibleTag: 3, bits: 32, data: new Uint8Array(8) }),
      "unsupported WAV encoding: format tag 3 (IEEE float); Parley takes PCM 16-bit, G.711 mu-law or A-law",
    ],
    [
      "24-bit",
      () => fromScratch(1, 8000, "24", [1, 2, 3]),
      "unsupported WAV: 24-bit samples; Parley takes 16-bit PCM",
    ],
    [
      "8-bit PCM",
      () => fromScratch(1, 8000, "8", [1, 2, 3]),
      "unsupported WAV: 8-bit samples; Parley takes 16-bit PCM",
    ],
    [
      "six channels",
      () => handMade({ tag: 1, channels: 6, data: new Uint8Array(12) }),
      "unsupported WAV: 6 channels; Parley takes mono or stereo",
    ],
    ["an empty data chunk", () => handMade({ tag: 1 }), "WAV has no audio data"],
    ["no data chunk", () => handMade({ tag: 1 }).subarray(0, 36), "WAV has no audio data"],
    ["a cut fmt chunk", () => handMade({ tag: 1 }).subarray(0, 30), "WAV fmt chunk is truncated"],
    [
      "big-endian RIFX",
      () => {
        const b = handMade({ tag: 1, data: new Uint8Array(4) });
        b.set([0x52, 0x49, 0x46, 0x58]);
        return b;
      },
      "unsupported WAV: big-endian (RIFX)",
    ],
    [
      "over 50 MB",
      () => {
        const b = new Uint8Array(50 * 1024 * 1024 + 1);
        b.set(handMade({ tag: 1 }));
        return b;
      },
      "file too large (max 50 MB)",
    ],
  ];
  for (const [what, make, error] of refusals)
    it(`refuses ${what}: "${error}"`, () => assert.deepEqual(readWav(make()), { ok: false, error }));

  it("never throws on truncations of a valid file", () => {
    const whole = fromScratch(1, 16000, "16", tone([1000], 16000, 0.02));
    for (let n = 0; n <= whole.length; n++) {
      const r = readWav(whole.subarray(0, n));
      assert.ok(r.ok || typeof r.error === "string");
    }
  });
  it("never throws or hangs on random bytes behind a RIFF/WAVE header", () => {
    let seed = 1;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    const valid = handMade({ tag: 1, data: new Uint8Array(64) });
    for (let round = 0; round < 3000; round++) {
      const b = Uint8Array.from(valid);
      // Mutate a few bytes of the header (sizes, tags, counts), or all of the body.
      if (round % 2) for (let k = 0; k < 4; k++) b[12 + (rand() % 40)] = rand();
      else for (let k = 12; k < b.length; k++) b[k] = rand();
      const r = readWav(b);
      assert.ok(r.ok || typeof r.error === "string");
    }
  });
});

describe("readWav() on files made by sox", { skip: missingTool("sox") }, () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-wav-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const sox = (name: string, ...args: string[]) => {
    const file = join(dir, name);
    execFileSync("sox", ["-D", "-R", "-n", ...args, file, "synth", "1", "sine", "1000", "vol", "0.25"]);
    return new Uint8Array(readFileSync(file));
  };
  it("takes 16 kHz stereo 16-bit PCM", () => {
    assertTone(sox("a.wav", "-r", "16000", "-c", "2", "-b", "16"), 1000, 1000, 8192);
  });
  it("takes 8 kHz mu-law and A-law", () => {
    assertTone(sox("u.wav", "-r", "8000", "-c", "1", "-e", "u-law"), 1000, 1000, 8192);
    assertTone(sox("a.wav", "-r", "8000", "-c", "1", "-e", "a-law"), 1000, 1000, 8192);
  });
  it("refuses 44.1 kHz and 24-bit", () => {
    assert.deepEqual(readWav(sox("cd.wav", "-r", "44100", "-c", "2", "-b", "16")), {
      ok: false,
      error: "unsupported WAV: 44100 Hz; Parley takes 8000 or 16000 Hz",
    });
    const r = readWav(sox("hi.wav", "-r", "8000", "-c", "1", "-b", "24"));
    assert.ok(!r.ok && r.error.startsWith("unsupported WAV: 24-bit samples"));
  });
});
