/**
 * Issue 23, GET /metrics as the API serves it (src/api/routes/metrics.ts): the Prometheus text
 * format with its content type, public like the probes by default; with `metricsToken` set, only
 * `Authorization: Bearer <it>` gets the metrics (401 otherwise, the API token included). The
 * OpenAPI document lists the route as it is served: public (security []) or needing the bearer,
 * with text/plain for 200 and the Error body for 401.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import type { MetricsView } from "../../src/api/routes/metrics.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps } from "./fixtures.js";

const BODY =
  "# HELP parley_registrations Registrations\n# TYPE parley_registrations gauge\nparley_registrations 2\n";
const metrics: MetricsView = {
  contentType: "text/plain; version=0.0.4; charset=utf-8",
  text: async () => BODY,
};
const METRICS_TOKEN = "metrics-token-0123456789";

interface Operation {
  security?: unknown[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

describe("GET /metrics", () => {
  let dir: string;
  let store: Store;
  let open: FastifyInstance;
  let guarded: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-metrics-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    open = await createApi({ ...baseApiDeps(store), metrics: { metrics, token: undefined } });
    guarded = await createApi({ ...baseApiDeps(store), metrics: { metrics, token: METRICS_TOKEN } });
  });
  after(async () => {
    await open.close();
    await guarded.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function operation(app: FastifyInstance): Promise<Operation> {
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json<{
      paths: Record<string, Record<string, Operation>>;
    }>();
    const op = doc.paths["/metrics"]?.get;
    assert.ok(op, "GET /metrics is in the OpenAPI document");
    return op;
  }

  describe("with no metrics token", () => {
    it("answers 200 with the exposition as text/plain, no token needed", async () => {
      const res = await open.inject({ method: "GET", url: "/metrics" });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
      assert.equal(res.body, BODY, "sent as is, not as a JSON string");
    });

    it("is public in the OpenAPI document, with text/plain for 200", async () => {
      const op = await operation(open);
      assert.deepEqual(op.security, []);
      assert.deepEqual(Object.keys(op.responses), ["200"]);
      assert.ok(op.responses["200"]?.content?.["text/plain"], "200 is text/plain");
    });
  });

  describe("with a metrics token", () => {
    it("answers 401 with a Bearer challenge without it, and with the API token", async () => {
      for (const headers of [{}, auth, { authorization: "Bearer wrong-token-0123456789" }]) {
        const res = await guarded.inject({ method: "GET", url: "/metrics", headers });
        assert.equal(res.statusCode, 401, JSON.stringify(headers));
        assert.match(String(res.headers["www-authenticate"]), /^Bearer realm="parley"/);
        assert.equal(res.json<{ error: string }>().error, "unauthorized");
      }
    });

    it("answers 200 to Authorization: Bearer <the metrics token>", async () => {
      const res = await guarded.inject({
        method: "GET",
        url: "/metrics",
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, BODY);
    });

    it("needs the bearer in the OpenAPI document, with the Error body for 401", async () => {
      const op = await operation(guarded);
      assert.deepEqual(op.security, [{ bearer: [] }]);
      assert.deepEqual(Object.keys(op.responses).sort(), ["200", "401"]);
      assert.ok(op.responses["401"]?.content?.["application/json"], "401 is the JSON error");
    });
  });

  it("is not served when the server gives the API no metrics", async () => {
    const none = await createApi(baseApiDeps(store));
    try {
      const res = await none.inject({ method: "GET", url: "/metrics" });
      assert.equal(res.statusCode, 404);
    } finally {
      await none.close();
    }
  });
});
