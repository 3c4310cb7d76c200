/**
 * `parley emergency list|add|set|remove` and the password policy of `parley user add|set`, run as
 * child processes over a SQLite store in a temp data dir (issue 23). Proven: the defaults listed
 * (text and JSON), a number added, changed and removed, a bad one refused with exit code 2 naming
 * the field, a missing one exit 1; `user add 112` refused naming the emergency numbers table;
 * `user add` and `user set password=...` refuse a short password or the extension number, naming
 * `password` and the rule (exit 2), take a compliant one, and follow PARLEY_MIN_PASSWORD_LENGTH.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley emergency and the password policy (CLI)", () => {
  let dataDir: string;
  const parley = (args: string[], env: Record<string, string> = {}) => runParleyCli(args, dataDir, env);

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-emergency-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("lists the defaults, adds, changes and removes a number", async () => {
    const listed = await parley(["emergency", "list"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^NUMBER\s+LINE\s+DESCRIPTION\n112\s+-\s*\n911\s+-\s*\n999\s+-\s*\n$/);
    const added = await parley(["emergency", "add", "118", "--description", "sea rescue"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /118\s+-\s+sea rescue/);
    const set = await parley(["emergency", "set", "118", "--description", "coast guard", "--json"]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal((JSON.parse(set.stdout) as Array<{ description: string }>)[0]?.description, "coast guard");
    const json = await parley(["emergency", "list", "--json"]);
    assert.deepEqual(
      (JSON.parse(json.stdout) as Array<{ number: string }>).map((e) => e.number),
      ["112", "118", "911", "999"],
    );
    assert.equal((await parley(["emergency", "remove", "118"])).code, 0);
    const missing = await parley(["emergency", "remove", "118"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /emergency number "118" not found/);
  });

  it("refuses a bad number (exit 2, the field named) and an unknown line", async () => {
    const bad = await parley(["emergency", "add", "11x"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid number: must be 1-32 of digits/);
    const line = await parley(["emergency", "add", "117", "--line", "nope"]);
    assert.equal(line.code, 2);
    assert.match(line.stderr, /invalid line: no external line "nope"/);
  });

  it("user add 112 is refused, naming the emergency numbers table", async () => {
    const res = await parley(["user", "add", "112", "--password", "long-enough-1"]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /invalid name: 112 is an emergency number \(emergency numbers table\)/);
  });

  it("user add refuses a short password and the extension number, naming the rule", async () => {
    const short = await parley(["user", "add", "200", "--password", "1234567"]);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /invalid password: must be at least 8 characters/);
    const same = await parley(["user", "add", "20012345", "--password", "20012345"]);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /invalid password: must not equal the extension number/);
    const ok = await parley(["user", "add", "200", "--password", "12345678"]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it("user set password=... follows the same rules and the configured minimum", async () => {
    const weak = await parley(["user", "set", "200", "password=200"]);
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /invalid password: must be at least 8 characters/);
    assert.match(weak.stderr, /invalid password: must not equal the extension number/);
    const longer = await parley(["user", "set", "200", "password=abcdefghij"], {
      PARLEY_MIN_PASSWORD_LENGTH: "12",
    });
    assert.equal(longer.code, 2);
    assert.match(longer.stderr, /invalid password: must be at least 12 characters/);
    const ok = await parley(["user", "set", "200", "password=abcdefghij"]);
    assert.equal(ok.code, 0, ok.stderr);
    const other = await parley(["user", "set", "200", "displayName=Alice"]);
    assert.equal(other.code, 0, other.stderr);
  });
});
