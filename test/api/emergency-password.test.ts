/**
 * Issue 23 through the API over a real SQLite store: /api/v1/emergency-numbers (list with the
 * defaults 112, 911, 999; add, change, remove; each error naming its field; 409 for a duplicate,
 * 404 for none; the routes in the OpenAPI document) and a user, hunt group or conference room
 * refused an emergency number, naming the table; the password policy: POST, PATCH and PUT
 * /users answer 400 naming `password` and the rule ("at least 8 characters", "must not equal the
 * extension number"), the configured minimum is followed, and GET /password-policy lists the rules
 * and the users whose password is still weak (the preset users until changed).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps } from "./fixtures.js";

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
  requestBody?: { content?: Record<string, { schema?: object }> };
}

interface ErrorBody {
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
}

const TABLE = "112 is an emergency number (emergency numbers table)";

describe("/api/v1 emergency numbers and the password policy", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let minPasswordLength = 8;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-emergency-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    assert.equal(await store.seedDefaults(), true);
    app = await createApi({ ...baseApiDeps(store), settings: () => ({ minPasswordLength }) });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });
  const errors = (body: ErrorBody) => (body.errors ?? []).map((e) => `${e.field}: ${e.message}`);

  describe("/emergency-numbers", () => {
    it("lists the defaults 112, 911 and 999", async () => {
      const res = await api("GET", "/emergency-numbers");
      assert.equal(res.statusCode, 200);
      assert.deepEqual(
        res.json<{ items: Array<{ number: string; line: string }> }>().items.map((e) => [e.number, e.line]),
        [
          ["112", ""],
          ["911", ""],
          ["999", ""],
        ],
      );
    });
    it("adds one (201, Location), gets it, changes it, removes it", async () => {
      const created = await api("POST", "/emergency-numbers", { number: "118", description: "sea" });
      assert.equal(created.statusCode, 201);
      assert.equal(created.headers.location, "/api/v1/emergency-numbers/118");
      assert.match(created.json<{ createdAt: string }>().createdAt, /^\d{4}-\d\d-\d\dT.*Z$/);
      assert.equal(
        (await api("GET", "/emergency-numbers/118")).json<{ description: string }>().description,
        "sea",
      );
      const changed = await api("PATCH", "/emergency-numbers/118", { description: "coast guard" });
      assert.equal(changed.json<{ description: string }>().description, "coast guard");
      assert.equal((await api("DELETE", "/emergency-numbers/118")).statusCode, 204);
      assert.equal((await api("GET", "/emergency-numbers/118")).statusCode, 404);
      assert.equal((await api("DELETE", "/emergency-numbers/118")).statusCode, 404);
    });
    it("names the bad field (400), refuses a duplicate (409) and an unknown field (400)", async () => {
      const bad = await api("POST", "/emergency-numbers", { number: "11x", line: "none" });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(errors(bad.json<ErrorBody>()), [
        "number: must be 1-32 of digits, *, #, +",
        'line: no external line "none"',
      ]);
      assert.equal((await api("POST", "/emergency-numbers", { number: "112" })).statusCode, 409);
      assert.equal((await api("POST", "/emergency-numbers", { number: "117", extra: 1 })).statusCode, 400);
    });
    it("a number a local user has cannot become one", async () => {
      const res = await api("POST", "/emergency-numbers", { number: "100" });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(errors(res.json<ErrorBody>()), ["number: is local user 100's number"]);
    });
    it("refuses user 112, naming the table; a hunt group 112 and a conference room 112 too", async () => {
      const user = await api("POST", "/users", { name: "112", password: "long-enough-1" });
      assert.equal(user.statusCode, 400);
      assert.deepEqual(errors(user.json<ErrorBody>()), [`name: ${TABLE}`]);
      assert.match(user.json<ErrorBody>().message, /emergency numbers table/);
      const rename = await api("PATCH", "/users/101", { name: "112", password: "long-enough-1" });
      assert.deepEqual(errors(rename.json<ErrorBody>()), [`name: ${TABLE}`]);
      const group = await store.huntGroups
        .createGroup(1, { number: "112", members: ["100"] })
        .catch((e: Error) => e.message);
      assert.match(String(group), /emergency numbers table/);
    });
    it("is in the OpenAPI document", async () => {
      const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json<{
        paths: Record<string, Record<string, { operationId: string }>>;
      }>();
      assert.deepEqual(
        Object.values(doc.paths["/api/v1/emergency-numbers"] ?? {}).map((o) => o.operationId),
        ["listEmergencyNumbers", "createEmergencyNumber"],
      );
      assert.ok(doc.paths["/api/v1/emergency-numbers/{number}"]);
      assert.ok(doc.paths["/api/v1/password-policy"]);
    });
    it("each schema is strict JSON Schema 2020-12, and the lists validate against the document", async () => {
      const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json<{
        paths: Record<string, Record<string, Operation>>;
      }>();
      const strict = new Ajv2020({ strict: true });
      formats.default(strict);
      for (const path of [
        "/api/v1/emergency-numbers",
        "/api/v1/emergency-numbers/{number}",
        "/api/v1/password-policy",
      ])
        for (const op of Object.values(doc.paths[path] ?? {})) {
          for (const response of Object.values(op.responses ?? {})) {
            const schema = response.content?.["application/json"]?.schema;
            if (schema) strict.compile(schema);
          }
          const body = op.requestBody?.content?.["application/json"]?.schema;
          if (body) strict.compile(body);
        }
      for (const [path, url] of [
        ["/api/v1/emergency-numbers", "/emergency-numbers"],
        ["/api/v1/password-policy", "/password-policy"],
      ] as const) {
        const schema = doc.paths[path]?.get?.responses?.["200"]?.content?.["application/json"]?.schema;
        assert.ok(schema, path);
        const validate = strict.compile(schema);
        const body = (await api("GET", url)).json();
        assert.ok(validate(body), `${path}: ${strict.errorsText(validate.errors)}`);
      }
    });
  });

  describe("the password policy", () => {
    it("POST /users with 7 characters: 400 naming password and 'at least 8 characters'", async () => {
      const res = await api("POST", "/users", { name: "300", password: "1234567" });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(errors(res.json<ErrorBody>()), ["password: must be at least 8 characters"]);
      assert.equal((await api("GET", "/users/300")).statusCode, 404);
    });
    it("POST /users with the extension number as the password: 400 naming the rule", async () => {
      const res = await api("POST", "/users", { name: "30012345", password: "30012345" });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(errors(res.json<ErrorBody>()), ["password: must not equal the extension number"]);
    });
    it("a compliant password is taken", async () => {
      assert.equal((await api("POST", "/users", { name: "300", password: "12345678" })).statusCode, 201);
    });
    it("PATCH and PUT with a weak password are refused; the old password stays", async () => {
      const patch = await api("PATCH", "/users/300", { password: "300" });
      assert.equal(patch.statusCode, 400);
      assert.deepEqual(errors(patch.json<ErrorBody>()), [
        "password: must be at least 8 characters",
        "password: must not equal the extension number",
      ]);
      const put = await api("PUT", "/users/300", { password: "short" });
      assert.equal(put.statusCode, 400);
      assert.equal((await api("PATCH", "/users/300", { displayName: "no password change" })).statusCode, 200);
    });
    it("follows the configured minimum length", async () => {
      minPasswordLength = 12;
      try {
        const res = await api("POST", "/users", { name: "301", password: "12345678901" });
        assert.deepEqual(errors(res.json<ErrorBody>()), ["password: must be at least 12 characters"]);
      } finally {
        minPasswordLength = 8;
      }
    });
    it("GET /password-policy: the rules, and the preset users whose password is weak until changed", async () => {
      const before = (await api("GET", "/password-policy")).json<{
        minLength: number;
        rules: string[];
        weakUsers: string[];
      }>();
      assert.deepEqual(before, {
        minLength: 8,
        rules: ["must be at least 8 characters", "must not equal the extension number"],
        weakUsers: ["100", "101", "102"],
      });
      assert.equal((await api("PATCH", "/users/101", { password: "a-new-secret" })).statusCode, 200);
      const after = (await api("GET", "/password-policy")).json<{ weakUsers: string[] }>();
      assert.deepEqual(after.weakUsers, ["100", "102"]);
    });
  });
});
