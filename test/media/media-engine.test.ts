/**
 * The media engine over real UDP sockets on 127.0.0.1: a worker thread relays RTP and RTCP
 * between two "phones" (plain sockets), latching onto where packets really come from.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { MediaEngine, MediaError } from "../../src/media/media-engine.js";
import { freePort } from "../helpers/ports.js";

const HOST = "127.0.0.1";

function rtp(seq: number, ts: number, ssrc: number, pt = 0, payload = 160): Buffer {
  const b = Buffer.alloc(12 + payload, 0xd5);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  return b;
}

async function phone(): Promise<Socket & { inbox: Array<{ data: Buffer; port: number }> }> {
  const s = createSocket("udp4") as Socket & { inbox: Array<{ data: Buffer; port: number }> };
  s.inbox = [];
  s.on("message", (data, from) => s.inbox.push({ data, port: from.port }));
  await new Promise<void>((r) => s.bind(0, HOST, () => r()));
  return s;
}

async function until(what: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return what();
}

describe("MediaEngine (worker thread relay)", () => {
  let engine: MediaEngine;
  let base: number;
  before(async () => {
    base = await freePort();
    // An even base with room: ports are probed, those in use are skipped.
    base = base - (base % 2);
    engine = new MediaEngine({
      minPort: base,
      maxPort: base + 199,
      workers: 2,
      bindAddress: HOST,
      statsIntervalMs: 100,
    });
    await engine.start();
  });
  after(async () => {
    await engine.close();
  });

  it("allocate() gives even ports from the range, one per side", async () => {
    const s = await engine.allocate({ a: false, b: false });
    assert.equal(s.portA % 2, 0);
    assert.equal(s.portB % 2, 0);
    assert.notEqual(s.portA, s.portB);
    assert.ok(s.portA >= base && s.portA <= base + 199);
    await s.close();
  });

  it("relays RTP both ways untouched, latching onto the real source (NAT: SDP port is wrong)", async () => {
    const s = await engine.allocate({ a: true, b: true });
    const pa = await phone();
    const pb = await phone();
    try {
      // Each phone's SDP names a port it does not use (a private address behind NAT would be the same).
      await s.update("a", { address: "10.0.0.5", port: 4000, rtcpMux: false });
      await s.update("b", { address: "10.0.0.6", port: 4002, rtcpMux: false });
      // b speaks first so the relay latches onto its real port before a's packet goes its way.
      pb.send(rtp(1, 160, 0xbbbb), s.portB, HOST);
      await new Promise((r) => setTimeout(r, 50));
      const dtmf = rtp(7, 320, 0xaaaa, 101, 4); // telephone-event, payload relayed as is
      pa.send(dtmf, s.portA, HOST);
      assert.ok(await until(() => pb.inbox.length >= 1), "b received a's packet");
      assert.deepEqual(pb.inbox[0].data, dtmf, "payload untouched");
      assert.equal(pb.inbox[0].port, s.portB, "b hears from the port in its SDP answer");
      pb.send(rtp(2, 320, 0xbbbb), s.portB, HOST);
      assert.ok(await until(() => pa.inbox.length >= 1), "a received b's packet at its real port");
      assert.equal(pa.inbox[0].port, s.portA);
      const st = await s.stats();
      assert.equal(st.a.packetsIn, 1);
      assert.equal(st.b.packetsIn, 2);
      assert.equal(st.a.latched, `${HOST}:${pa.address().port}`);
    } finally {
      pa.close();
      pb.close();
      await s.close();
    }
  });

  it("drops packets from a source other than the SDP address when the side is not NATed", async () => {
    const s = await engine.allocate({ a: false, b: true });
    const pa = await phone();
    const pb = await phone();
    try {
      await s.update("a", { address: "10.9.9.9", port: 4000, rtcpMux: false });
      await s.update("b", { address: HOST, port: pb.address().port, rtcpMux: false });
      pa.send(rtp(1, 0, 1), s.portA, HOST);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(pb.inbox.length, 0);
      assert.equal((await s.stats()).a.packetsIn, 0);
    } finally {
      pa.close();
      pb.close();
      await s.close();
    }
  });

  it("relays RTCP from port+1 to port+1, and muxed RTCP on the RTP port when rtcp-mux", async () => {
    const s = await engine.allocate({ a: true, b: true });
    const pa = await phone();
    const paRtcp = await phone();
    const pb = await phone();
    try {
      await s.update("a", { address: HOST, port: pa.address().port, rtcpMux: false });
      await s.update("b", { address: HOST, port: pb.address().port, rtcpMux: true });
      const sr = Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
      paRtcp.send(sr, s.portA + 1, HOST);
      assert.ok(await until(() => pb.inbox.length === 1), "muxed side got RTCP on its RTP port");
      assert.equal(pb.inbox[0].port, s.portB);
      assert.deepEqual(pb.inbox[0].data, sr);
      // b (muxed) sends RTCP on the RTP port: a, not muxed, gets it on RTCP (its latched port+1).
      pb.send(sr, s.portB, HOST);
      assert.ok(await until(() => paRtcp.inbox.length === 1), "a got RTCP at its latched RTCP source");
      assert.equal(paRtcp.inbox[0].port, s.portA + 1);
      const st = await s.stats();
      assert.equal(st.b.rtcpIn, 1);
      assert.equal(st.b.packetsIn, 0, "RTCP is not counted as RTP");
    } finally {
      for (const p of [pa, paRtcp, pb]) p.close();
      await s.close();
    }
  });

  it("counts loss from sequence gaps and pushes stats without being asked", async () => {
    const s = await engine.allocate({ a: true, b: true });
    const pa = await phone();
    try {
      await s.update("b", { address: HOST, port: 9, rtcpMux: false });
      for (const seq of [65530, 65531, 65533, 65534, 2, 3]) pa.send(rtp(seq, seq * 160, 5), s.portA, HOST);
      // 65530..3 is 10 numbers (wrapping): 6 received, 4 lost.
      assert.ok(await until(() => s.lastStats?.a.packetsIn === 6), "stats pushed by the worker");
      assert.equal(s.lastStats?.a.lost, 4);
      assert.equal(s.lastStats?.b.packetsOut, 6);
    } finally {
      pa.close();
      await s.close();
    }
  });

  it("armTimeout() fires onTimeout once when no RTP flows either way", async () => {
    const s = await engine.allocate({ a: true, b: true });
    const fired: number[] = [];
    s.onTimeout(() => fired.push(Date.now()));
    await s.armTimeout(300);
    assert.ok(await until(() => fired.length === 1, 3000), "timed out");
    // What is tested is that it does not fire again: a window of two timeouts on purpose.
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(fired.length, 1, "reported once");
    await s.close();
  });

  it("armTimeout() fires when one side that should send stops, not for a side that is held (recvonly)", async () => {
    const pa = await phone();
    const held = await engine.allocate({ a: true, b: true });
    const silent = await engine.allocate({ a: true, b: true });
    const fired: string[] = [];
    held.onTimeout(() => fired.push("held"));
    silent.onTimeout(() => fired.push("silent"));
    try {
      await held.update("b", { address: HOST, port: 9, rtcpMux: false, sends: false });
      await silent.update("b", { address: HOST, port: 9, rtcpMux: false, sends: true });
      await held.armTimeout(400);
      await silent.armTimeout(400);
      // a keeps talking on both; b is silent on both.
      for (let i = 0; i < 12; i++) {
        pa.send(rtp(i, i * 160, 1), held.portA, HOST);
        pa.send(rtp(i, i * 160, 2), silent.portA, HOST);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(fired, ["silent"]);
    } finally {
      pa.close();
      await held.close();
      await silent.close();
    }
  });

  it("close() is idempotent and frees the ports for reuse", async () => {
    const s = await engine.allocate({ a: false, b: false });
    const first = s.close();
    assert.equal(s.close(), first);
    await first;
    // The port can be bound again once released.
    const sock = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      sock.once("error", reject);
      sock.bind(s.portA, HOST, () => resolve());
    });
    sock.close();
  });

  it("update() on a closed handle is a no-op, not an error", async () => {
    const s = await engine.allocate({ a: false, b: false });
    await s.close();
    await s.update("a", { address: HOST, port: 1000, rtcpMux: false });
  });
});

describe("MediaEngine limits", () => {
  it("allocate() with no free port rejects with MediaError no_port", async () => {
    let base = await freePort();
    base -= base % 2;
    const engine = new MediaEngine({ minPort: base, maxPort: base + 3, workers: 1, bindAddress: HOST });
    await engine.start();
    try {
      const s = await engine.allocate({ a: false, b: false });
      await assert.rejects(
        engine.allocate({ a: false, b: false }),
        (e: unknown) => e instanceof MediaError && e.code === "no_port",
      );
      await s.close();
      const again = await engine.allocate({ a: false, b: false });
      await again.close();
    } finally {
      await engine.close();
    }
  });

  it("close() rejects what is pending and later requests with MediaError closed", async () => {
    let base = await freePort();
    base -= base % 2;
    const engine = new MediaEngine({ minPort: base, maxPort: base + 99, workers: 1, bindAddress: HOST });
    await engine.start();
    const s = await engine.allocate({ a: false, b: false });
    await engine.close();
    await assert.rejects(s.stats(), (e: unknown) => e instanceof MediaError && e.code === "closed");
    await assert.rejects(engine.allocate({ a: false, b: false }), (e: unknown) => e instanceof MediaError);
    assert.equal(await s.close(), undefined);
  });

  it("a range too small for the workers is refused at construction, naming the range", () => {
    assert.throws(
      () => new MediaEngine({ minPort: 10000, maxPort: 10002, workers: 2, bindAddress: HOST }),
      /10000-10002/,
    );
  });
});

describe("MediaEngine over IPv6", () => {
  it("relays between IPv6 phones when bound to ::1", async () => {
    let base = await freePort();
    base -= base % 2;
    const engine = new MediaEngine({ minPort: base, maxPort: base + 49, workers: 1, bindAddress: "::1" });
    await engine.start();
    const open = async (): Promise<Socket & { inbox: Buffer[] }> => {
      const s = createSocket("udp6") as Socket & { inbox: Buffer[] };
      s.inbox = [];
      s.on("message", (m) => s.inbox.push(m));
      await new Promise<void>((r) => s.bind(0, "::1", () => r()));
      return s;
    };
    const pa = await open();
    const pb = await open();
    try {
      const s = await engine.allocate({ a: false, b: false });
      await s.update("a", { address: "::1", port: pa.address().port, rtcpMux: false });
      await s.update("b", { address: "::1", port: pb.address().port, rtcpMux: false });
      pa.send(rtp(1, 160, 9), s.portA, "::1");
      assert.ok(await until(() => pb.inbox.length === 1), "b got a's packet over IPv6");
      pb.send(rtp(1, 160, 10), s.portB, "::1");
      assert.ok(await until(() => pa.inbox.length === 1), "a got b's packet over IPv6");
      await s.close();
    } finally {
      pa.close();
      pb.close();
      await engine.close();
    }
  });
});
