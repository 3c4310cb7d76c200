/**
 * The CLI writes times as the API does (issue 23): ISO 8601 with its zone in `--json` output of
 * stored rows (a user's createdAt/updatedAt, epoch milliseconds before) and in the CDR table,
 * which also shows the duration, the talk time and the hang-up cause. Run from the source, as a
 * child process over a SQLite store in a temp data dir.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { storeFromUrl } from "../../src/store/index.js";
import { runParleyCli } from "../helpers/parley-cli.js";
import { sampleCdr } from "../store/cdr-fixtures.js";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("times in the CLI's output", () => {
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-times-"));
    const store = await storeFromUrl(undefined, dataDir);
    await store.migrate();
    const domainId = (await store.domains.getDefault()).id;
    await store.cdrs.insert(sampleCdr({ domainId, hangupCause: "callee-bye" }));
    await store.close();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("user add, show and list --json write createdAt and updatedAt as ISO 8601", async () => {
    const added = await runParleyCli(
      ["user", "add", "3101", "--password", "a-long-secret-3101", "--json"],
      dataDir,
    );
    assert.equal(added.code, 0, added.stderr);
    for (const args of [
      ["user", "show", "3101", "--json"],
      ["user", "list", "--json"],
    ]) {
      const r = await runParleyCli(args, dataDir);
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      for (const user of body.items ?? [body]) {
        assert.match(user.createdAt, ISO, `${args.join(" ")}: ${user.name}`);
        assert.match(user.updatedAt, ISO);
      }
    }
  });

  it("cdr list shows the start in ISO 8601, the duration, the talk time and the cause", async () => {
    const r = await runParleyCli(["cdr", "list"], dataDir);
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = r.stdout.split("\n");
    assert.match(header!, /\bDURATION\s+TALK\s+CAUSE\b/);
    assert.match(row!, /^1\s+2027-01-15T08:00:00\.000Z\s.*\s1:06\s+1:02\s+callee-bye\s+200 OK$/);
  });
});
