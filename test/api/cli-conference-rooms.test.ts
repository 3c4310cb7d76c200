/**
 * `parley conference-rooms list|add|set|delete` run as child processes over a SQLite store in a
 * temp data dir (issue 17: conference rooms in the CLI, errors naming the field). Proven: rooms
 * added, listed (text and JSON), changed (PIN, moderator, renumbered) and deleted; bad values
 * refused with exit code 2 and the field or option named; a missing room or a taken number exits 1.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley conference-rooms (CLI)", () => {
  let dataDir: string;

  const parley = (args: string[]) => runParleyCli(args, dataDir);

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-conference-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("adds, lists, changes and deletes rooms", async () => {
    const added = await parley(["conference-rooms", "add", "7001", "--name", "Board", "--pin", "1234"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /7001\s+Board\s+1234\s+5\s+-\s+no\s+no/);
    assert.match(added.stderr, /within 5 seconds/);
    const set = await parley([
      "conference-rooms",
      "set",
      "7001",
      "--number",
      "7002",
      "--moderator-pin",
      "99",
      "--wait-for-moderator",
      "yes",
      "--max-members",
      "10",
      "--json",
    ]);
    assert.equal(set.code, 0, set.stderr);
    const changed = JSON.parse(set.stdout) as {
      number: string;
      waitForModerator: boolean;
      maxMembers: number;
    };
    assert.deepEqual([changed.number, changed.waitForModerator, changed.maxMembers], ["7002", true, 10]);
    const listed = JSON.parse((await parley(["conference-rooms", "list", "--json"])).stdout) as Array<{
      number: string;
      moderatorPin: string;
    }>;
    assert.deepEqual(
      listed.map((r) => [r.number, r.moderatorPin]),
      [["7002", "99"]],
    );
    const deleted = await parley(["conference-rooms", "delete", "7002"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await parley(["conference-rooms", "list"])).stdout.includes("7002"), false);
  });

  it("refuses bad values naming the field (2); a missing room or a taken number exits 1", async () => {
    const bad = await parley(["conference-rooms", "add", "70x", "--max-members", "0"]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /number/);
    assert.match(bad.stderr, /maxMembers/);
    const flag = await parley(["conference-rooms", "add", "7005", "--locked", "maybe"]);
    assert.equal(flag.code, 2, flag.stderr);
    assert.match(flag.stderr, /--locked/);
    assert.equal((await parley(["conference-rooms", "delete", "7999"])).code, 1);
    assert.equal((await parley(["conference-rooms", "add", "7006"])).code, 0);
    assert.equal((await parley(["conference-rooms", "add", "7006"])).code, 1);
  });
});
