/**
 * The conference room mixer (src/media/mixer/conference-mixer.ts), pure unit tests tick by tick:
 * mix-minus over PCMU and PCMA members (each hears the others' tones and not its own, measured by
 * Goertzel energy per frequency), mute, volume in and out, 16-bit saturation, the one shared
 * encoded mix for members who said nothing, the lone member, leave and join mid-stream,
 * announcements, deaf members, the loudest-talkers limit and the silence level. Not covered here:
 * the worker's clock and RTP (see the media endpoint tests) or speed (bench/conference-mixer).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decode, encode, FRAME_SAMPLES, type G711Codec, SILENCE } from "../../src/media/dsp/g711.js";
import {
  ConferenceRoom,
  type ConferenceRoomOptions,
  dbToGain,
} from "../../src/media/mixer/conference-mixer.js";

const RATE = 8000;

/** One 20 ms frame of a sine at `hz`, phase-continuous over frame numbers `frame`. */
function sine(hz: number, amplitude: number, frame: number): Int16Array {
  const out = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) {
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (frame * FRAME_SAMPLES + i)) / RATE));
  }
  return out;
}

/** Goertzel power of `hz` in `x` (normalised by length, so a sine of amplitude A gives ~A^2/4). */
function power(x: Int16Array, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i] + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (x.length * x.length);
}

function db(ratio: number): number {
  return 10 * Math.log10(ratio);
}

interface Talker {
  hz: number;
  amplitude: number;
}

/** A room with members who record what they are sent (copied, per the send contract). */
class Bench {
  readonly room: ConferenceRoom;
  readonly heard = new Map<string, Uint8Array[]>();
  readonly last = new Map<string, Uint8Array>();
  readonly codecs = new Map<string, G711Codec>();
  readonly talk = new Map<string, Talker | undefined>();
  frame = 0;

  constructor(opts?: ConferenceRoomOptions) {
    this.room = new ConferenceRoom("r1", opts);
  }

  join(id: string, codec: G711Codec, talker?: Talker) {
    this.heard.set(id, []);
    this.codecs.set(id, codec);
    this.talk.set(id, talker);
    return this.room.join(id, codec, (payload) => {
      this.last.set(id, payload);
      this.heard.get(id)?.push(payload.slice());
    });
  }

  leave(id: string): void {
    this.room.leave(id);
    this.talk.delete(id);
  }

  /** Runs `n` ticks, each member saying its tone (encoded in its law) or nothing. */
  run(n: number): void {
    for (let t = 0; t < n; t++, this.frame++) {
      for (const [id, talker] of this.talk) {
        const codec = this.codecs.get(id) ?? "PCMU";
        this.room.input(id, talker && encode(codec, sine(talker.hz, talker.amplitude, this.frame)));
      }
      this.room.tick();
    }
  }

  /** What `id` heard, decoded, from its `from`th frame on. */
  pcm(id: string, from = 0): Int16Array {
    const frames = (this.heard.get(id) ?? []).slice(from);
    const bytes = new Uint8Array(frames.length * FRAME_SAMPLES);
    frames.forEach((f, i) => {
      bytes.set(f, i * FRAME_SAMPLES);
    });
    return decode(this.codecs.get(id) ?? "PCMU", bytes);
  }

  clear(): void {
    for (const list of this.heard.values()) list.length = 0;
  }
}

const A = { hz: 500, amplitude: 8000 };
const B = { hz: 700, amplitude: 8000 };
const C = { hz: 900, amplitude: 8000 };

function threeTalkers(): Bench {
  const b = new Bench();
  b.join("a", "PCMU", A);
  b.join("b", "PCMA", B);
  b.join("c", "PCMU", C);
  return b;
}

