/**
 * Issue 23: `parley line add|set` and `parley trunk add|set` refuse a line or trunk pointing at
 * Parley itself (exit 2, the field named: "invalid server: points at this Parley ..."). With no
 * running server to ask, Parley's SIP listeners are those of the settings the command reads like
 * `start` (bind 0.0.0.0 and SIP port 5060 by default; PARLEY_SIP_PORT and the others change them).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley line and trunk refuse pointing at this Parley (CLI)", () => {
  let dataDir: string;
  const parley = (args: string[], env: Record<string, string> = {}) => runParleyCli(args, dataDir, env);
  const POINTS = /points at this Parley \(it listens for SIP over UDP on 0\.0\.0\.0:5060\)/;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-self-ref-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("line add at 127.0.0.1 or localhost with Parley's SIP port: exit 2 naming server", async () => {
    for (const server of ["127.0.0.1", "localhost"]) {
      const r = await parley(["line", "add", `l-${server}`, `server=${server}`, "password=secret"]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^parley: invalid server: /);
      assert.match(r.stderr, POINTS);
    }
    assert.equal((await parley(["line", "list"])).stdout.includes("l-127"), false);
  });

  it("trunk add at Parley's address: exit 2 naming address; another port is accepted", async () => {
    const r = await parley(["trunk", "add", "t1", "address=127.0.0.1", "port=5060"]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^parley: invalid address: /);
    assert.match(r.stderr, POINTS);
    const ok = await parley(["trunk", "add", "t2", "address=127.0.0.1", "port=5070"]);
    assert.equal(ok.code, 0, ok.stderr);
    const set = await parley(["trunk", "set", "t2", "port=5060"]);
    assert.equal(set.code, 2, set.stdout + set.stderr);
    assert.match(set.stderr, POINTS);
  });

  it("the SIP port of the settings counts: with PARLEY_SIP_PORT=5080, 5080 is refused and 5060 accepted", async () => {
    const env = { PARLEY_SIP_PORT: "5080" };
    const refused = await parley(["line", "add", "p1", "server=127.0.0.1", "serverPort=5080"], env);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(
      refused.stderr,
      /invalid server: points at this Parley \(it listens for SIP over UDP on 0\.0\.0\.0:5080\)/,
    );
    const ok = await parley(["line", "add", "p2", "server=127.0.0.1", "serverPort=5060"], env);
    assert.equal(ok.code, 0, ok.stderr);
    const set = await parley(["line", "set", "p2", "serverPort=5080"], env);
    assert.equal(set.code, 2, set.stdout + set.stderr);
    assert.match(set.stderr, /invalid server: points at this Parley/);
  });
});
