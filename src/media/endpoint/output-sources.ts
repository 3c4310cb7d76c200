/**
 * What a media endpoint sends, tick by tick: a play list (files, tones, silence), the echo of what
 * it hears, what a bridged endpoint hears, or a conference mix. A source hands back this tick's
 * G.711 payload in the endpoint's law, `undefined` for a tick with nothing to send (silence: the
 * RTP stream pauses and its next packet starts a talkspurt), or `null` once it is done.
 */
import { encodeInto, FRAME_SAMPLES, type G711Codec, SILENCE } from "../dsp/g711.js";
import { ToneGenerator, type ToneSpec } from "../dsp/tones.js";
import type { Clip } from "./audio-cache.js";

export type Payload = Uint8Array | undefined | null;

export interface OutputSource {
  next(codec: G711Codec, scratch: Int16Array, out: Uint8Array): Payload;
}

/** One resolved item of a play list. */
export type ResolvedItem =
  | { readonly kind: "clip"; readonly clip: Clip }
  | { readonly kind: "tone"; readonly spec: ToneSpec; readonly frames: number }
  | { readonly kind: "silence"; readonly frames: number };

/** Plays the items in order, once or in a loop. */
export class PlaySource implements OutputSource {
  private index = 0;
  /** Samples into the current clip, or frames into the current tone/silence. */
  private position = 0;
  private tone: ToneGenerator | undefined;

  constructor(
    private readonly items: readonly ResolvedItem[],
    private readonly loop: boolean,
  ) {}

  next(codec: G711Codec, scratch: Int16Array, out: Uint8Array): Payload {
    // Bounded: an empty or all-empty list ends rather than spinning.
    for (let guard = 0; guard <= this.items.length; guard++) {
      if (this.index >= this.items.length) {
        if (!this.loop || this.items.length === 0) return null;
        this.index = 0;
      }
      const item = this.items[this.index];
      const payload = this.step(item, codec, scratch, out);
      if (payload !== null) return payload;
      this.index++;
      this.position = 0;
      this.tone = undefined;
    }
    return null;
  }

  /** This item's next frame, or null when the item is over. */
  private step(item: ResolvedItem, codec: G711Codec, scratch: Int16Array, out: Uint8Array): Payload {
    if (item.kind === "clip") {
      const bytes = item.clip.encoded[codec];
      const left = bytes.length - this.position;
      if (left <= 0) return null;
      const start = this.position;
      this.position += FRAME_SAMPLES;
      if (left >= FRAME_SAMPLES) return bytes.subarray(start, start + FRAME_SAMPLES);
      // The clip's last partial frame, padded with silence to a whole 20 ms.
      out.set(bytes.subarray(start), 0);
      out.fill(SILENCE[codec], left, FRAME_SAMPLES);
      return out;
    }
    if (item.frames > 0 && this.position >= item.frames) return null;
    this.position++;
    if (item.kind === "silence") return undefined;
    this.tone ??= new ToneGenerator(item.spec);
    const more = this.tone.fill(scratch);
    if (!more && item.frames <= 0) return null;
    encodeInto(codec, scratch, FRAME_SAMPLES, out);
    return out;
  }
}

/** Something that has heard a frame this tick: an endpoint's decoded input. */
export interface Listener {
  /** This tick's decoded audio, or undefined when nothing arrived (loss, silence, no stream). */
  heard(): Int16Array | undefined;
}

/** Sends what `from` heard this tick: the endpoint itself (echo test) or a bridged peer. */
export class RepeatSource implements OutputSource {
  constructor(private readonly from: Listener) {}

  next(codec: G711Codec, _scratch: Int16Array, out: Uint8Array): Payload {
    const frame = this.from.heard();
    if (frame === undefined) return undefined;
    encodeInto(codec, frame, FRAME_SAMPLES, out);
    return out;
  }
}

/** A conference room's mix for this participant (the room's tick leaves it here). */
export class MixSource implements OutputSource {
  private payload: Uint8Array | undefined;

  /** The room's send callback: keep this tick's bytes (copied into the packet when sent). */
  readonly deliver = (payload: Uint8Array): void => {
    this.payload = payload;
  };

  next(): Payload {
    const p = this.payload;
    this.payload = undefined;
    return p;
  }
}
