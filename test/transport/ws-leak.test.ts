/**
 * Issue 20, bad input without leaks: 1,000 rounds of (a client without the sip subprotocol) /
 * (a connection sending a malformed frame) / (a 2 MB message) against one running SIP WebSocket
 * transport leave no flow, no socket and bounded memory behind (heap and RSS compared after
 * garbage collection, before and after). Not here: the behaviour of each refusal
 * (ws-transport.test.ts).
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type Harness, startTransport } from "./helpers.js";
import { HandshakeRefused, WsPeer } from "./ws-helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const ROUNDS = 1_000;
const PARALLEL = 25;
const BIG = Buffer.alloc(2 * 1024 * 1024, 0x61);
const MB = 1024 * 1024;

/** A handshake with the sip subprotocol followed at once by a frame with reserved bits set. */
function garbageFrame(port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n",
      );
      socket.write(Buffer.from([0xff, 0xff, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]));
    });
    socket.on("data", () => {});
    socket.on("error", () => {});
    socket.once("close", () => resolve());
    setTimeout(() => reject(new Error("a malformed-frame connection was not closed")), 10_000).unref();
  });
}

async function noSubprotocol(url: string): Promise<void> {
  try {
    (await WsPeer.connect(url, [])).ws.terminate();
  } catch (err) {
    if (err instanceof HandshakeRefused && err.status === 400) return;
    throw err;
  }
  throw new Error("a client without the sip subprotocol was accepted");
}

async function bigMessage(url: string): Promise<void> {
  // A zero mask spares the client masking 2 GB in all (RFC 6455 5.3 leaves the mask to the client).
  const peer = await WsPeer.connect(url, ["sip"], { generateMask: (mask) => mask.fill(0) });
  peer.send(BIG);
  const code = await peer.waitClosed(10_000);
  if (code !== 1009) throw new Error(`closed with ${code}, not 1009`);
}

async function rounds(h: Harness, count: number): Promise<void> {
  const port = h.port("WS");
  const url = `ws://127.0.0.1:${port}/`;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await noSubprotocol(url);
      await garbageFrame(port);
      await bigMessage(url);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

/** Heap and RSS after collecting garbage (twice, with a turn between for finalizers). */
async function memory(): Promise<{ heap: number; rss: number }> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function settled(h: Harness): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (h.transport.stats.connectionsOpen > 0) {
    if (Date.now() > deadline) assert.fail(`${h.transport.stats.connectionsOpen} flows still open`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("SIP over WebSocket under 1,000 rounds of bad input", () => {
  let h: Harness;
  before(async () => {
    h = await startTransport({
      listeners: [{ protocol: "WS", address: "127.0.0.1", port: 0 }],
      badMessageLingerMs: 200,
    });
  });
  after(() => h.transport.stop());

  it("refuses or closes every one and keeps memory bounded (< 20 MB heap, < 40 MB RSS growth)", async (t) => {
    await rounds(h, 50);
    await settled(h);
    const start = await memory();
    const opened = h.transport.stats.connectionsOpened;
    await rounds(h, ROUNDS);
    await settled(h);
    const end = await memory();
    // Every malformed-frame and 2 MB round opened a flow, and every one is closed again.
    assert.equal(h.transport.stats.connectionsOpened - opened, 2 * ROUNDS);
    const heap = (end.heap - start.heap) / MB;
    const rss = (end.rss - start.rss) / MB;
    assert.ok(heap < 20, `heap grew ${heap.toFixed(1)} MB`);
    assert.ok(rss < 40, `RSS grew ${rss.toFixed(1)} MB`);
    t.diagnostic(`after ${ROUNDS} rounds: heap ${heap.toFixed(2)} MB, RSS ${rss.toFixed(2)} MB`);
  });
});
