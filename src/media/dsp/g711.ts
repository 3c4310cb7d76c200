/**
 * G.711 (ITU-T G.711: PCMU = mu-law, RTP payload type 0; PCMA = A-law, payload type 8; RFC 3551
 * 4.5.14) as lookup tables built once from alawmulaw, so the per-sample cost on the media path is
 * one array read: decoding indexes 256 entries, encoding indexes 65,536 (the 16-bit sample as
 * unsigned). 160 samples are one 20 ms frame at 8 kHz.
 */
import alawmulaw from "alawmulaw";

const { alaw, mulaw } = alawmulaw;

export type G711Codec = "PCMU" | "PCMA";

/** RFC 3551 table 4: the static payload types of G.711. */
export const PAYLOAD_TYPE: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

/** Samples in one 20 ms frame at 8 kHz. */
export const FRAME_SAMPLES = 160;

function decodeTable(decode: (sample: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decode(i);
  return table;
}

function encodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i >= 32768 ? i - 65536 : i);
  return table;
}

const DECODE: Readonly<Record<G711Codec, Int16Array>> = {
  PCMU: decodeTable(mulaw.decodeSample),
  PCMA: decodeTable(alaw.decodeSample),
};
const ENCODE: Readonly<Record<G711Codec, Uint8Array>> = {
  PCMU: encodeTable(mulaw.encodeSample),
  PCMA: encodeTable(alaw.encodeSample),
};

/** The G.711 codec of a static payload type, or undefined. */
export function codecOfPayloadType(pt: number): G711Codec | undefined {
  return pt === 0 ? "PCMU" : pt === 8 ? "PCMA" : undefined;
}

/** Decodes `count` G.711 bytes from `src` (at `offset`) into `out` (16-bit linear). */
export function decodeInto(
  codec: G711Codec,
  src: Uint8Array,
  offset: number,
  count: number,
  out: Int16Array,
): void {
  const table = DECODE[codec];
  for (let i = 0; i < count; i++) out[i] = table[src[offset + i]];
}

/** Encodes `count` 16-bit linear samples of `src` into `out` (at `offset`). */
export function encodeInto(
  codec: G711Codec,
  src: Int16Array,
  count: number,
  out: Uint8Array,
  offset = 0,
): void {
  const table = ENCODE[codec];
  for (let i = 0; i < count; i++) out[offset + i] = table[src[i] & 0xffff];
}

/** Encodes a whole clip (e.g. a cached prompt) once. */
export function encode(codec: G711Codec, pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  encodeInto(codec, pcm, pcm.length, out);
  return out;
}

/** Decodes a whole G.711 clip. */
export function decode(codec: G711Codec, bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  decodeInto(codec, bytes, 0, bytes.length, out);
  return out;
}

/** The byte of silence (linear 0) of each law, for padding a frame. */
export const SILENCE: Readonly<Record<G711Codec, number>> = {
  PCMU: ENCODE.PCMU[0],
  PCMA: ENCODE.PCMA[0],
};