describe("ConferenceRoom", () => {
  describe("mix-minus with three talkers (PCMU, PCMA, PCMU)", () => {
    it("each hears the other two tones and not its own (> 20 dB below)", () => {
      const b = threeTalkers();
      b.run(25);
      for (const [id, own, others] of [
        ["a", A, [B, C]],
        ["b", B, [A, C]],
        ["c", C, [A, B]],
      ] as const) {
        const x = b.pcm(id);
        assert.equal(x.length, 25 * FRAME_SAMPLES, `${id} is sent a frame every tick`);
        for (const other of others) {
          // A sine of amplitude 8000 has Goertzel power 8000^2/4 = 16e6 (within G.711's noise).
          assert.ok(Math.abs(db(power(x, other.hz) / 16e6)) < 1, `${id} hears ${other.hz} Hz at full level`);
          assert.ok(
            db(power(x, other.hz) / power(x, own.hz)) > 20,
            `${id} does not hear its own ${own.hz} Hz`,
          );
        }
      }
    });

    it("a muted member is taken out of the others' mix but still hears them", () => {
      const b = threeTalkers();
      b.run(5);
      b.room.update("b", true);
      b.clear();
      b.run(25);
      for (const id of ["a", "c"]) {
        const x = b.pcm(id);
        const heardOther = id === "a" ? C.hz : A.hz;
        assert.ok(db(power(x, heardOther) / power(x, B.hz)) > 20, `${id} no longer hears b`);
      }
      const y = b.pcm("b");
      assert.ok(db(power(y, A.hz) / power(y, B.hz)) > 20, "b hears a");
      assert.ok(db(power(y, C.hz) / power(y, B.hz)) > 20, "b hears c");
    });

    it("volumeIn 0.5 lowers what the member says by ~6 dB for the others", () => {
      const b = threeTalkers();
      b.run(25);
      const full = power(b.pcm("c"), A.hz);
      b.clear();
      b.room.update("a", undefined, -6.0206);
      b.run(25);
      const half = power(b.pcm("c"), A.hz);
      assert.ok(Math.abs(db(half / full) + 6.02) < 0.5, `got ${db(half / full).toFixed(2)} dB`);
      // What a says is lowered, not what it hears.
      assert.ok(Math.abs(db(power(b.pcm("a"), B.hz) / 16e6)) < 1, "a hears b as before");
    });

    it("volumeOut 2 raises what the member hears by ~6 dB, and no one else's", () => {
      const b = new Bench();
      b.join("a", "PCMU", { hz: 500, amplitude: 4000 });
      b.join("l", "PCMU");
      b.join("loud", "PCMA").volumeOut = 2;
      b.run(25);
      const unity = power(b.pcm("l"), 500);
      assert.ok(Math.abs(db(unity / 4e6)) < 1, "the unity listener hears a at its level");
      const raised = db(power(b.pcm("loud"), 500) / unity);
      assert.ok(Math.abs(raised - 6.02) < 0.5, `got ${raised.toFixed(2)} dB`);
      assert.notEqual(b.last.get("loud"), b.last.get("l"), "a listener at another volume has its own bytes");
    });
  });

  it("two full-scale sines in phase saturate at 16 bits (a talker's mix-minus and the shared mix), never wrap", () => {
    const b = new Bench();
    b.join("a", "PCMU", { hz: 500, amplitude: 32767 });
    b.join("b", "PCMA", { hz: 500, amplitude: 32767 });
    // c talks a little, so it gets its own mix-minus; d only listens and gets the shared mix.
    b.join("c", "PCMU", { hz: 3000, amplitude: 200 });
    b.join("d", "PCMA");
    b.run(5);
    for (const id of ["c", "d"]) {
      const x = b.pcm(id);
      let peak = 0;
      for (let i = 0; i < x.length; i++) {
        const expected = Math.sin((2 * Math.PI * 500 * i) / RATE);
        if (Math.abs(expected) > 0.1)
          assert.equal(Math.sign(x[i]), Math.sign(expected), `${id} sample ${i} wrapped`);
        if (Math.abs(expected) > 0.6) assert.ok(Math.abs(x[i]) > 30000, `${id} sample ${i} saturates`);
        peak = Math.max(peak, Math.abs(x[i]));
      }
      assert.ok(peak >= 32000, `${id} peaks at ${peak}`);
    }
  });

  it("members who say nothing are sent the very same bytes: the full mix encoded once per law", () => {
    const b = new Bench();
    b.join("a", "PCMU", A);
    b.join("b", "PCMA", B);
    b.join("c", "PCMU");
    b.join("d", "PCMU");
    b.join("e", "PCMA");
    b.join("f", "PCMA");
    b.run(1);
    // The full mix from the decoded inputs, saturated, in each law.
    const sum = new Int16Array(FRAME_SAMPLES);
    const a = decode("PCMU", encode("PCMU", sine(A.hz, A.amplitude, 0)));
    const bb = decode("PCMA", encode("PCMA", sine(B.hz, B.amplitude, 0)));
    for (let i = 0; i < FRAME_SAMPLES; i++) sum[i] = Math.max(-32768, Math.min(32767, a[i] + bb[i]));
    assert.equal(b.last.get("c"), b.last.get("d"), "c and d share one Uint8Array");
    assert.equal(b.last.get("e"), b.last.get("f"), "e and f share one Uint8Array");
    assert.notEqual(b.last.get("c"), b.last.get("e"));
    assert.deepEqual(b.last.get("c"), encode("PCMU", sum));
    assert.deepEqual(b.last.get("e"), encode("PCMA", sum));
    assert.notEqual(b.last.get("a"), b.last.get("c"), "a talker has its own mix-minus");
  });

  it("a member alone in the room is still sent silence every tick", () => {
    const b = new Bench();
    b.join("a", "PCMA", A);
    b.run(3);
    const frames = b.heard.get("a") ?? [];
    assert.equal(frames.length, 3);
    for (const f of frames) assert.deepEqual(f, new Uint8Array(FRAME_SAMPLES).fill(SILENCE.PCMA));
    assert.equal(b.room.size, 1);
  });

  it("leave and join mid-stream: the leaver's tone stops, the newcomer's starts at once", () => {
    const b = threeTalkers();
    b.run(10);
    b.leave("c");
    b.leave("c");
    b.room.input("c", new Uint8Array(FRAME_SAMPLES));
    assert.equal(b.room.size, 2);
    assert.equal(b.room.has("c"), false);
    b.clear();
    b.run(25);
    let x = b.pcm("a");
    assert.ok(db(power(x, B.hz) / power(x, C.hz)) > 20, "a no longer hears c");
    const D = { hz: 1100, amplitude: 8000 };
    b.join("d", "PCMA", D);
    assert.equal(b.room.size, 3);
    b.clear();
    b.run(25);
    x = b.pcm("a");
    assert.ok(db(power(x, D.hz) / 16e6) > -1, "a hears d from its first tick");
    assert.ok(db(power(x, B.hz) / power(x, C.hz)) > 20, "a still hears b, still not c");
    const d = b.pcm("d");
    assert.ok(db(power(d, A.hz) / power(d, D.hz)) > 20, "d hears a, not itself");
    assert.ok(db(power(d, B.hz) / power(d, D.hz)) > 20, "d hears b, not itself");
  });

  it("join() of an id already in the room throws", () => {
    const room = new ConferenceRoom("r");
    room.join("a", "PCMU", () => {});
    assert.throws(() => room.join("a", "PCMA", () => {}), /already in room r/);
  });

  it("announce() is heard by every member but the deaf, for one tick", () => {
    const b = new Bench();
    b.join("a", "PCMU", A);
    b.join("b", "PCMA");
    b.join("c", "PCMU").deaf = true;
    b.room.announce(sine(1000, 8000, 0));
    b.run(1);
    b.run(1);
    for (const id of ["a", "b"]) {
      const first = b.pcm(id).subarray(0, FRAME_SAMPLES);
      const second = b.pcm(id).subarray(FRAME_SAMPLES);
      assert.ok(power(first, 1000) > 1e6, `${id} hears the announcement`);
      assert.ok(power(second, 1000) < 1e4, `${id} hears it only once`);
    }
    const deaf = b.heard.get("c") ?? [];
    assert.equal(deaf.length, 2);
    for (const f of deaf) assert.deepEqual(f, new Uint8Array(FRAME_SAMPLES).fill(SILENCE.PCMU));
  });

  it("maxTalkers mixes only the loudest talkers; a quieter one hears them like a listener", () => {
    const b = new Bench({ maxTalkers: 3 });
    const loud = [
      { hz: 500, amplitude: 8000 },
      { hz: 700, amplitude: 6000 },
      { hz: 900, amplitude: 4000 },
    ];
    b.join("a", "PCMU", loud[0]);
    b.join("b", "PCMU", loud[1]);
    b.join("q", "PCMU", { hz: 1300, amplitude: 1000 });
    b.join("c", "PCMA", loud[2]);
    const listener = b.join("l", "PCMU");
    b.run(25);
    const x = b.pcm("l");
    for (const t of loud)
      assert.ok(db(power(x, t.hz) / power(x, 1300)) > 20, `${t.hz} Hz is mixed, 1300 Hz not`);
    assert.equal(listener.talking, false);
    const q = b.pcm("q");
    for (const t of loud) assert.ok(power(q, t.hz) > 1e6, `q hears ${t.hz} Hz`);
    assert.equal(b.last.get("q"), b.last.get("l"), "the unmixed talker shares the listeners' bytes");
  });

  it("without maxTalkers, all four talkers are mixed", () => {
    const b = new Bench();
    b.join("a", "PCMU", { hz: 500, amplitude: 8000 });
    b.join("q", "PCMU", { hz: 1300, amplitude: 1000 });
    b.join("l", "PCMU");
    b.run(25);
    assert.ok(db(power(b.pcm("l"), 1300) / 1000 ** 2 / 0.25) > -1, "the quiet talker is heard at its level");
  });

  it("by default a frame of A-law silence (or a -70 dBFS hiss) is not mixed: its sender shares the full mix", () => {
    const b = new Bench();
    b.join("a", "PCMU", A);
    const quiet = b.join("s", "PCMA", { hz: 500, amplitude: 0 });
    const hiss = b.join("h", "PCMU", { hz: 3100, amplitude: 15 });
    const talker = b.join("t", "PCMU", { hz: 300, amplitude: 30 });
    b.join("l", "PCMA");
    b.run(2);
    assert.equal(quiet.talking, false);
    assert.equal(hiss.talking, false);
    assert.equal(talker.talking, true, "a -60 dBFS sine is mixed");
    assert.equal(b.last.get("s"), b.last.get("l"));
  });

  it("silenceLevel 0 mixes everything but digital silence", () => {
    const b = new Bench({ silenceLevel: 0 });
    b.join("a", "PCMU", A);
    const alaw = b.join("s", "PCMA", { hz: 500, amplitude: 0 });
    const mulaw = b.join("m", "PCMU", { hz: 500, amplitude: 0 });
    b.run(1);
    assert.equal(alaw.talking, true, "A-law idle decodes to +-8");
    assert.equal(mulaw.talking, false, "mu-law silence decodes to 0");
  });

  it("a throwing send does not stop the others being served; tick() rethrows it after", () => {
    const room = new ConferenceRoom("r");
    let served = 0;
    room.join("a", "PCMU", () => {
      throw new Error("socket gone");
    });
    room.join("b", "PCMU", () => {
      served++;
    });
    assert.throws(() => room.tick(), /socket gone/);
    assert.equal(served, 1);
    room.leave("a");
    room.tick();
    assert.equal(served, 2);
  });

  it("dbToGain() is 20 log10 within 0..4", () => {
    assert.ok(Math.abs(dbToGain(-6.0206) - 0.5) < 1e-4, "-6 dB is half");
    assert.equal(dbToGain(0), 1);
    assert.equal(dbToGain(40), 4);
    assert.equal(dbToGain(Number.NaN), 0);
  });
});
