/**
 * One conference room, mixed one 20 ms frame at a time when the worker's clock calls tick() (the
 * room owns no timer). G.711 in and out (ITU-T G.711, PCMU and PCMA side by side in one room).
 *
 * Per tick: each talker's frame was decoded once to 16-bit linear by input(); the talkers are
 * summed into a 32-bit accumulator; a talker hears the sum minus its own contribution
 * (mix-minus), scaled by its volumeOut and saturated to 16 bits, encoded in its own law; every
 * member that said nothing this tick (no frame, muted, a frame below the silence level, or not
 * among the loudest when maxTalkers is set) and listens at unity volume hears the one full mix,
 * encoded once per law (Asterisk ConfBridge / FreeSWITCH mod_conference practice). Nothing is
 * allocated per tick: the buffers of a member are made when it joins.
 *
 * Contract of `send`: it is called synchronously within tick() with this tick's 160 bytes. The
 * bytes are read-only and shared (members hearing the same mix get the same Uint8Array, and the
 * room reuses its buffers), so the receiver must copy them (into its RTP packet) before the next
 * tick() of this room. join() and leave() must not be called from within `send`.
 */
import { decodeInto, encode, FRAME_SAMPLES, type G711Codec, SILENCE } from "../dsp/g711.js";

/** A member of a room, as the room hands it out on join(). Settings apply from the next tick. */
export interface MixParticipant {
  readonly id: string;
  readonly codec: G711Codec;
  /** What it says is not mixed. */
  muted: boolean;
  /** It hears nothing (silence is still sent, so its RTP stays continuous). */
  deaf: boolean;
  /** Linear gain on what it says, 0..4 (1 = unchanged; outside the range is clamped). */
  volumeIn: number;
  /** Linear gain on what it hears, 0..4. */
  volumeOut: number;
  /** It was mixed into the others' audio on the last tick. */
  readonly talking: boolean;
}

export interface ConferenceRoomOptions {
  /** Mix only this many of the loudest talkers each tick, to bound noise from open microphones
   *  (0 = everyone; default 0). */
  maxTalkers?: number;
  /** Mean absolute sample value (of 32767) at or below which a frame counts as silence and is
   *  not mixed (default 16, about -66 dBFS: inaudible, and above the +-8 that A-law's idle
   *  pattern decodes to, so phones that send silence rather than nothing share the full mix;
   *  0: only digital silence). */
  silenceLevel?: number;
}

const MAX = 32767;
const MIN = -32768;
const MAX_GAIN = 4;
const DEFAULT_SILENCE_LEVEL = 16;
const CODECS: readonly G711Codec[] = ["PCMU", "PCMA"];

/** A gain in dB (20 log10) as the linear factor of volumeIn/volumeOut, within 0..4. */
export function dbToGain(db: number): number {
  return clampGain(10 ** (db / 20));
}

/** Linear gain within 0..4; NaN is 0. */
function clampGain(g: number): number {
  return g > 0 ? Math.min(g, MAX_GAIN) : 0;
}

/**
 * g711.ts's encoding tables (indexed by the 16-bit sample as unsigned), rebuilt through its
 * encode() because it does not export them: with the table at hand, saturating and encoding are
 * one pass over the frame, with no linear buffer between them.
 */
function encodeTable(codec: G711Codec): Uint8Array {
  const every = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) every[i] = i;
  return encode(codec, every);
}

const ENCODE = CODECS.map(encodeTable);

function silenceFrame(codec: G711Codec): Uint8Array {
  return new Uint8Array(FRAME_SAMPLES).fill(SILENCE[codec]);
}

class Member implements MixParticipant {
  muted = false;
  deaf = false;
  volumeIn = 1;
  volumeOut = 1;
  talking = false;
  /** A frame arrived this tick (decoded in pcm). */
  heard = false;
  /** Sum of |sample| times volumeIn this tick: the loudness ranked by maxTalkers (without a
   *  ranking it is counted only as far as needed to pass the silence level). */
  level = 0;
  selected = false;
  readonly law: number;
  readonly pcm = new Int16Array(FRAME_SAMPLES);
  /** What it adds to the mix this tick: pcm times volumeIn. */
  readonly contribution = new Int32Array(FRAME_SAMPLES);
  /** Its own encoded output when it cannot share the common mix. */
  readonly out = new Uint8Array(FRAME_SAMPLES);

