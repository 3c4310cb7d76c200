/**
 * GET /api/v1/parked and the live snapshot's `parked` (issue 16, call park in the API and the
 * dashboard), over a real SQLite store with a fake parking lot. Proven: the API's domain's parked
 * calls by slot, with ISO times and seconds parked, other domains' left out; the token required;
 * the response valid against its OpenAPI schema (strict JSON Schema 2020-12); no /parked and no
 * `parked` in the snapshot without a lot; the same items in the /events snapshot. Not here: a
 * real parked call (test/e2e/park.test.ts parks one with baresip phones).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { LiveEvents } from "../../src/api/admin/live-events.js";
import { LiveSnapshots } from "../../src/api/admin/live-snapshot.js";
import { createApi } from "../../src/api/index.js";
import { offlineRouting } from "../../src/api/routes/routing.js";
import type { ParkedCall, ParkedView } from "../../src/api/types.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps, MemoryCalls, MemoryRegistrations, NOW } from "./fixtures.js";

const OTHER_DOMAIN = 999;

/** 100 parked by 101 in slot 5, 75 s ago, being rung back; another domain's call in slot 1. */
function lot(domainId: number): ParkedView & { calls: ParkedCall[] } {
  const calls: ParkedCall[] = [
    {
      domainId,
      slot: 5,
      callId: "call-1",
      parked: { user: "100", displayName: "Alice" },
      parker: { user: "101", displayName: "" },
      parkedAt: NOW - 75_500,
      ringingBack: true,
      ringBacks: 1,
    },
    {
      domainId: OTHER_DOMAIN,
      slot: 1,
      callId: "call-other",
      parked: { user: "200", displayName: "" },
      parker: { user: "201", displayName: "" },
      parkedAt: NOW - 1000,
      ringingBack: false,
      ringBacks: 0,
    },
  ];
  return { calls, list: () => calls };
}

const SLOT_5 = {
  slot: 5,
  callId: "call-1",
  parked: { user: "100", displayName: "Alice" },
  parker: { user: "101", displayName: "" },
  parkedAt: new Date(NOW - 75_500).toISOString(),
  parkedSeconds: 75,
  ringingBack: true,
  ringBacks: 1,
};

describe("/api/v1/parked", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let domainId: number;
  let parked: ReturnType<typeof lot>;
  const events = new LiveEvents();

  const deps = (extra: { parked?: ParkedView }) => ({
    ...baseApiDeps(store),
    now: () => NOW,
    events,
    ...extra,
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-parked-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
    parked = lot(domainId);
    app = await createApi(deps({ parked }));
    await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = auth) =>
    app.inject({ method: "GET", url: `/api/v1${url}`, headers });

  it("lists the domain's parked calls by slot, leaving other domains' out", async () => {
    const res = await get("/parked");
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { items: [SLOT_5] });
  });

  it("answers 401 without the token", async () => {
    assert.equal((await get("/parked", {})).statusCode, 401);
  });

  it("lists nothing once the slot is freed", async () => {
    const saved = parked.calls.splice(0, 1);
    try {
      assert.deepEqual((await get("/parked")).json(), { items: [] });
    } finally {
      parked.calls.unshift(...saved);
    }
  });

  it("documents GET /parked; its answer is valid against the schema", async () => {
    const doc = (await get("/openapi.json")).json();
    const op = doc.paths["/api/v1/parked"]?.get;
    assert.equal(op?.operationId, "listParkedCalls");
    const strict = new Ajv2020({ strict: true });
    formats.default(strict);
    const validate = strict.compile(op.responses["200"].content["application/json"].schema);
    assert.ok(validate((await get("/parked")).json()), strict.errorsText(validate.errors));
  });

  it("without a parking lot, /parked is not served", async () => {
    const bare = await createApi(deps({}));
    try {
      const res = await bare.inject({ method: "GET", url: "/api/v1/parked", headers: auth });
      assert.equal(res.statusCode, 404);
    } finally {
      await bare.close();
    }
  });

  describe("the live snapshot", () => {
    const snapshot = async (extra: { parked?: ParkedView }) => {
      const snapshots = new LiveSnapshots({
        store,
        domainId,
        events,
        calls: new MemoryCalls(),
        registrations: new MemoryRegistrations(),
        userState: () => "offline",
        routing: offlineRouting(store, domainId),
        now: () => NOW,
        ...extra,
      });
      try {
        return JSON.parse(await snapshots.build()) as Record<string, unknown>;
      } finally {
        snapshots.stop();
      }
    };

    it("carries `parked` with the same items as GET /parked", async () => {
      assert.deepEqual((await snapshot({ parked })).parked, [SLOT_5]);
    });

    it("has no `parked` without a parking lot", async () => {
      assert.equal("parked" in (await snapshot({})), false);
    });

    it("GET /events sends it: the composition passes the lot to the stream", async () => {
      const address = app.server.address();
      assert.ok(address && typeof address === "object");
      const controller = new AbortController();
      const res = await fetch(`http://127.0.0.1:${address.port}/api/v1/events`, {
        headers: auth,
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let data: RegExpExecArray | null = null;
      while (data === null) {
        const { value, done } = await reader.read();
        assert.ok(!done, "the stream stays open");
        buffer += value;
        data = /^event: snapshot\ndata: (.*)$/m.exec(buffer);
      }
      controller.abort();
      await reader.cancel().catch(() => {});
      assert.deepEqual(JSON.parse(data[1]!).parked, [SLOT_5]);
    });
  });
});
