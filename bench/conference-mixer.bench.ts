/**
 * Conference mixing capacity on one core (issue 14 acceptance: 500 participants per core as the
 * goal, 100 as the floor). Rooms of 5 members (3 PCMU, 2 PCMA); every tick each member's RTP
 * payload goes through its jitter buffer (put, take), into the room (input: decode), and each
 * room ticks (mix, mix-minus, encode, send). Sockets and RTP headers are not included.
 *
 * Two cases: all 5 talk (the worst: 5 own mixes per room each tick) and 1 talks while 4 send
 * low background noise (typical: one own mix, one shared mix per law).
 *
 * participants_realtime = 0.5 * 20 ms / (CPU per participant per tick): how many members one core
 * mixes in real time while keeping half of itself for the rest (RTP in and out, the clock).
 * Run: node --import tsx bench/conference-mixer.bench.ts
 */
import { PerformanceObserver, performance } from "node:perf_hooks";
import { encode, FRAME_SAMPLES, type G711Codec } from "../src/media/dsp/g711.js";
import { ConferenceRoom } from "../src/media/mixer/conference-mixer.js";
import { JitterBuffer } from "../src/media/mixer/jitter-buffer.js";

const ROOM_SIZE = 5;
const ROOMS = Number(process.env.BENCH_ROOMS ?? "200");
const TICKS = Number(process.env.BENCH_TICKS ?? "500");
const WARMUP_TICKS = 100;
const LOOP_FRAMES = 50;
const HEADER = 12;
const GOAL = 500;
const FLOOR = 100;

interface Member {
  readonly id: string;
  readonly jitter: JitterBuffer;
  /** One second of RTP packets (header room + 160 bytes), sent in a loop. */
  readonly packets: Uint8Array[];
  seq: number;
  ts: number;
  received: number;
}

/** One second of a member's audio in its law: a tone (a talker) or faint noise (a listener). */
function packets(codec: G711Codec, talker: boolean, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let seed = n * 7919 + 1;
  for (let f = 0; f < LOOP_FRAMES; f++) {
    const pcm = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const noise = (seed % 17) - 8;
      const t = f * FRAME_SAMPLES + i;
      pcm[i] = talker
        ? Math.round(6000 * Math.sin((2 * Math.PI * (300 + 100 * n) * t) / 8000)) + noise
        : noise;
    }
    const packet = new Uint8Array(HEADER + FRAME_SAMPLES);
    packet.set(encode(codec, pcm), HEADER);
    out.push(packet);
  }
  return out;
}

function build(talkers: number): { rooms: ConferenceRoom[]; members: Member[][] } {
  const rooms: ConferenceRoom[] = [];
  const members: Member[][] = [];
  for (let r = 0; r < ROOMS; r++) {
    const room = new ConferenceRoom(`room-${r}`);
    const list: Member[] = [];
    for (let m = 0; m < ROOM_SIZE; m++) {
      const codec: G711Codec = m % 2 === 0 ? "PCMU" : "PCMA";
      const member: Member = {
        id: `r${r}m${m}`,
        jitter: new JitterBuffer({ codec }),
        packets: packets(codec, m < talkers, m),
        seq: (r * 977 + m * 131) & 0xffff,
        ts: r * 12345,
        received: 0,
      };
      // The send contract: keep the bytes until the next tick (as the endpoint's MixSource does).
      room.join(member.id, codec, () => {
        member.received++;
      });
      list.push(member);
    }
    rooms.push(room);
    members.push(list);
  }
  return { rooms, members };
}

function tick(rooms: ConferenceRoom[], members: Member[][], frame: number): void {
  const slot = frame % LOOP_FRAMES;
  for (let r = 0; r < rooms.length; r++) {
    const room = rooms[r];
    const list = members[r];
    for (let m = 0; m < list.length; m++) {
      const member = list[m];
      member.jitter.put(member.seq, member.ts, member.packets[slot], HEADER, FRAME_SAMPLES, false);
      member.seq = (member.seq + 1) & 0xffff;
      member.ts = (member.ts + FRAME_SAMPLES) >>> 0;
      room.input(member.id, member.jitter.take());
    }
    room.tick();
  }
}

/** Start times of garbage collections (entries arrive late: counted by when they ran). */
const gcTimes: number[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcTimes.push(entry.startTime);
});
gcObserver.observe({ entryTypes: ["gc"] });

async function measure(
  talkers: number,
): Promise<{ perParticipantUs: number; perTickUs: number; gc: number }> {
  const { rooms, members } = build(talkers);
  for (let f = 0; f < WARMUP_TICKS; f++) tick(rooms, members, f);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let f = 0; f < TICKS; f++) tick(rooms, members, WARMUP_TICKS + f);
  const cpu = process.cpuUsage(cpu0);
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 50));
  const gc = gcTimes.filter((t) => t >= t0 && t <= t1).length;
  const expected = (WARMUP_TICKS + TICKS - 1) * ROOM_SIZE * ROOMS;
  const received = members.flat().reduce((sum, m) => sum + m.received, 0);
  // Each member is sent a frame every tick once its jitter buffer started (the first tick: not yet).
  if (received < expected) throw new Error(`only ${received} of ${expected} frames were sent`);
  const perTickUs = (cpu.user + cpu.system) / TICKS;
  return { perParticipantUs: perTickUs / (ROOMS * ROOM_SIZE), perTickUs, gc };
}

function report(
  name: string,
  talkers: number,
  r: { perParticipantUs: number; perTickUs: number; gc: number },
) {
  const realtime = Math.floor((0.5 * 20_000) / r.perParticipantUs);
  console.log(
    `BENCH ${name} participants_realtime=${realtime} rooms_of=${ROOM_SIZE} talkers=${talkers}` +
      ` cpu_per_participant_us=${r.perParticipantUs.toFixed(2)} (goal ${GOAL}, floor ${FLOOR})` +
      ` tick_cpu_us=${r.perTickUs.toFixed(0)} for rooms=${ROOMS} ticks=${TICKS} gc_during=${r.gc}`,
  );
  return realtime;
}

const worst = await measure(ROOM_SIZE);
const typical = await measure(1);
gcObserver.disconnect();
const realtime = report("conference.mixer", ROOM_SIZE, worst);
report("conference.mixer.typical", 1, typical);
if (realtime < FLOOR) process.exit(1);
