/**
 * `parley hunt-group ...` and `parley hunt-detection ...` run as child processes over a SQLite
 * store in a temp data dir (issue 16: hunt groups in the CLI, errors naming the field). Proven:
 * groups added, listed (text and JSON), changed (renumbered, with their detections) and removed;
 * detection records added and removed; bad values refused with exit code 2 and the field named;
 * a missing group exits 1.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley hunt-group and hunt-detection (CLI)", () => {
  let dataDir: string;

  const parley = (args: string[]) => runParleyCli(args, dataDir);

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-groups-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("adds, lists, changes and removes hunt groups and detection records", async () => {
    const added = await parley([
      "hunt-group",
      "add",
      "600",
      "--members",
      "101,102",
      "--strategy",
      "circular",
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /600\s+circular\s+20s\s+busy\s+101,102/);
    assert.match(added.stderr, /within 5 seconds/);
    const detection = await parley(["hunt-detection", "add", "123456", "600", "--json"]);
    assert.equal(detection.code, 0, detection.stderr);
    const record = JSON.parse(detection.stdout) as { id: number; dialPlan: string };
    assert.equal(record.dialPlan, "default");
    const set = await parley([
      "hunt-group",
      "set",
      "600",
      "--number",
      "610",
      "--unanswered",
      "voicemail",
      "--target",
      "101",
      "--ring-time",
      "9",
    ]);
    assert.equal(set.code, 0, set.stderr);
    const listed = JSON.parse((await parley(["hunt-group", "list", "--json"])).stdout) as Array<{
      number: string;
      noAnswer: string;
      ringTime: number;
    }>;
    assert.deepEqual(
      listed.map((g) => [g.number, g.noAnswer, g.ringTime]),
      [["610", "voicemail", 9]],
    );
    const detections = await parley(["hunt-detection", "list"]);
    assert.match(detections.stdout, /default\s+123456\s+610/, "the record followed the new number");
    assert.equal((await parley(["hunt-detection", "remove", String(record.id)])).code, 0);
    assert.equal((await parley(["hunt-group", "remove", "610"])).code, 0);
  });

  it("names each bad field (exit 2) and a missing group (exit 1)", async () => {
    const bad = await parley(["hunt-group", "add", "6x", "--strategy", "random", "--ring-time", "0"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid number/);
    assert.match(bad.stderr, /invalid strategy/);
    assert.match(bad.stderr, /invalid ringTime/);
    const orphan = await parley(["hunt-detection", "add", "1", "699"]);
    assert.equal(orphan.code, 2);
    assert.match(orphan.stderr, /invalid huntGroup: no hunt group has the number "699"/);
    const missing = await parley(["hunt-group", "remove", "699"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /hunt group "699" not found/);
  });
});
