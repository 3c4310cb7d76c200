/**
 * `parley route --offline` (the dry run over the store, no server) uses the out-group prefix set
 * at run time (issue 23: stored by PATCH /api/v1/system-settings or the web UI) as the server does,
 * over the start-up one: the same plan as a server started with that prefix, not the default's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { storeFromUrl } from "../../src/store/index.js";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley route --offline and the run-time out-group prefix", () => {
  let dataDir: string;
  let domainId: number;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-route-prefix-"));
    // The default users (100, 101, 102), as at a server's first start.
    const store = await storeFromUrl(undefined, dataDir);
    await store.migrate();
    await store.seedDefaults();
    domainId = (await store.domains.getDefault()).id;
    await store.close();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const route = async (env: Record<string, string> = {}) => {
    const r = await runParleyCli(["route", "100", "05551234", "--offline", "--json"], dataDir, env);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout + r.stderr;
  };

  it("routes as a server with the stored prefix would", async () => {
    const byDefault = await route();
    const startedWithZero = await route({ PARLEY_OUT_GROUP_PREFIX: "0" });
    assert.notEqual(startedWithZero, byDefault, "the prefix changes the plan (control)");
    const store = await storeFromUrl(undefined, dataDir);
    await store.systemSettings.put(domainId, "setting.outGroupPrefix", "0");
    await store.close();
    assert.equal(await route(), startedWithZero);
  });
});
