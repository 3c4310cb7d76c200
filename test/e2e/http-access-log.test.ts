/**
 * HTTP access log (issue 23: "one line per request at info, or only at debug, configurable"):
 * with --http-access-log info a request leaves exactly one info line naming its method, URL,
 * status and duration; with the default (debug) a server at log level info writes none for it
 * (nor Fastify's own "incoming request"/"request completed" lines), and at log level debug the
 * line is there at debug.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";

const INFO = 30;
const DEBUG = 20;

describe("the HTTP access log", () => {
  const started: ParleyProcess[] = [];
  after(async () => {
    for (const p of started) await p.stop();
  });
  const start = async (args: string[]) => {
    const p = await startParley([...args, "--rtp-ports", "37300-37399"]);
    started.push(p);
    return p;
  };
  const accessLines = (p: ParleyProcess, url: string) => p.logs.filter((l) => l.url === url);

  it("--http-access-log info: one info line per request with method, URL, status and duration", async () => {
    const p = await start(["--http-access-log", "info"]);
    assert.equal((await p.api("GET", "/api/v1/status?probe=1")).status, 200);
    assert.equal((await p.api("GET", "/api/v1/no-such-route")).status, 404);
    const line = await p.waitForLog((l) => l.url === "/api/v1/status?probe=1");
    assert.equal(line.level, INFO);
    assert.equal(line.method, "GET");
    assert.equal(line.status, 200);
    assert.equal(typeof line.durationMs, "number");
    assert.ok((line.durationMs as number) >= 0);
    const missing = await p.waitForLog((l) => l.url === "/api/v1/no-such-route");
    assert.equal(missing.status, 404);
    assert.equal(accessLines(p, "/api/v1/status?probe=1").length, 1, "one line per request");
    assert.equal(
      p.logs.filter((l) => l.msg === "incoming request" || l.msg === "request completed").length,
      0,
    );
  });

  it("by default (debug) a server at log level info writes no line per request", async () => {
    const p = await start([]);
    assert.equal((await p.api("GET", "/api/v1/status?probe=2")).status, 200);
    // A later request that logs at info: the first one's line, had there been one, came before it.
    assert.equal((await p.api("PATCH", "/api/v1/system-settings", { noAnswerTime: 50 })).status, 200);
    await p.waitForLog((l) => l.msg === "setting changed at run time");
    assert.equal(accessLines(p, "/api/v1/status?probe=2").length, 0);
    assert.equal(
      p.logs.filter((l) => l.msg === "incoming request" || l.msg === "request completed").length,
      0,
    );
  });

  it("by default at log level debug the line is written at debug", async () => {
    const p = await start(["--log-level", "debug"]);
    assert.equal((await p.api("GET", "/api/v1/status?probe=3")).status, 200);
    const line = await p.waitForLog((l) => l.url === "/api/v1/status?probe=3");
    assert.equal(line.level, DEBUG);
    assert.equal(line.status, 200);
  });
});
