/**
 * `parley call-list ...` and `parley ip-list ...` run as child processes over a SQLite store in a
 * temp data dir (issue 16: the lists in the CLI, errors naming the field). Proven: records and
 * entries added, listed (text and JSON), changed and removed; the blocked call's answer shown and
 * set; bad values refused with exit code 2 and the field named; a missing id exits 1.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley call-list and ip-list (CLI)", () => {
  let dataDir: string;

  const parley = (args: string[]) => runParleyCli(args, dataDir);

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-lists-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("adds, lists, changes and removes call list records", async () => {
    const added = await parley(["call-list", "add", "0086", "*", "--kind", "black", "--rate", "50"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /0086\s+\*\s+black\s+50/);
    assert.match(added.stderr, /next start/);
    const anonymous = await parley(["call-list", "add", "anonymous", "*", "--json"]);
    const record = JSON.parse(anonymous.stdout) as { id: number; kind: string; rate: number };
    assert.equal(record.kind, "black");
    assert.equal(record.rate, 100);
    const set = await parley(["call-list", "set", String(record.id), "--kind", "white"]);
    assert.equal(set.code, 0, set.stderr);
    const listed = await parley(["call-list", "list", "--json"]);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as Array<{ callerPrefix: string; kind: string }>).map((r) => [
        r.callerPrefix,
        r.kind,
      ]),
      [
        ["0086", "black"],
        ["anonymous", "white"],
      ],
    );
    assert.equal((await parley(["call-list", "remove", String(record.id)])).code, 0);
    const missing = await parley(["call-list", "remove", String(record.id)]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not found/);
  });

  it("refuses bad values naming the field, and a taken prefix pair", async () => {
    const bad = await parley(["call-list", "add", "12x", "*", "--kind", "grey", "--rate", "500"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid callerPrefix/);
    assert.match(bad.stderr, /invalid kind/);
    assert.match(bad.stderr, /invalid rate/);
    const taken = await parley(["call-list", "add", "0086", "*"]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already exists/);
  });

  it("shows and sets the answer of a blocked call", async () => {
    assert.match((await parley(["call-list", "response"])).stdout, /response\s+603/);
    assert.match((await parley(["call-list", "response", "486"])).stdout, /response\s+486/);
    const bad = await parley(["call-list", "response", "500"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid response/);
  });

  it("adds, changes and removes IP list entries, naming a bad address", async () => {
    const added = await parley(["ip-list", "add", "127.0.0.2", "--kind", "reject", "--json"]);
    assert.equal(added.code, 0, added.stderr);
    const { id } = JSON.parse(added.stdout) as { id: number };
    const set = await parley(["ip-list", "set", String(id), "--address", "10.0.0.0/8", "--kind", "accept"]);
    assert.match(set.stdout, /10\.0\.0\.0\/8\s+accept/);
    const bad = await parley(["ip-list", "add", "10.0.0.0/99", "--kind", "reject"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid address/);
    assert.match((await parley(["ip-list", "list"])).stdout, /10\.0\.0\.0\/8/);
    assert.equal((await parley(["ip-list", "remove", String(id)])).code, 0);
    assert.equal((await parley(["ip-list", "remove", String(id)])).code, 1);
  });
});
