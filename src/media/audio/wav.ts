/**
 * WAV in and out of Parley's prompt format: 8 kHz mono G.711 mu-law (format tag 7).
 *
 * readWav() takes what an administrator is likely to upload: 16-bit PCM, G.711 mu-law or A-law
 * (tags 1, 7, 6, plain or WAVE_FORMAT_EXTENSIBLE), at 8 or 16 kHz, mono or stereo. Anything else
 * is refused with an error naming what the file is. The RIFF chunks are walked here rather than
 * by wavefile: its reader loops on counts read from the file (a 'cue ' chunk claiming 2^32
 * points hangs it), and an upload is untrusted input that must never throw or hang. Each step of
 * the walk moves forward by at least a chunk header, so any header ends the loop.
 * Writing goes through wavefile (fmt with cbSize, and the 'fact' chunk that non-PCM WAVs need).
 */
import wavefile from "wavefile";
import { decodeInto, encode, type G711Codec } from "../dsp/g711.js";

const { WaveFile } = wavefile;

/** The largest upload taken (about 26 minutes of 16 kHz stereo). */
export const MAX_WAV_BYTES = 50 * 1024 * 1024;

/** The sample rate of everything Parley plays. */
export const PARLEY_RATE = 8000;

const TAG_PCM = 1;
const TAG_ALAW = 6;
const TAG_MULAW = 7;
const TAG_EXTENSIBLE = 0xfffe;

/** Names of the format tags one meets in the wild (Microsoft's mmreg.h), for the refusal. */
const TAG_NAMES: Readonly<Record<number, string>> = {
  2: "Microsoft ADPCM",
  3: "IEEE float",
  17: "IMA ADPCM",
  34: "DSP Group TrueSpeech",
  49: "GSM 6.10",
  64: "G.721 ADPCM",
  80: "MPEG",
  85: "MPEG Layer 3",
  100: "G.726 ADPCM",
  101: "G.722 ADPCM",
  255: "AAC",
  5648: "HE-AAC",
  61868: "FLAC",
};

export interface WavInfo {
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  /** Where the sample bytes start and how many of them the file really holds. */
  readonly dataOffset: number;
  readonly dataBytes: number;
  readonly durationMs: number;
}

export type WavResult<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: string };

/**
 * Reads and checks a WAV's header without decoding it. `fileSize`: the size of the whole file
 * when `bytes` holds only its beginning (to read a duration from the first kilobytes).
 */
export function inspectWav(bytes: Uint8Array, fileSize = bytes.length): WavResult<WavInfo> {
  if (fileSize > MAX_WAV_BYTES) return { ok: false, error: "file too large (max 50 MB)" };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.length < 12 || id(8) !== "WAVE" || (id(0) !== "RIFF" && id(0) !== "RIFX"))
    return { ok: false, error: "not a WAV file (no RIFF/WAVE header)" };
  if (id(0) === "RIFX") return { ok: false, error: "unsupported WAV: big-endian (RIFX)" };
  let fmtAt = -1;
  let fmtSize = 0;
  let dataAt = -1;
  let dataSize = 0;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const chunk = id(at);
    const size = view.getUint32(at + 4, true);
    if (chunk === "fmt " && fmtAt < 0) [fmtAt, fmtSize] = [at + 8, size];
    else if (chunk === "data" && dataAt < 0) [dataAt, dataSize] = [at + 8, size];
    if (fmtAt >= 0 && dataAt >= 0) break;
    at += 8 + size + (size & 1); // RIFF chunks are padded to an even length
  }
  if (fmtAt < 0) return { ok: false, error: "not a WAV file (no fmt chunk)" };
  if (fmtSize < 16 || fmtAt + 16 > bytes.length) return { ok: false, error: "WAV fmt chunk is truncated" };
  let formatTag = view.getUint16(fmtAt, true);
  const channels = view.getUint16(fmtAt + 2, true);
  const sampleRate = view.getUint32(fmtAt + 4, true);
  const bitsPerSample = view.getUint16(fmtAt + 14, true);
  // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of the SubFormat GUID (at 24).
  if (formatTag === TAG_EXTENSIBLE && fmtSize >= 40 && fmtAt + 26 <= bytes.length)
    formatTag = view.getUint16(fmtAt + 24, true);
  if (formatTag !== TAG_PCM && formatTag !== TAG_ALAW && formatTag !== TAG_MULAW) {
    const name =
      TAG_NAMES[formatTag] ?? (formatTag === TAG_EXTENSIBLE ? "extensible, no subformat" : "unknown");
    return {
      ok: false,
      error: `unsupported WAV encoding: format tag ${formatTag} (${name}); Parley takes PCM 16-bit, G.711 mu-law or A-law`,
    };
  }
  const wantBits = formatTag === TAG_PCM ? 16 : 8;
  if (bitsPerSample !== wantBits)
    return {
      ok: false,
      error: `unsupported WAV: ${bitsPerSample}-bit samples${formatTag === TAG_PCM ? "; Parley takes 16-bit PCM" : " for G.711 (must be 8)"}`,
    };
  if (sampleRate !== 8000 && sampleRate !== 16000)
    return { ok: false, error: `unsupported WAV: ${sampleRate} Hz; Parley takes 8000 or 16000 Hz` };
  if (channels !== 1 && channels !== 2)
    return { ok: false, error: `unsupported WAV: ${channels} channels; Parley takes mono or stereo` };
  const frame = channels * (wantBits / 8);
  // A data size past the end is a truncated file, or 0xFFFFFFFF from a writer that streamed:
  // the samples actually there are what plays.
  const available = dataAt < 0 ? 0 : Math.min(dataSize, fileSize - dataAt);
  const dataBytes = available - (available % frame);
  if (dataBytes <= 0) return { ok: false, error: "WAV has no audio data" };
  const durationMs = Math.round(((dataBytes / frame) * 1000) / sampleRate);
  return {
    ok: true,
    formatTag,
    channels,
    sampleRate,
    bitsPerSample,
    dataOffset: dataAt,
    dataBytes,
    durationMs,
  };
}

