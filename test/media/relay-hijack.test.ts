/**
 * The media relay against hijacking (issue 22, the "RTP bleed" class of rtpengine and Asterisk
 * advisories), on the real worker over real UDP on loopback addresses (127.0.0.x): after latching,
 * another source's packets are dropped and it hears nothing; a stranger spraying the whole port
 * range during a call neither hears the call nor gets a packet through; a re-INVITE re-arms the
 * latch for the new address only; the latch moves only after silence, only to a source that keeps
 * sending in sequence; RTCP follows the same rules.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { MediaEngine } from "../../src/media/media-engine.js";
import { freePort } from "../helpers/ports.js";

const RELAY = "127.0.0.1";
const RELATCH_MS = 300;

function rtp(seq: number, ssrc: number, fill: number, pt = 0): Buffer {
  const b = Buffer.alloc(172, fill);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 160) >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  return b;
}

/** An RTCP receiver report (PT 201) marked by its SSRC. */
function rtcp(ssrc: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 0x80;
  b[1] = 201;
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(ssrc, 4);
  return b;
}

type Phone = Socket & { inbox: Buffer[] };

async function phone(host: string): Promise<Phone> {
  const s = createSocket("udp4") as Phone;
  s.inbox = [];
  s.on("message", (data) => s.inbox.push(data));
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (what()) return true;
    await sleep(10);
  }
  return what();
}

