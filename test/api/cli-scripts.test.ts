/**
 * `parley scripts` and `parley script-triggers` run as child processes against a real API on
 * 127.0.0.1 with a real Lua engine (issue 18: scripts and triggers managed from the CLI as in the
 * API). Proven: save from a file (and standard input is read the same way), list, show, check
 * without saving, a syntax error refused with its line and exit 1 (the old text kept), delete;
 * triggers added, listed in run order, changed and deleted; a bad option exits 2 naming it; a
 * dial plan record of route type script (its script shown, a missing one named).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { LuaVmHost, ScriptFiles } from "../../src/scripting/index.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { runParleyCli } from "../helpers/parley-cli.js";
import { baseApiDeps, NOW, TOKEN } from "./fixtures.js";

describe("parley scripts / script-triggers (CLI)", () => {
  let dir: string;
  let dataDir: string;
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  const cli = (...args: string[]) => runParleyCli([...args, "--url", url, "--token", TOKEN], dataDir);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-cli-scripts-api-"));
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-scripts-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    app = await createApi({
      ...baseApiDeps(store),
      now: () => NOW,
      scripts: new ScriptFiles(dir, new LuaVmHost()),
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    assert.ok(address && typeof address === "object");
    url = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("saves a script from a file, lists it and shows its source", async () => {
    const file = join(dataDir, "screen.lua");
    writeFileSync(file, 'log("screening")\nreturn true\n');
    const saved = await cli("scripts", "save", "screen", file);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /^saved screen \(29 bytes\)/);
    assert.equal(readFileSync(join(dir, "scripts", "screen.lua"), "utf8"), 'log("screening")\nreturn true\n');
    const list = await cli("scripts", "list");
    assert.equal(list.code, 0, list.stderr);
    const [header, row] = list.stdout.trimEnd().split("\n");
    assert.match(header!, /^NAME\s+BYTES\s+SAVED$/);
    assert.match(row!, /^screen\s+29\s+\d{4}-\d\d-\d\dT/);
    const show = await cli("scripts", "show", "screen");
    assert.equal(show.stdout, 'log("screening")\nreturn true\n');
  });

  it("check compiles a file without saving; a syntax error exits 1 naming the line", async () => {
    const good = join(dataDir, "draft.lua");
    writeFileSync(good, "return 1\n");
    const ok = await cli("scripts", "check", good);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `${good}: compiles\n`);
    assert.equal((await cli("scripts", "show", "draft")).code, 1, "check saved nothing");
    const bad = join(dataDir, "bad.lua");
    writeFileSync(bad, "local x = 1\nif x then\n  x = = 2\nend\n");
    const refused = await cli("scripts", "check", bad);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /source: line 3: /);
    const saveBad = await cli("scripts", "save", "screen", bad);
    assert.equal(saveBad.code, 1);
    assert.match(saveBad.stderr, /line 3/);
    assert.match((await cli("scripts", "show", "screen")).stdout, /screening/);
  });

  it("adds, lists, changes and deletes triggers", async () => {
    const a = await cli("script-triggers", "add", "ended", "screen");
    assert.equal(a.code, 0, a.stderr);
    const b = await cli("script-triggers", "add", "attempted", "screen", "--prefix", "*300*", "--order", "2");
    assert.equal(b.code, 0, b.stderr);
    const list = await cli("script-triggers", "list");
    const rows = list.stdout.trimEnd().split("\n");
    assert.match(rows[0]!, /^ID\s+POINT\s+SCRIPT\s+DIAL PLAN\s+PREFIX\s+ORDER\s+ENABLED$/);
    assert.match(rows[1]!, /^2\s+attempted\s+screen\s+\(any\)\s+\*300\*\s+2\s+yes$/);
    assert.match(rows[2]!, /^1\s+ended\s+screen\s+\(any\)\s+\(any\)\s+0\s+yes$/);
    const set = await cli("script-triggers", "set", "1", "--enabled", "no", "--dial-plan", "office");
    assert.equal(set.code, 0, set.stderr);
    const json = await cli("script-triggers", "list", "--json");
    const items = JSON.parse(json.stdout) as Array<{ id: number; enabled: boolean; dialPlan: string }>;
    assert.deepEqual(
      items.find((t) => t.id === 1),
      { ...items.find((t) => t.id === 1), enabled: false, dialPlan: "office" },
    );
    const badPoint = await cli("script-triggers", "add", "ringing", "screen");
    assert.equal(badPoint.code, 1);
    assert.match(badPoint.stderr, /point/);
    const badFlag = await cli("script-triggers", "set", "1", "--enabled", "maybe");
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--enabled/);
    assert.equal((await cli("script-triggers", "delete", "1")).code, 0);
    assert.equal((await cli("script-triggers", "delete", "1")).code, 1);
  });

  it('dialplan analyze takes route type "script", naming the field when the script is missing', async () => {
    const missing = await runParleyCli(
      ["dialplan", "analyze", "add", "prefix=77", "routeType=script"],
      dataDir,
    );
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /script: is required for route type script/);
    const added = await runParleyCli(
      ["dialplan", "analyze", "add", "prefix=77", "routeType=script", "script=screen"],
      dataDir,
    );
    assert.equal(added.code, 0, added.stderr);
    const list = await runParleyCli(["dialplan", "analyze", "list"], dataDir);
    assert.match(list.stdout, /^1\s+default\s+"77"\s+script\s+screen$/m);
  });

  it("deletes a script; then it is not found", async () => {
    const del = await cli("scripts", "delete", "screen");
    assert.equal(del.code, 0, del.stderr);
    const gone = await cli("scripts", "show", "screen");
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /script "screen" not found/);
    assert.equal((await cli("scripts", "list")).stdout, "no scripts\n");
  });
});
