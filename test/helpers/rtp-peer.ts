/**
 * A phone's media side for tests: a UDP socket on 127.0.0.1 that sends G.711 tones and RFC 4733
 * telephone-events as RTP and keeps what it receives, with the measurements the tests assert on
 * (tone frequency by Goertzel, level, packet pacing).
 */
import { createSocket, type Socket } from "node:dgram";
import { decode, encode, type G711Codec } from "../../src/media/dsp/g711.js";

export const HOST = "127.0.0.1";

export interface ReceivedRtp {
  readonly at: number;
  readonly pt: number;
  readonly marker: boolean;
  readonly seq: number;
  readonly ts: number;
  readonly ssrc: number;
  readonly payload: Buffer;
}

const KEYS = "0123456789*#ABCD";

export class RtpPeer {
  readonly inbox: ReceivedRtp[] = [];
  private seq = 1000;
  private ts = 5000;
  private readonly ssrc = 0x12345678;

  private constructor(readonly socket: Socket) {
    socket.on("message", (data) => {
      if (data.length < 12) return;
      this.inbox.push({
        at: performance.now(),
        pt: data[1] & 0x7f,
        marker: (data[1] & 0x80) !== 0,
        seq: data.readUInt16BE(2),
        ts: data.readUInt32BE(4),
        ssrc: data.readUInt32BE(8),
        payload: data.subarray(12),
      });
    });
  }

  static async open(): Promise<RtpPeer> {
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, HOST, () => r()));
    return new RtpPeer(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private packet(pt: number, payload: Uint8Array, marker = false, ts = this.ts): Buffer {
    const b = Buffer.alloc(12 + payload.length);
    b[0] = 0x80;
    b[1] = (marker ? 0x80 : 0) | pt;
    b.writeUInt16BE(this.seq & 0xffff, 2);
    b.writeUInt32BE(ts >>> 0, 4);
    b.writeUInt32BE(this.ssrc, 8);
    b.set(payload, 12);
    this.seq++;
    return b;
  }

  send(to: number, data: Buffer): void {
    this.socket.send(data, to, HOST);
  }

  /** Sends `ms` of a sine (or silence at 0 Hz) as 20 ms G.711 packets, paced in real time. */
  async sendTone(
    to: number,
    freq: number,
    ms: number,
    codec: G711Codec = "PCMU",
    amplitude = 8000,
  ): Promise<void> {
    const pt = codec === "PCMU" ? 0 : 8;
    const frames = Math.round(ms / 20);
    const start = performance.now();
    for (let f = 0; f < frames; f++) {
      const pcm = new Int16Array(160);
      for (let i = 0; i < 160; i++)
        pcm[i] =
          freq === 0 ? 0 : Math.round(amplitude * Math.sin((2 * Math.PI * freq * (f * 160 + i)) / 8000));
      this.send(to, this.packet(pt, encode(codec, pcm), f === 0));
      this.ts += 160;
      const wait = start + (f + 1) * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** One key press as RFC 4733 sends it: a start, updates, and the end packet three times. */
  async sendEvent(to: number, key: string, pt = 101, ms = 100): Promise<void> {
    const event = KEYS.indexOf(key);
    const start = this.ts;
    const body = (end: boolean, duration: number) =>
      Uint8Array.from([event, (end ? 0x80 : 0) | 10, (duration >> 8) & 0xff, duration & 0xff]);
    for (let d = 160; d < ms * 8; d += 160) {
      this.send(to, this.packet(pt, body(false, d), d === 160, start));
      await new Promise((r) => setTimeout(r, 20));
    }
    for (let i = 0; i < 3; i++) this.send(to, this.packet(pt, body(true, ms * 8), false, start));
    this.ts += ms * 8;
    await new Promise((r) => setTimeout(r, 40));
  }

  /** The audio received (payload type 0 or 8), decoded, in arrival order. */
  audio(from = 0): Int16Array {
    const packets = this.inbox.slice(from).filter((p) => p.pt === 0 || p.pt === 8);
    const out = new Int16Array(packets.length * 160);
    for (const [i, p] of packets.entries())
      out.set(decode(p.pt === 0 ? "PCMU" : "PCMA", p.payload).subarray(0, 160), i * 160);
    return out;
  }

  close(): void {
    this.socket.close();
  }
}

/** Goertzel power of `freq` in `pcm`, relative to the signal's power (0..1). */
export function toneShare(pcm: Int16Array, freq: number): number {
  if (pcm.length === 0) return 0;
  const k = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of pcm) {
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
    energy += x * x;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (pcm.length * energy);
}

export async function until(what: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return what();
}