describe("relay hijack protection (real worker)", () => {
  let engine: MediaEngine;
  let base: number; /** Packets of `phone`'s inbox filled with `fill` (each sender fills its payload with its own byte). */
  /**
   * Latch both sides: b speaks first (its packet has no latched a to go to yet, and goes to a's
   * SDP address on loopback), then a, then b again; each heard by the other.
   */
  async function latchBoth(s: { portA: number; portB: number }, a: Phone, b: Phone): Promise<void> {
    b.send(rtp(1, 0xb, 0xbb), s.portB, RELAY);
    await sleep(50);
    a.send(rtp(1, 0xa, 0xaa), s.portA, RELAY);
    assert.ok(await until(() => from(b, 0xaa) >= 1), "b hears a");
    b.send(rtp(2, 0xb, 0xbb), s.portB, RELAY);
    assert.ok(await until(() => from(a, 0xbb) >= 1), "a hears b");
  }

  const from = (p: Phone, fill: number) => p.inbox.filter((d) => d.length === 172 && d[20] === fill).length;
  const open: Socket[] = [];
  const make = async (host: string) => {
    const p = await phone(host);
    open.push(p);
    return p;
  };
  before(async () => {
    base = await freePort();
    base -= base % 2;
    engine = new MediaEngine({
      minPort: base,
      maxPort: base + 39,
      workers: 1,
      bindAddress: RELAY,
      relatchAfterMs: RELATCH_MS,
    });
    await engine.start();
  });
  after(async () => {
    for (const s of open) s.close();
    await engine.close();
  });

  it("a stranger spraying the port range during a call hears nothing and gets nothing through", async () => {
    const s = await engine.allocate({ a: true, b: true });
    const a = await make("127.0.0.2");
    const b = await make("127.0.0.3");
    const stranger = await make("127.0.0.9");
    try {
      await s.update("a", { address: "127.0.0.2", port: 4000, rtcpMux: false });
      await s.update("b", { address: "127.0.0.3", port: 4002, rtcpMux: false });
      await latchBoth(s, a, b);
      a.send(rtcp(0xa), s.portA + 1, RELAY);
      b.send(rtcp(0xb), s.portB + 1, RELAY);
      for (let round = 0; round < 5; round++) {
        for (let port = base; port <= base + 39; port++) {
          stranger.send(rtp(100 + round, 0x5, 0x55), port, RELAY);
          stranger.send(rtp(100 + round, 0x5, 0x55, 0), port, RELAY);
        }
        a.send(rtp(2 + round, 0xa, 0xaa), s.portA, RELAY);
        b.send(rtp(2 + round, 0xb, 0xbb), s.portB, RELAY);
        await sleep(20);
      }
      assert.ok(await until(() => from(b, 0xaa) >= 6 && from(a, 0xbb) >= 6), "the call goes on");
      await sleep(100);
      assert.equal(stranger.inbox.length, 0, "the stranger hears nothing of the call");
      assert.equal(from(a, 0x55) + from(b, 0x55), 0, "none of its packets reached a phone");
      const st = await s.stats();
      assert.equal(st.a.latched, `127.0.0.2:${a.address().port}`);
      assert.equal(st.b.latched, `127.0.0.3:${b.address().port}`);
    } finally {
      await s.close();
    }
  });

  it("a re-INVITE re-arms the latch for the new address only (not NAT: the SDP address)", async () => {
    const s = await engine.allocate({ a: false, b: true });
    const a = await make("127.0.0.2");
    const moved = await make("127.0.0.4");
    const b = await make("127.0.0.3");
    try {
      await s.update("a", { address: "127.0.0.2", port: a.address().port, rtcpMux: false });
      await s.update("b", { address: "127.0.0.3", port: 4002, rtcpMux: false });
      b.send(rtp(1, 0xb, 0xbb), s.portB, RELAY);
      a.send(rtp(1, 0xa, 0xaa), s.portA, RELAY);
      assert.ok(await until(() => from(b, 0xaa) === 1));
      // The phone moves (re-INVITE with a new c= line): only the new address may latch.
      await s.update("a", { address: "127.0.0.4", port: moved.address().port, rtcpMux: false });
      a.send(rtp(2, 0xa, 0xaa), s.portA, RELAY);
      moved.send(rtp(3, 0xc, 0xcc), s.portA, RELAY);
      assert.ok(await until(() => from(b, 0xcc) === 1), "the new address latched");
      a.send(rtp(4, 0xa, 0xaa), s.portA, RELAY);
      b.send(rtp(2, 0xb, 0xbb), s.portB, RELAY);
      assert.ok(await until(() => from(moved, 0xbb) === 1), "b is heard at the new address");
      await sleep(100);
      assert.equal(from(b, 0xaa), 1, "the old address gets nothing through after the re-INVITE");
      assert.equal(from(a, 0xbb), 1, "and hears nothing more than before the re-INVITE");
    } finally {
      await s.close();
    }
  });

  it("the latch moves only after silence, only to a source that keeps sending in sequence", async () => {
    const s = await engine.allocate({ a: true, b: true });
    const a = await make("127.0.0.2");
    const b = await make("127.0.0.3");
    const stranger = await make("127.0.0.9");
    const remapped = await make("127.0.0.5");
    try {
      await s.update("a", { address: "127.0.0.2", port: 4000, rtcpMux: false });
      await s.update("b", { address: "127.0.0.3", port: 4002, rtcpMux: false });
      await latchBoth(s, a, b);
      // While a talks, a stranger's stream in sequence never takes over.
      for (let i = 0; i < 10; i++) {
        a.send(rtp(2 + i, 0xa, 0xaa), s.portA, RELAY);
        stranger.send(rtp(500 + i, 0x5, 0x55), s.portA, RELAY);
        await sleep(20);
      }
      assert.ok(await until(() => from(b, 0xaa) === 11));
      assert.equal(from(b, 0x55), 0);
      assert.equal(from(b, 0x55), 0, "no take-over while the latched phone talks");
      // a falls silent past the threshold; single or out-of-sequence packets still do not move it.
      await sleep(RELATCH_MS + 400); // the worker looks every 250 ms
      for (const seq of [900, 905, 910, 915]) stranger.send(rtp(seq, 0x5, 0x55), s.portA, RELAY);
      await sleep(100);
      assert.equal(from(b, 0x55), 0, "out-of-sequence packets do not move the latch");
      // A NAT mapped the phone anew: its stream in sequence takes the latch from the 4th packet.
      for (let i = 0; i < 6; i++) {
        remapped.send(rtp(20 + i, 0xa, 0xee), s.portA, RELAY);
        await sleep(20);
      }
      assert.ok(
        await until(() => from(b, 0xee) === 3),
        `b hears the new source from its 4th packet (${from(b, 0xee)})`,
      );
      b.send(rtp(2, 0xb, 0xbb), s.portB, RELAY);
      assert.ok(await until(() => from(remapped, 0xbb) === 1), "b is heard at the new source");
      // RTCP follows: a stranger's RTCP is dropped; the new source's address latches RTCP.
      b.send(rtcp(0xb), s.portB + 1, RELAY); // b's RTCP latched, so a's side has somewhere to go
      await sleep(50);
      stranger.send(rtcp(0x5), s.portA + 1, RELAY);
      remapped.send(rtcp(0xa), s.portA + 1, RELAY);
      const rtcpAt = (p: Phone, ssrc: number) =>
        p.inbox.filter((d) => d[1] === 201 && d.readUInt32BE(4) === ssrc).length;
      assert.ok(await until(() => rtcpAt(b, 0xa) === 1), "the new source's RTCP goes through");
      assert.equal(rtcpAt(b, 0x5), 0, "the stranger's RTCP does not");
      assert.equal(stranger.inbox.length, 0, "and the stranger heard nothing throughout");
      assert.equal((await s.stats()).a.latched, `127.0.0.5:${remapped.address().port}`);
    } finally {
      await s.close();
    }
  });

  it("with relatching off (0), a silent latch never moves", async () => {
    const off = new MediaEngine({
      minPort: base + 40,
      maxPort: base + 59,
      workers: 1,
      bindAddress: RELAY,
      relatchAfterMs: 0,
    });
    await off.start();
    const s = await off.allocate({ a: true, b: true });
    const a = await make("127.0.0.2");
    const b = await make("127.0.0.3");
    const other = await make("127.0.0.5");
    try {
      await s.update("a", { address: "127.0.0.2", port: 4000, rtcpMux: false });
      await s.update("b", { address: "127.0.0.3", port: 4002, rtcpMux: false });
      a.send(rtp(1, 0xa, 0xaa), s.portA, RELAY);
      assert.ok(await until(() => from(b, 0xaa) === 0 && true));
      b.send(rtp(1, 0xb, 0xbb), s.portB, RELAY);
      assert.ok(await until(() => from(a, 0xbb) === 1));
      await sleep(RELATCH_MS + 100);
      for (let i = 0; i < 8; i++) other.send(rtp(20 + i, 0xa, 0xee), s.portA, RELAY);
      await sleep(150);
      assert.equal(from(b, 0xee), 0);
    } finally {
      await s.close();
      await off.close();
    }
  });
});
