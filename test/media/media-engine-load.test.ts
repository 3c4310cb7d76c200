/**
 * Issue 23, the media figures GET /metrics reads at scrape time: MediaEngine.workerLoad() (each
 * worker's sessions and event-loop busy time) and relayTraffic() (RTP packets relayed in and out
 * and lost since start: the live sessions' latest stats plus the released sessions' final ones),
 * over real UDP sockets on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { MediaEngine } from "../../src/media/media-engine.js";
import { freePort } from "../helpers/ports.js";

const HOST = "127.0.0.1";

function rtp(seq: number): Buffer {
  const b = Buffer.alloc(172, 0xd5);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(0xabcd, 8);
  return b;
}

async function phone(): Promise<Socket & { received: number }> {
  const s = createSocket("udp4") as Socket & { received: number };
  s.received = 0;
  s.on("message", () => {
    s.received++;
  });
  await new Promise<void>((r) => s.bind(0, HOST, () => r()));
  return s;
}

async function until(what: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return what();
}

describe("MediaEngine's load and relayed traffic (metrics)", () => {
  let engine: MediaEngine;
  before(async () => {
    let base = await freePort();
    base = base - (base % 2);
    engine = new MediaEngine({
      minPort: base,
      maxPort: base + 99,
      workers: 2,
      bindAddress: HOST,
      statsIntervalMs: 50,
    });
    await engine.start();
  });
  after(() => engine.close());

  it("workerLoad() lists each worker with its sessions and its busy time", async () => {
    const idle = engine.workerLoad();
    assert.deepEqual(
      idle.map((w) => [w.worker, w.sessions]),
      [
        [0, 0],
        [1, 0],
      ],
    );
    const s = await engine.allocate({ a: false, b: false });
    try {
      const busy = engine.workerLoad();
      assert.equal(
        busy.reduce((n, w) => n + w.sessions, 0),
        1,
        "the session is on one worker",
      );
      // NOTE: not monotonic (Node counts an idle period in progress as active until it ends); the
      // metric built on it never goes down (parley-metrics.ts).
      assert.ok(
        busy.some((w) => w.activeMs > 0),
        "a worker's event loop did work",
      );
    } finally {
      await s.close();
    }
    assert.equal(
      engine.workerLoad().reduce((n, w) => n + w.sessions, 0),
      0,
    );
  });

  it("relayTraffic() counts a live session's packets and loss, and keeps them once it is released", async () => {
    const start = engine.relayTraffic();
    const s = await engine.allocate({ a: false, b: false });
    const pa = await phone();
    const pb = await phone();
    try {
      await s.update("a", { address: HOST, port: pa.address().port, rtcpMux: false });
      await s.update("b", { address: HOST, port: pb.address().port, rtcpMux: false });
      // Sequence numbers 1 to 10 with 4 and 7 missing: 8 packets in, 2 lost (RFC 3550 A.3).
      for (const seq of [1, 2, 3, 5, 6, 8, 9, 10]) pa.send(rtp(seq), s.portA, HOST);
      assert.ok(await until(() => pb.received === 8), `b received ${pb.received} of 8`);
      const live = () => engine.relayTraffic();
      assert.ok(
        await until(() => live().packetsIn - start.packetsIn === 8 && live().lost - start.lost === 2),
        `live: ${JSON.stringify(live())} from ${JSON.stringify(start)}`,
      );
      assert.equal(live().packetsOut - start.packetsOut, 8, "sent on to b");
    } finally {
      pa.close();
      pb.close();
      await s.close();
    }
    const released = engine.relayTraffic();
    assert.equal(engine.size, 0);
    assert.equal(released.packetsIn - start.packetsIn, 8, "kept after the release");
    assert.equal(released.packetsOut - start.packetsOut, 8);
    assert.equal(released.lost - start.lost, 2);
  });
});
