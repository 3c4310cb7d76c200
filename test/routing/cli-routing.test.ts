/** `parley line|trunk|dialplan ...` and `parley route` run as child processes over SQLite. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";

const MAIN = resolve(import.meta.dirname, "../../src/cli/main.ts");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe("parley line, trunk, dialplan, route (CLI)", () => {
  let dataDir: string;

  function parley(...args: string[]): Promise<CliResult> {
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith("PARLEY_"));
    return new Promise((done, fail) => {
      execFile(
        process.execPath,
        ["--import", "tsx", MAIN, ...args, "--data-dir", dataDir],
        { env: Object.fromEntries(inherited), timeout: 60_000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") fail(error);
          else done({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
    });
  }

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-routing-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("builds FEATURES.md section 5's example 2 and routes 91234567 and 81234567 through it", async () => {
    assert.equal((await parley("user", "add", "100", "--password", "secret-100")).code, 0);
    for (const account of ["1234", "5678"]) {
      // A provider of its own (127.0.0.1:5060 would be this Parley, refused: issue 23).
      const r = await parley("line", "add", account, "server=sip.provider.example", "password=secret");
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(
      (await parley("dialplan", "transition", "add", "1", "type=delete", "start=0", "length=1")).code,
      0,
    );
    for (const [prefix, line] of [
      ["9", "1234"],
      ["8", "5678"],
    ] as const) {
      const r = await parley(
        "dialplan",
        "analyze",
        "add",
        `prefix=${prefix}`,
        "routeType=external-line",
        `externalLine=${line}`,
        "changeNumber=true",
        "transitionId=1",
      );
      assert.equal(r.code, 0, r.stderr);
    }
    const r9 = await parley("route", "100", "91234567", "--json");
    assert.equal(r9.code, 0, r9.stderr);
    const plan = JSON.parse(r9.stdout);
    assert.deepEqual(
      plan.attempts.map((a: { id: string; number: string }) => [a.id, a.number]),
      [["1234", "1234567"]],
    );
    const r8 = await parley("route", "100", "81234567");
    assert.match(r8.stdout, /prefix "8" → external-line/);
    assert.match(r8.stdout, /transition 1: 81234567 → 1234567/);
    assert.match(r8.stdout, /line 5678 \(record\): tried, 1234567/);
    assert.match(r8.stdout, /outcome: out as 1234567 on 5678/);
  });

  it("names each bad field and exits 2; a row in use cannot be removed", async () => {
    const bad = await parley("trunk", "add", "t1", "port=0");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid address: is required/);
    assert.match(bad.stderr, /invalid port: must be at least 1/);
    const inUse = await parley("dialplan", "transition", "remove", "1");
    assert.equal(inUse.code, 2);
    assert.match(inUse.stderr, /is in use: analyze record \d+ applies it/);
  });

  it("never prints a line's password", async () => {
    const shown = await parley("line", "show", "1234", "--json");
    assert.equal(shown.code, 0);
    assert.equal(JSON.parse(shown.stdout).password, undefined);
    assert.doesNotMatch(shown.stdout, /secret/);
  });

  it("route refuses an unknown caller (1) and a number that cannot be dialed (2)", async () => {
    assert.equal((await parley("route", "999", "100")).code, 1);
    assert.equal((await parley("route", "100", "12a")).code, 2);
  });
});
