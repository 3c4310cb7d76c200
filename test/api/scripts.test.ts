/**
 * /api/v1/scripts and /api/v1/script-triggers (issue 18: scripts "listed, edited and validated
 * (syntax checked on save) in the web UI and the API, and reload without restart"; triggers as
 * records through the API) over a real SQLite store and a real Lua engine: a script is saved only
 * when it compiles (400 naming `source` and the line otherwise, the old text kept), a check
 * writes nothing, an invalid name is 400 naming `name`, a missing one 404; a saved edit is what
 * the next read sees; triggers are created, listed in run order, changed and deleted, errors
 * naming the field; a dial plan route of type "script" needs its `script` and the dry run shows
 * it. Every answer is checked against the OpenAPI document.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { LuaVmHost, ScriptFiles } from "../../src/scripting/index.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps, type Harness, NOW } from "./fixtures.js";
import { documentedCaller, type OpenApiDocument } from "./openapi-document.js";

describe("/api/v1/scripts and /api/v1/script-triggers", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let doc: OpenApiDocument;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  formats.default(ajv);
  const call = documentedCaller(
    () => doc,
    () => ({ app }) as Harness,
    ajv,
    new Map<string, ValidateFunction>(),
    new Set<string>(),
  );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-api-scripts-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    const scripts = new ScriptFiles(dir, new LuaVmHost());
    app = await createApi({ ...baseApiDeps(store), scripts, now: () => NOW });
    await app.ready();
    doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json<OpenApiDocument>();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("scripts", () => {
    it("lists none at first", async () => {
      const res = await call("GET", "/api/v1/scripts");
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { items: [] });
    });

    it("PUT creates a script that compiles (201), then replaces it (200); GET reads it back", async () => {
      const first = await call("PUT", "/api/v1/scripts/{name}", {
        params: { name: "hello" },
        body: { source: 'log("hi")\n' },
      });
      assert.equal(first.statusCode, 201);
      assert.equal(first.json().name, "hello");
      assert.equal(first.json().bytes, 10);
      const second = await call("PUT", "/api/v1/scripts/{name}", {
        params: { name: "hello" },
        body: { source: "return 1 + 1\n" },
      });
      assert.equal(second.statusCode, 200);
      const read = await call("GET", "/api/v1/scripts/{name}", { params: { name: "hello" } });
      assert.deepEqual(read.json(), { name: "hello", source: "return 1 + 1\n" });
      assert.equal(readFileSync(join(dir, "scripts", "hello.lua"), "utf8"), "return 1 + 1\n");
      const list = await call("GET", "/api/v1/scripts");
      assert.deepEqual(
        list.json().items.map((s: { name: string; bytes: number }) => [s.name, s.bytes]),
        [["hello", 13]],
      );
    });

    it("a syntax error is 400 naming `source` and the line, and keeps the old text", async () => {
      const res = await call("PUT", "/api/v1/scripts/{name}", {
        params: { name: "hello" },
        body: { source: "local a = 1\nlocal b = 2\nif a then\n" },
      });
      assert.equal(res.statusCode, 400);
      const body = res.json();
      assert.equal(body.error, "validation");
      assert.equal(body.errors[0].field, "source");
      assert.match(body.errors[0].message, /^line 4: /);
      const read = await call("GET", "/api/v1/scripts/{name}", { params: { name: "hello" } });
      assert.equal(read.json().source, "return 1 + 1\n");
    });

    it("check compiles without saving: ok for good source, 400 with the line for bad", async () => {
      const good = await call("POST", "/api/v1/scripts/{name}/check", {
        params: { name: "draft" },
        body: { source: "return 2\n" },
      });
      assert.equal(good.statusCode, 200);
      assert.deepEqual(good.json(), { name: "draft", ok: true });
      const bad = await call("POST", "/api/v1/scripts/{name}/check", {
        params: { name: "draft" },
        body: { source: "\n\nx = = 1\n" },
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().errors[0].message, /^line 3: /);
      const missing = await call("GET", "/api/v1/scripts/{name}", { params: { name: "draft" } });
      assert.equal(missing.statusCode, 404);
    });

    it("an invalid name is 400 naming `name`; a missing script 404 on GET and DELETE", async () => {
      for (const name of ["Bad.Name", "..x", "a b", "x".repeat(65)]) {
        const res = await call("PUT", "/api/v1/scripts/{name}", { params: { name }, body: { source: "" } });
        assert.equal(res.statusCode, 400, name);
        assert.deepEqual(
          res.json().errors.map((e: { field: string }) => e.field),
          ["name"],
        );
      }
      assert.equal(
        (await call("GET", "/api/v1/scripts/{name}", { params: { name: "Bad.Name" } })).statusCode,
        400,
      );
      assert.equal(
        (await call("DELETE", "/api/v1/scripts/{name}", { params: { name: "nope" } })).statusCode,
        404,
      );
      const noSource = await call("PUT", "/api/v1/scripts/{name}", { params: { name: "x" }, body: {} });
      assert.equal(noSource.statusCode, 400);
      assert.equal(noSource.json().errors[0].field, "source");
    });

    it("DELETE removes a script (204), then it is gone", async () => {
      const res = await call("DELETE", "/api/v1/scripts/{name}", { params: { name: "hello" } });
      assert.equal(res.statusCode, 204);
      assert.equal(
        (await call("GET", "/api/v1/scripts/{name}", { params: { name: "hello" } })).statusCode,
        404,
      );
      assert.deepEqual((await call("GET", "/api/v1/scripts")).json(), { items: [] });
    });

    it("needs the token", async () => {
      const res = await app.inject({ method: "GET", url: "/api/v1/scripts" });
      assert.equal(res.statusCode, 401);
    });
  });

  describe("script triggers", () => {
    it("creates with defaults (201) and lists in run order", async () => {
      const a = await call("POST", "/api/v1/script-triggers", { body: { point: "ended", script: "log" } });
      assert.equal(a.statusCode, 201);
      assert.equal(a.json().dialPlan, "");
      assert.equal(a.json().prefix, "");
      assert.equal(a.json().order, 0);
      assert.equal(a.json().enabled, true);
      const b = await call("POST", "/api/v1/script-triggers", {
        body: { point: "attempted", script: "card", prefix: "*300*", order: 3, dialPlan: "default" },
      });
      assert.equal(b.statusCode, 201);
      const list = await call("GET", "/api/v1/script-triggers");
      assert.deepEqual(
        list.json().items.map((t: { point: string; script: string }) => `${t.point}:${t.script}`),
        ["attempted:card", "ended:log"],
      );
      const one = await call("GET", "/api/v1/script-triggers/{id}", { params: { id: String(b.json().id) } });
      assert.equal(one.json().prefix, "*300*");
    });

    it("names the bad field: point, script, prefix, order; unknown fields too", async () => {
      const cases: Array<[object, string]> = [
        [{ point: "ringing", script: "a" }, "point"],
        [{ point: "busy", script: "A.lua" }, "script"],
        [{ point: "busy", script: "a", prefix: "12x" }, "prefix"],
        [{ point: "busy", script: "a", order: 10_000 }, "order"],
        [{ point: "busy" }, "script"],
        [{ point: "busy", script: "a", colour: "red" }, "colour"],
      ];
      for (const [body, field] of cases) {
        const res = await call("POST", "/api/v1/script-triggers", { body });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.ok(
          res.json().errors.some((e: { field: string }) => e.field === field),
          `${JSON.stringify(body)} → ${res.body}`,
        );
      }
    });

    it("PATCH changes fields, DELETE removes; a missing id is 404", async () => {
      const [first] = (await call("GET", "/api/v1/script-triggers")).json().items;
      const id = String(first.id);
      const changed = await call("PATCH", "/api/v1/script-triggers/{id}", {
        params: { id },
        body: { enabled: false, point: "busy" },
      });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.json().enabled, false);
      assert.equal(changed.json().point, "busy");
      const bad = await call("PATCH", "/api/v1/script-triggers/{id}", {
        params: { id },
        body: { order: -1 },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].field, "order");
      assert.equal(
        (await call("DELETE", "/api/v1/script-triggers/{id}", { params: { id } })).statusCode,
        204,
      );
      assert.equal(
        (await call("DELETE", "/api/v1/script-triggers/{id}", { params: { id } })).statusCode,
        404,
      );
      assert.equal((await call("GET", "/api/v1/script-triggers/{id}", { params: { id } })).statusCode, 404);
      assert.equal(
        (await call("PATCH", "/api/v1/script-triggers/{id}", { params: { id }, body: { order: 1 } }))
          .statusCode,
        404,
      );
    });
  });

  describe('dial plan route type "script"', () => {
    it("needs a script (400 naming `script`); with one the dry run says the script takes the call", async () => {
      const missing = await app.inject({
        method: "POST",
        url: "/api/v1/dialplan/analyze",
        headers: auth,
        payload: { prefix: "77", routeType: "script" },
      });
      assert.equal(missing.statusCode, 400, missing.body);
      assert.deepEqual(
        missing.json().errors.map((e: { field: string }) => e.field),
        ["script"],
      );
      const badName = await app.inject({
        method: "POST",
        url: "/api/v1/dialplan/analyze",
        headers: auth,
        payload: { prefix: "77", routeType: "script", script: "No/Way" },
      });
      assert.equal(badName.statusCode, 400);
      assert.equal(badName.json().errors[0].field, "script");
      const created = await app.inject({
        method: "POST",
        url: "/api/v1/dialplan/analyze",
        headers: auth,
        payload: { prefix: "77", routeType: "script", script: "router" },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().script, "router");
      await store.users.create((await store.domains.getDefault()).id, { name: "100", password: "secret100" });
      const dry = await app.inject({
        method: "POST",
        url: "/api/v1/dialplan/test",
        headers: auth,
        payload: { caller: "100", number: "7712" },
      });
      assert.equal(dry.statusCode, 200, dry.body);
      assert.deepEqual(dry.json().outcome, { kind: "script", number: "7712", script: "router" });
    });
  });
});
