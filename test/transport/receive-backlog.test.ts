/**
 * Issue 22: the receive backlog meter on a real UDP socket. Datagrams that arrive while the event
 * loop is blocked pile up in the kernel; the next turns read them in full batches. Datagrams that
 * arrive one at a time, each read at once, are no backlog.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { describe, it } from "node:test";
import { ReceiveBacklog } from "../../src/transport/receive-backlog.js";

function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy: the kernel queues what arrives meanwhile.
  }
}

describe("ReceiveBacklog", () => {
  it("sees full batches after a stall, and none for datagrams read as they come", async () => {
    const meter = new ReceiveBacklog();
    const rx = createSocket({ type: "udp4", recvBufferSize: 4 * 1024 * 1024 });
    let received = 0;
    rx.on("message", () => {
      meter.read();
      received++;
    });
    await new Promise<void>((r) => rx.bind(0, "127.0.0.1", () => r()));
    const tx = createSocket("udp4");
    const port = rx.address().port;
    const payload = Buffer.alloc(100);
    try {
      for (let i = 0; i < 20; i++) {
        tx.send(payload, port, "127.0.0.1");
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(received, 20);
      assert.deepEqual(meter.take(), { share: 0, datagrams: 20 }, "one at a time: no backlog");

      // 1,000 datagrams sent while this loop is blocked: they wait in the kernel.
      const sender = createSocket("udp4");
      const sent = new Promise<void>((resolve) => {
        let n = 0;
        for (let i = 0; i < 1000; i++)
          sender.send(payload, port, "127.0.0.1", () => ++n === 1000 && resolve());
      });
      await sent;
      blockFor(100);
      await new Promise((r) => setTimeout(r, 200));
      sender.close();
      assert.ok(received > 500, `read ${received}`);
      const after = meter.take();
      assert.ok(after.share > 0.5, `most turns found a full batch waiting: ${JSON.stringify(after)}`);
      assert.equal(after.datagrams, received - 20);
    } finally {
      tx.close();
      rx.close();
    }
  });
});