/** Decodes a WAV to 8 kHz mono 16-bit samples (see the file comment for what it takes). */
export function readWav(bytes: Uint8Array): WavResult<{ pcm: Int16Array; durationMs: number }> {
  try {
    const info = inspectWav(bytes);
    if (!info.ok) return info;
    const mono = decodeMono(bytes, info);
    const pcm = info.sampleRate === PARLEY_RATE ? mono : halveRate(mono);
    return { ok: true, pcm, durationMs: Math.round(pcm.length / (PARLEY_RATE / 1000)) };
  } catch (error) {
    // Nothing above should throw; a bug must still not take the upload path down.
    return { ok: false, error: `unreadable WAV: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The samples of one channel, or the mean of two. */
function decodeMono(bytes: Uint8Array, info: WavInfo): Int16Array {
  const { channels, dataOffset, dataBytes } = info;
  if (info.formatTag === TAG_PCM) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, dataBytes);
    const out = new Int16Array(dataBytes / 2 / channels);
    if (channels === 1) for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
    else
      for (let i = 0; i < out.length; i++)
        out[i] = (view.getInt16(i * 4, true) + view.getInt16(i * 4 + 2, true)) >> 1;
    return out;
  }
  const codec: G711Codec = info.formatTag === TAG_MULAW ? "PCMU" : "PCMA";
  const all = new Int16Array(dataBytes);
  decodeInto(codec, bytes, dataOffset, dataBytes, all);
  if (channels === 1) return all;
  const out = new Int16Array(dataBytes / 2);
  for (let i = 0; i < out.length; i++) out[i] = (all[i * 2] + all[i * 2 + 1]) >> 1;
  return out;
}

/**
 * The low-pass filter for 16 -> 8 kHz: a 63-tap windowed sinc (Blackman window) cut at 3.7 kHz.
 * Flat to 3 kHz, -1 dB at 3.4 kHz (the top of the telephone band), -20 dB at 4 kHz and below
 * -78 dB from 4.5 kHz: what lies above the new Nyquist frequency (4 kHz) would fold back as an
 * alias, and only 4-4.5 kHz is let through part-way, folding to 3.5-4 kHz, above the band.
 */
const TAPS = 63;
const FIR = (() => {
  const h = new Float64Array(TAPS);
  const fc = 3700 / 16000; // cutoff as a fraction of the input rate
  const mid = (TAPS - 1) / 2;
  let sum = 0;
  for (let k = 0; k < TAPS; k++) {
    const x = k - mid;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    const w =
      0.42 - 0.5 * Math.cos((2 * Math.PI * k) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * k) / (TAPS - 1));
    h[k] = sinc * w;
    sum += h[k];
  }
  for (let k = 0; k < TAPS; k++) h[k] /= sum; // unity gain at DC
  return h;
})();

/** Filters and keeps every second sample (only the kept outputs are computed). */
function halveRate(input: Int16Array): Int16Array {
  const out = new Int16Array(input.length >> 1);
  const mid = (TAPS - 1) / 2;
  for (let i = 0; i < out.length; i++) {
    const centre = i * 2;
    let acc = 0;
    for (let k = 0; k < TAPS; k++) {
      const j = centre + mid - k;
      if (j >= 0 && j < input.length) acc += FIR[k] * input[j];
    }
    out[i] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
  }
  return out;
}

/** 8 kHz mono samples as a Parley prompt file: G.711 mu-law WAV. */
export function writeParleyWav(pcm: Int16Array): Uint8Array {
  const wav = new WaveFile();
  wav.fromScratch(1, PARLEY_RATE, "8m", encode("PCMU", pcm));
  return wav.toBuffer();
}

/** An upload turned into Parley's format, or the reason it cannot be. */
export function importAudio(bytes: Uint8Array): WavResult<{ wav: Uint8Array; durationMs: number }> {
  const read = readWav(bytes);
  if (!read.ok) return read;
  try {
    return { ok: true, wav: writeParleyWav(read.pcm), durationMs: read.durationMs };
  } catch (error) {
    return {
      ok: false,
      error: `could not convert: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
