/**
 * End to end (issue 23, "Start-up order"): a port already in use stops `parley start` before it
 * writes anything: no database, no default users, no secrets, no banner; the message names the
 * port, what it is for and the flag that moves it. With the port free, the same data dir starts.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePorts } from "../helpers/ports.js";
import { spawnParley } from "../helpers/raw-parley.js";

/** Runs `parley start` to its end (a failing start exits by itself; a good one is stopped). */
async function start(dataDir: string, ports: number[]): Promise<{ code: number | null; output: string }> {
  const parley = spawnParley(dataDir, ports);
  const stopWhenStarted = () => {
    if (parley.output().includes('"parley started"')) parley.proc.kill("SIGTERM");
  };
  parley.proc.stdout.on("data", stopWhenStarted);
  parley.proc.stderr.on("data", stopWhenStarted);
  const { code } = await parley.ended;
  return { code, output: parley.output() };
}

/** Files under the data dir (the dir itself may not exist). */
function written(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

describe("start-up order", () => {
  const base = mkdtempSync(join(tmpdir(), "parley-order-"));
  after(() => rmSync(base, { recursive: true, force: true }));

  it("a SIP port in use stops the start before anything is written", { timeout: 30000 }, async () => {
    const ports = await freePorts(3);
    const dataDir = join(base, "sip");
    const squatter = createSocket("udp4");
    await new Promise<void>((r) => squatter.bind(ports[0], "127.0.0.1", () => r()));
    try {
      const { code, output } = await start(dataDir, ports);
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`SIP over UDP port UDP 127\\.0\\.0\\.1:${ports[0]} is already in use`));
      assert.match(output, /--sip-port/);
      assert.doesNotMatch(output, /administrator password|created default users/);
      assert.deepEqual(written(dataDir), [], "the data dir holds nothing");
    } finally {
      squatter.close();
    }
    // Freed, the same data dir starts and gets its first-start secrets then.
    const { output } = await start(dataDir, ports);
    assert.match(output, /parley started/);
    assert.match(output, /administrator password/);
  });

  it("an HTTP port in use stops it too, naming --http-port", { timeout: 30000 }, async () => {
    const ports = await freePorts(3);
    const dataDir = join(base, "http");
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(ports[2], "127.0.0.1", () => r()));
    try {
      const { code, output } = await start(dataDir, ports);
      assert.equal(code, 1, output);
      assert.match(
        output,
        new RegExp(`HTTP \\(web UI and API\\) port TCP 127\\.0\\.0\\.1:${ports[2]} is already in use`),
      );
      assert.match(output, /--http-port/);
      assert.deepEqual(written(dataDir), []);
    } finally {
      squatter.close();
    }
  });
});
