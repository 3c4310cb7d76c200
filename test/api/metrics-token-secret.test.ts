/**
 * Issue 23, --metrics-token is a secret like the API token: neither GET /api/v1/settings nor
 * GET /api/v1/system-settings returns it (the latter says only that it is set).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { LiveSettings } from "../../src/config/live-settings.js";
import { settingSources } from "../../src/config/setting-sources.js";
import { resolveSettings } from "../../src/config/settings.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps } from "./fixtures.js";

const TOKEN = "metrics-secret-0123456789";
const input = { env: { PARLEY_METRICS_TOKEN: TOKEN } };

describe("the metrics token in the settings routes", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-metrics-token-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    const startup = resolveSettings(input);
    assert.equal(startup.metricsToken, TOKEN, "PARLEY_METRICS_TOKEN is read");
    const live = new LiveSettings({
      startup,
      sources: settingSources(input),
      repository: store.systemSettings,
      domainId: (await store.domains.getDefault()).id,
    });
    await live.load();
    app = await createApi({
      ...baseApiDeps(store),
      systemSettings: live,
      settings: () => ({ ...live.view }),
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("GET /api/v1/settings leaves it out", async () => {
    const res = await app.inject({ method: "GET", url: "/api/v1/settings", headers: auth });
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes(TOKEN), res.body);
    assert.equal(res.json().items.metricsToken, undefined);
  });

  it("GET /api/v1/system-settings says only that it is set", async () => {
    const res = await app.inject({ method: "GET", url: "/api/v1/system-settings", headers: auth });
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes(TOKEN), "the token is not in the answer");
    const item = (
      res.json().items as Array<{ key: string; value: unknown; secret: boolean; isSet?: boolean }>
    ).find((i) => i.key === "metricsToken");
    assert.deepEqual([item?.value, item?.secret, item?.isSet], [null, true, true]);
  });
});
