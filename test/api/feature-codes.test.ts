/**
 * /api/v1/feature-codes over a real SQLite store (issue 15: "a table (code pattern, service,
 * enabled), analysed before the dial plan"): listed with defaults, moved, turned off, restored;
 * bad values get errors naming the field; changes survive a restart (a new table loading the
 * stored changes) and apply to matching at once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { BanList } from "../../src/auth/ban-list.js";
import { FeatureCodeSettings } from "../../src/services/feature-code-settings.js";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { VirtualClock } from "../../src/util/clock.js";
import { FixedStatus, MemoryCalls, MemoryRegistrations, TOKEN } from "./fixtures.js";

const auth = { authorization: `Bearer ${TOKEN}` };

function services(): FeatureCodeTable {
  const t = new FeatureCodeTable();
  t.add("*93", "forwarding", { argument: true, suffix: "*", description: "Forwarding" });
  t.add("*93", "forwarding");
  t.add("*43", "echo-test", { description: "Echo test" });
  t.add("", "record-test", { description: "Record test (off by a start-up setting)" });
  return t;
}

describe("/api/v1/feature-codes", () => {
  let dir: string;
  let store: Store;
  let table: FeatureCodeTable;
  let app: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-fc-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    const domainId = (await store.domains.getDefault()).id;
    table = services();
    const featureCodes = new FeatureCodeSettings({ table, repository: store.systemSettings, domainId });
    await featureCodes.load();
    app = await createApi({
      store,
      registrations: new MemoryRegistrations(),
      bans: new BanList(new VirtualClock(), {
        threshold: 3,
        userThreshold: 9,
        windowMs: 1000,
        banMs: 1000,
        allow: [],
      }),
      calls: new MemoryCalls(),
      status: new FixedStatus({ version: "0", startedAt: 0, listeners: [], counts: {} }),
      token: TOKEN,
      featureCodes,
      webUi: false,
    });
    await app.ready();
  });

  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists every feature with its code, default, state and how it is dialled", async () => {
    const r = await app.inject({ method: "GET", url: "/api/v1/feature-codes", headers: auth });
    assert.equal(r.statusCode, 200);
    const items = r.json().items as Array<Record<string, unknown>>;
    assert.deepEqual(
      items.map((i) => [i.service, i.code, i.defaultCode, i.enabled]),
      [
        ["echo-test", "*43", "*43", true],
        ["forwarding", "*93", "*93", true],
        ["record-test", "", "", false],
      ],
    );
    assert.deepEqual(items[1].dial, ["*93*<argument>#", "*93#"]);
  });

  it("moves a code and turns a feature off; matching follows at once", async () => {
    let r = await app.inject({
      method: "PATCH",
      url: "/api/v1/feature-codes/forwarding",
      headers: auth,
      payload: { code: "*72" },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().code, "*72");
    assert.deepEqual(table.match("*72*101%23"), { service: "forwarding", argument: "101" });
    assert.equal(table.match("*93*101#"), undefined);
    r = await app.inject({
      method: "PATCH",
      url: "/api/v1/feature-codes/echo-test",
      headers: auth,
      payload: { enabled: false },
    });
    assert.equal(r.json().enabled, false);
    assert.equal(table.match("*43"), undefined);
  });

  it("names the field of a bad change, 404s an unknown feature, and changes nothing", async () => {
    const bad = async (service: string, payload: unknown) => {
      const r = await app.inject({
        method: "PATCH",
        url: `/api/v1/feature-codes/${service}`,
        headers: auth,
        payload: payload as Record<string, unknown>,
      });
      return {
        status: r.statusCode,
        body: r.json() as { errors?: Array<{ field: string; message: string }> },
      };
    };
    let r = await bad("record-test", { enabled: true });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors?.[0]?.field, "code");
    r = await bad("record-test", { code: "*4x" });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors?.[0]?.field, "code");
    r = await bad("record-test", { code: "*72", enabled: true });
    assert.equal(r.status, 400);
    assert.match(r.body.errors?.[0]?.message ?? "", /forwarding/);
    r = await bad("record-test", { color: "red" });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors?.[0]?.field, "color");
    r = await bad("no-such", { code: "*1" });
    assert.equal(r.status, 404);
    assert.equal(table.get("record-test")?.enabled, false);
  });

  it("keeps the changes across a restart and restores a default on DELETE", async () => {
    const domainId = (await store.domains.getDefault()).id;
    const again = services();
    await new FeatureCodeSettings({ table: again, repository: store.systemSettings, domainId }).load();
    assert.equal(again.get("forwarding")?.code, "*72");
    assert.equal(again.get("echo-test")?.enabled, false);
    const r = await app.inject({ method: "DELETE", url: "/api/v1/feature-codes/forwarding", headers: auth });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().code, "*93");
    assert.deepEqual(table.match("*93#"), { service: "forwarding", argument: "" });
  });
});
