/**
 * `parley recordings list|delete` and `parley user set <name> recording=...` run as a child process
 * over a SQLite store in a temp data dir (issue 17: call recordings listed and deleted from the
 * CLI; a user's recording setting set from it, a bad value named). Not covered: a running server
 * (the rows are the store's, so it sees them at once).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { storeFromUrl } from "../../src/store/index.js";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley recordings (CLI)", () => {
  let dataDir: string;
  const file = "calls/2027/03/01/call-1.wav";

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-recordings-"));
    const store = await storeFromUrl(undefined, dataDir);
    await store.migrate();
    const domainId = (await store.domains.getDefault()).id;
    await store.users.create(domainId, { name: "100", password: "secret100" });
    for (const [id, at] of [
      ["call-1", Date.UTC(2027, 2, 1, 9)],
      ["call-2", Date.UTC(2027, 2, 1, 10)],
    ] as const)
      await store.recordings.insert({
        id,
        domainId,
        callId: id,
        caller: "100",
        callee: id === "call-1" ? "101" : "102",
        startedAt: at,
        durationMs: 75_000,
        bytes: 1_200_044,
        channels: 1,
        file: `calls/2027/03/01/${id}.wav`,
      });
    await store.close();
    mkdirSync(join(dataDir, "recordings/calls/2027/03/01"), { recursive: true });
    writeFileSync(join(dataDir, "recordings", file), "RIFF");
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("lists recordings newest first, as text and JSON, filtered by number", async () => {
    const text = await runParleyCli(["recordings", "list"], dataDir);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trim().split("\n");
    assert.match(lines[0], /^ID\s+STARTED\s+CALLER\s+CALLEE\s+LENGTH\s+BYTES\s+FILE/);
    assert.match(lines[1], /^call-2\s+2027-03-01T10:00:00\.000Z\s+100\s+102\s+1:15\s+1200044/);
    assert.match(lines[2], /^call-1\s/);
    assert.equal(lines[3], "2 of 2 recordings");
    const json = await runParleyCli(["recordings", "list", "--number", "101", "--json"], dataDir);
    assert.deepEqual(
      JSON.parse(json.stdout).items.map((r: { id: string }) => r.id),
      ["call-1"],
    );
  });

  it("deletes a recording and its file; an unknown one is an error", async () => {
    const path = join(dataDir, "recordings", file);
    assert.equal(existsSync(path), true);
    const done = await runParleyCli(["recordings", "delete", "call-1"], dataDir);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /recording call-1 \(100 → 101\) deleted/);
    assert.equal(existsSync(path), false);
    const again = await runParleyCli(["recordings", "delete", "call-1"], dataDir);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /call-1/);
  });

  it("parley user set takes recording=always and names the field for a bad value", async () => {
    const ok = await runParleyCli(["user", "set", "100", "recording=always", "--json"], dataDir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).recording, "always");
    const bad = await runParleyCli(["user", "set", "100", "recording=sometimes"], dataDir);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /recording/);
  });
});