  constructor(
    readonly id: string,
    readonly codec: G711Codec,
    readonly send: (payload: Uint8Array) => void,
  ) {
    this.law = CODECS.indexOf(codec);
  }
}

export class ConferenceRoom {
  private readonly members: Member[] = [];
  private readonly byId = new Map<string, Member>();
  private readonly maxTalkers: number;
  private readonly silenceSum: number;
  private readonly total = new Int32Array(FRAME_SAMPLES);
  private readonly announced = new Int32Array(FRAME_SAMPLES);
  private hasAnnouncement = false;
  /** The full mix at unity gain, encoded once per law per tick (index: CODECS). */
  private readonly shared = [new Uint8Array(FRAME_SAMPLES), new Uint8Array(FRAME_SAMPLES)];
  private readonly sharedReady = [false, false];
  private readonly silence = [silenceFrame("PCMU"), silenceFrame("PCMA")];

  constructor(
    readonly id: string,
    opts: ConferenceRoomOptions = {},
  ) {
    const maxTalkers = opts.maxTalkers ?? 0;
    if (!Number.isInteger(maxTalkers) || maxTalkers < 0) throw new RangeError("maxTalkers: an integer >= 0");
    this.maxTalkers = maxTalkers;
    this.silenceSum = Math.max(0, opts.silenceLevel ?? DEFAULT_SILENCE_LEVEL) * FRAME_SAMPLES;
  }

