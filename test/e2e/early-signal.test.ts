/**
 * End to end (issue 22, "SIGTERM in the first moments after start-up"): a SIGTERM that arrives as
 * soon as SIP answers, while the rest of the server is still starting, stops Parley cleanly
 * (exit 0, "parley stopped") instead of killing it (143), every time.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePorts } from "../helpers/ports.js";
import { spawnParley } from "../helpers/raw-parley.js";

/** Start Parley, SIGTERM it at the first SIP answer, and return how it ended. */
async function termAtFirstAnswer(
  dataDir: string,
): Promise<{ code: number | null; signal: string | null; output: string }> {
  const ports = await freePorts(3);
  const sip = String(ports[0]);
  const parley = spawnParley(dataDir, ports);
  const { proc, ended } = parley;
  const probe = createSocket("udp4");
  await new Promise<void>((r) => probe.bind(0, "127.0.0.1", () => r()));
  const port = probe.address().port;
  let n = 0;
  const options = () =>
    Buffer.from(
      `OPTIONS sip:127.0.0.1:${sip} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKearly${++n}\r\n` +
        `Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:127.0.0.1>\r\nCall-ID: early-${n}\r\n` +
        `CSeq: ${n} OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    );
  const answered = new Promise<void>((resolve, reject) => {
    probe.once("message", () => resolve());
    void ended.then(() =>
      reject(new Error(`parley ended before SIP answered:\n${parley.output().slice(-1500)}`)),
    );
  });
  const timer = setInterval(() => probe.send(options(), Number(sip), "127.0.0.1"), 5);
  try {
    await answered;
  } finally {
    clearInterval(timer);
    probe.close();
  }
  proc.kill("SIGTERM");
  return { ...(await ended), output: parley.output() };
}

describe("a SIGTERM right after SIP answers", () => {
  const base = mkdtempSync(join(tmpdir(), "parley-term-"));
  after(() => rmSync(base, { recursive: true, force: true }));

  it("stops Parley cleanly, four times out of four", { timeout: 120000 }, async () => {
    for (let i = 0; i < 4; i++) {
      const { code, signal, output } = await termAtFirstAnswer(join(base, String(i)));
      assert.equal(signal, null, `try ${i}: killed by ${signal}\n${output.slice(-1500)}`);
      assert.equal(code, 0, `try ${i}: exit ${code}\n${output.slice(-1500)}`);
      assert.match(output, /parley stopped/);
    }
  });
});
