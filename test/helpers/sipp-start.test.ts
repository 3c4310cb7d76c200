/**
 * The readiness helpers that replace fixed sleeps before a peer is sent to: isPortBound() reads
 * the kernel's socket tables (a process's own socket only, with its pid), and startSipp() resolves
 * once sipp's socket is bound, starting it again elsewhere when its free port was taken meanwhile.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { isPortBound, waitPortBound } from "./port-bound.js";
import { freePort } from "./ports.js";
import { missingTool } from "./run-tool.js";
import { portWasTaken, startSipp } from "./sipp.js";

describe("isPortBound()", () => {
  it("sees a UDP socket bound to the port, and no longer once it is closed", async () => {
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const { port } = sock.address();
    assert.equal(await isPortBound(port, "udp"), true);
    assert.equal(await isPortBound(port, "udp", process.pid), true, "this process's own socket");
    assert.equal(await isPortBound(port, "udp", 1), false, "not a socket of another process");
    await new Promise<void>((r) => sock.close(() => r()));
    assert.equal(await isPortBound(port, "udp"), false);
  });

  it("sees a listening TCP socket", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const { port } = srv.address() as { port: number };
    assert.equal(await isPortBound(port, "tcp"), true);
    await new Promise<void>((r) => srv.close(() => r()));
    assert.equal(await isPortBound(port, "tcp"), false);
  });

  it("waitPortBound() gives up when the watched process ends first", async () => {
    const port = await freePort();
    assert.equal(await waitPortBound(port, "udp", { stop: Promise.resolve(), timeoutMs: 5000 }), false);
  });
});

describe("startSipp()", { skip: missingTool("sipp") }, () => {
  it("resolves once sipp listens, and when its port was taken starts it on the next one", async () => {
    const taken = createSocket("udp4");
    await new Promise<void>((r) => taken.bind(0, "127.0.0.1", () => r()));
    const busy = taken.address().port;
    const other = await freePort();
    try {
      const run = { scenario: "call-uas-answer.xml", port: busy, timeoutSeconds: 1 };
      const sipp = await startSipp(run, async () => other);
      assert.equal(sipp.port, other, "moved to the port nextPort() gave");
      assert.equal(sipp.bound, true);
      assert.equal(await isPortBound(other, "udp"), true, "sipp is listening when startSipp resolves");
      await sipp.done;
      // Without nextPort, the failure is reported, not hidden.
      const stuck = await startSipp(run);
      assert.equal(stuck.bound, false);
      assert.ok(portWasTaken(await stuck.done), "sipp said the port was taken");
    } finally {
      taken.close();
    }
  });
});