  get size(): number {
    return this.members.length;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Adds a member hearing and speaking `codec`; an id already in the room is an error. */
  join(id: string, codec: G711Codec, send: (payload: Uint8Array) => void): MixParticipant {
    if (this.byId.has(id)) throw new Error(`${id} is already in room ${this.id}`);
    const member = new Member(id, codec, send);
    this.members.push(member);
    this.byId.set(id, member);
    return member;
  }

  /** Removes a member (no-op when absent). */
  leave(id: string): void {
    const member = this.byId.get(id);
    if (member === undefined) return;
    this.byId.delete(id);
    this.members.splice(this.members.indexOf(member), 1);
  }

  /** Sets what is given (mute; volumeDb on what the member says, as volumeIn). */
  update(id: string, muted?: boolean, volumeDb?: number): void {
    const member = this.byId.get(id);
    if (member === undefined) return;
    if (muted !== undefined) member.muted = muted;
    if (volumeDb !== undefined) member.volumeIn = dbToGain(volumeDb);
  }

  /**
   * This tick's G.711 frame from a member (after its jitter buffer), in the member's law, or
   * undefined for nothing (silence, loss). Decoded now: `payload` may be reused on return. A
   * frame shorter than 160 bytes is padded with silence. An unknown id is ignored (it has left).
   */
  input(id: string, payload: Uint8Array | undefined): void {
    const member = this.byId.get(id);
    if (member === undefined) return;
    if (payload === undefined || member.muted) {
      member.heard = false;
      return;
    }
    const n = Math.min(payload.length, FRAME_SAMPLES);
    decodeInto(member.codec, payload, 0, n, member.pcm);
    if (n < FRAME_SAMPLES) member.pcm.fill(0, n);
    member.heard = true;
  }

  /** Linear audio (e.g. a join tone) for everyone but the deaf this tick; up to 160 samples. */
  announce(pcm: Int16Array): void {
    const n = Math.min(pcm.length, FRAME_SAMPLES);
    const a = this.announced;
    for (let i = 0; i < n; i++) a[i] += pcm[i];
    this.hasAnnouncement = true;
  }

  /** Mixes one 20 ms frame and hands each member what it hears. */
  tick(): void {
    const members = this.members;
    if (this.hasAnnouncement) this.total.set(this.announced);
    else this.total.fill(0);
    const talkers = this.collectTalkers();
    const quiet = talkers === 0 && !this.hasAnnouncement;
    this.sharedReady[0] = false;
    this.sharedReady[1] = false;
    let failure: unknown;
    let failed = false;
    for (let m = 0; m < members.length; m++) {
      const member = members[m];
      member.heard = false;
      const gain = clampGain(member.volumeOut);
      let payload: Uint8Array;
      if (member.deaf || quiet || gain === 0) payload = this.silence[member.law];
      else if (!member.talking && gain === 1) payload = this.sharedMix(member.law);
      else payload = this.ownMix(member, gain);
      try {
        member.send(payload);
      } catch (err) {
        // One receiver's failure must not starve the others of this tick: report it afterwards.
        if (!failed) failure = err;
        failed = true;
      }
    }
    if (this.hasAnnouncement) {
      this.announced.fill(0);
      this.hasAnnouncement = false;
    }
    if (failed) throw failure;
  }

  /** Marks who is mixed this tick and adds them (times volumeIn) into `total`; returns how many. */
  private collectTalkers(): number {
    const members = this.members;
    const ranked = this.maxTalkers > 0;
    const total = this.total;
    let talkers = 0;
    for (let m = 0; m < members.length; m++) {
      const member = members[m];
      member.talking = false;
      const gain = clampGain(member.volumeIn);
      if (!member.heard || member.muted || gain === 0) continue;
      const pcm = member.pcm;
      // Loudness (sum of |sample|): in full when talkers are ranked, else only until it is
      // above the silence level, which a talker's frame is within its first few samples.
      const limit = ranked ? Number.POSITIVE_INFINITY : this.silenceSum / gain;
      let level = 0;
      for (let i = 0; i < FRAME_SAMPLES && level <= limit; i++) {
        const s = pcm[i];
        level += s < 0 ? -s : s;
      }
      level *= gain;
      if (level <= this.silenceSum) continue;
      member.level = level;
      member.talking = true;
      talkers++;
      const c = member.contribution;
      if (gain === 1) {
        for (let i = 0; i < FRAME_SAMPLES; i++) {
          const s = pcm[i];
          c[i] = s;
          total[i] += s;
        }
      } else {
        for (let i = 0; i < FRAME_SAMPLES; i++) {
          const s = (pcm[i] * gain) | 0;
          c[i] = s;
          total[i] += s;
        }
      }
    }
    if (ranked && talkers > this.maxTalkers) {
      this.keepLoudest(this.maxTalkers);
      talkers = this.maxTalkers;
    }
    return talkers;
  }

  /** Keeps the `n` loudest talkers; the others are taken out of `total` and hear it as listeners. */
  private keepLoudest(n: number): void {
    const members = this.members;
    for (let m = 0; m < members.length; m++) members[m].selected = false;
    for (let k = 0; k < n; k++) {
      let best: Member | undefined;
      for (let m = 0; m < members.length; m++) {
        const member = members[m];
        if (member.talking && !member.selected && (best === undefined || member.level > best.level))
          best = member;
      }
      if (best !== undefined) best.selected = true;
    }
    const total = this.total;
    for (let m = 0; m < members.length; m++) {
      const member = members[m];
      if (!member.talking || member.selected) continue;
      member.talking = false;
      const c = member.contribution;
      for (let i = 0; i < FRAME_SAMPLES; i++) total[i] -= c[i];
    }
  }

  /** The full mix at unity gain, saturated and encoded in `law`, once per tick. */
  private sharedMix(law: number): Uint8Array {
    const out = this.shared[law];
    if (this.sharedReady[law]) return out;
    const table = ENCODE[law];
    const total = this.total;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      let v = total[i];
      if (v > MAX) v = MAX;
      else if (v < MIN) v = MIN;
      out[i] = table[v & 0xffff];
    }
    this.sharedReady[law] = true;
    return out;
  }

  /** Mix-minus for one member: the total less its own contribution, times its volumeOut. */
  private ownMix(member: Member, gain: number): Uint8Array {
    const table = ENCODE[member.law];
    const out = member.out;
    const total = this.total;
    const c = member.contribution;
    if (gain === 1 && member.talking) {
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        let v = total[i] - c[i];
        if (v > MAX) v = MAX;
        else if (v < MIN) v = MIN;
        out[i] = table[v & 0xffff];
      }
    } else {
      const own = member.talking ? 1 : 0;
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        let v = (total[i] - own * c[i]) * gain;
        if (v > MAX) v = MAX;
        else if (v < MIN) v = MIN;
        out[i] = table[v & 0xffff];
      }
    }
    return out;
  }
}
