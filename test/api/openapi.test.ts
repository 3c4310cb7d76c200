/**
 * The OpenAPI document is valid OpenAPI 3.1, lists exactly the routes served, and every response
 * of every operation (success and each documented error status) validates against the schema the
 * document gives for it: "API CRUD checked against the OpenAPI document".
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { HTTPMethods } from "fastify";
import { API_ERRORS } from "../../src/api/index.js";
import { version } from "../../src/version.js";
import { MIN, sampleCdr, T0, unanswered } from "../store/cdr-fixtures.js";
import { type Harness, NOW, startHarness } from "./fixtures.js";
import { documentedCaller, type OpenApiDocument, operations, SERVED } from "./openapi-document.js";

describe("the OpenAPI document", () => {
  let h: Harness;
  let doc: OpenApiDocument;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  formats.default(ajv);
  const validators = new Map<string, ValidateFunction>();
  /** "operationId status" pairs exercised and checked against the document. */
  const checked = new Set<string>();

  before(async () => {
    h = await startHarness();
    const res = await h.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    doc = res.json<OpenApiDocument>();
  });
  after(() => h.close());

  const call = documentedCaller(
    () => doc,
    () => h,
    ajv,
    validators,
    checked,
  );

  describe("structure", () => {
    it("is OpenAPI 3.1 with info, paths and the bearer security scheme applied globally", () => {
      assert.match(doc.openapi, /^3\.1\.\d+$/);
      assert.equal(doc.info.title, "Parley admin API");
      assert.equal(doc.info.version, version);
      assert.deepEqual(doc.components?.securitySchemes?.bearer, { type: "http", scheme: "bearer" });
      assert.deepEqual(doc.security, [{ bearer: [] }]);
      assert.ok(Object.keys(doc.paths).length > 0);
    });

    it("lists exactly the routes served, each with a unique operationId, tags and responses", () => {
      const listed = operations(doc);
      assert.deepEqual(listed.map(({ method, path }) => `${method} ${path}`).sort(), [...SERVED].sort());
      const ids = listed.map(({ op }) => op.operationId);
      assert.equal(new Set(ids).size, ids.length);
      for (const { method, path, op } of listed) {
        assert.ok(op.operationId, `${method} ${path} operationId`);
        assert.ok(op.tags?.length, `${method} ${path} tags`);
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} responses`);
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          assert.match(status, /^[1-5]\d\d$/);
          assert.ok(response.description, `${method} ${path} ${status} description`);
        }
      }
    });

    it("every documented operation is a route of the server", () => {
      for (const { method, path } of operations(doc)) {
        const url = path.replace(/\{(\w+)\}/g, ":$1");
        assert.ok(h.app.hasRoute({ method: method as HTTPMethods, url }), `${method} ${url}`);
      }
    });

    it("declares every path parameter as a required path parameter", () => {
      for (const { method, path, op } of operations(doc)) {
        const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters ?? []).filter((p) => p.in === "path");
        assert.deepEqual(declared.map((p) => p.name).sort(), names.sort(), `${method} ${path}`);
        for (const p of declared) assert.equal(p.required, true);
      }
    });

    it("only the document itself and the probes are public; every other operation inherits the bearer requirement", () => {
      for (const { path, op } of operations(doc)) {
        if (["/api/v1/openapi.json", "/health", "/ready"].includes(path)) assert.deepEqual(op.security, []);
        else assert.equal(op.security, undefined, path);
      }
    });

    it("has a JSON request body schema for POST, PATCH and PUT", () => {
      for (const { method, path, op } of operations(doc)) {
        if (["POST", "PATCH", "PUT"].includes(method)) {
          assert.ok(op.requestBody?.content?.["application/json"]?.schema, `${method} ${path}`);
        }
      }
    });

    it("every schema in it compiles as JSON Schema 2020-12 (strict)", () => {
      const strict = new Ajv2020({ strict: true });
      formats.default(strict);
      for (const { method, path, op } of operations(doc)) {
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          const schema = response.content?.["application/json"]?.schema;
          if (schema) assert.doesNotThrow(() => strict.compile(schema), `${method} ${path} ${status}`);
        }
        const body = op.requestBody?.content?.["application/json"]?.schema;
        if (body) strict.compile(body);
        for (const p of op.parameters ?? []) if (p.schema) strict.compile(p.schema);
      }
      for (const schema of Object.values(doc.components?.schemas ?? {})) strict.compile(schema);
    });

    it("documents every stable error code", () => {
      const error = doc.components?.schemas?.Error as { properties: { error: { enum: string[] } } };
      assert.deepEqual([...error.properties.error.enum].sort(), Object.keys(API_ERRORS).sort());
      for (const code of Object.keys(API_ERRORS))
        assert.match(doc.info.description ?? "", new RegExp(`\`${code}\``));
    });

    it("never lets a response carry a password", () => {
      const text = JSON.stringify(
        operations(doc).map(({ op }) => op.responses),
        (key, value: unknown) => (key === "description" ? undefined : value),
      );
      assert.doesNotMatch(text, /"password"/);
    });
  });

  describe("real responses against the document's schemas", () => {
    it("users: create, get, list, patch, put, delete and their errors", async () => {
      const users = "/api/v1/users";
      const one = "/api/v1/users/{name}";
      await call("POST", users, { body: { name: "300", password: "pw-secret", displayName: "Carol" } });
      await call("POST", users, {
        body: {
          name: "301",
          password: "pw-secret",
          forwarding: { noAnswer: { enabled: true, number: "400" } },
          followMe: { strategy: 1, destinations: ["500"] },
          ipAuthorization: ["203.0.113.0/24"],
          staticContact: "sip:301@203.0.113.9",
          email: "carol@example.com",
        },
      });
      await call("POST", users, { body: { name: "300", password: "pw-secret" } }); // 409
      await call("POST", users, { body: { name: "302" } }); // 400 schema
      await call("POST", users, {
        body: { name: "302", password: "pw-secret", forwarding: { busy: { enabled: true } } },
      });
      await call("POST", users, { body: {}, token: false }); // 401
      await call("GET", users);
      await call("GET", users, { query: "offset=1&limit=1&search=3" });
      await call("GET", users, { query: "limit=-1" }); // 400
      await call("GET", users, { token: false });
      await call("GET", one, { params: { name: "300" } });
      await call("GET", one, { params: { name: "nobody" } });
      await call("GET", one, { params: { name: "300" }, token: false });
      await call("PATCH", one, {
        params: { name: "300" },
        body: { callRight: 5, followMe: { interval: 30 } },
      });
      await call("PATCH", one, { params: { name: "300" }, body: { callRight: 999 } });
      await call("PATCH", one, { params: { name: "nobody" }, body: {} });
      await call("PATCH", one, { params: { name: "300" }, body: { name: "301", password: "pw-secret" } }); // 409
      await call("PATCH", one, { params: { name: "300" }, body: {}, token: false });
      await call("PUT", one, { params: { name: "300" }, body: { displayName: "Carol C" } });
      await call("PUT", one, { params: { name: "300" }, body: { maxDevices: 0 } });
      await call("PUT", one, { params: { name: "nobody" }, body: {} });
      await call("PUT", one, { params: { name: "300" }, body: { name: "301", password: "pw-secret" } }); // 409
      await call("PUT", one, { params: { name: "300" }, body: {}, token: false });
      await call("DELETE", one, { params: { name: "300" } });
      await call("DELETE", one, { params: { name: "300" } });
      await call("DELETE", one, { params: { name: "301" }, token: false });
    });

    it("registrations, bans, status and the document itself", async () => {
      h.registrations.add({
        id: "r1",
        domainId: 1,
        user: "301",
        contact: "sip:301@192.0.2.20",
        transport: "tls",
        sourceAddress: "192.0.2.20",
        sourcePort: 50123,
        expiresAt: NOW + 120_000,
        userAgent: "Yealink",
        instanceId: undefined,
        q: 1,
        path: [],
      });
      for (let i = 0; i < 3; i++) h.bans.recordFailure("198.51.100.99", "301");
      await call("GET", "/api/v1/registrations");
      await call("GET", "/api/v1/registrations", { query: "user=301" });
      await call("GET", "/api/v1/registrations", { token: false });
      await call("DELETE", "/api/v1/registrations/{id}", { params: { id: "r1" } });
      await call("DELETE", "/api/v1/registrations/{id}", { params: { id: "r1" } });
      await call("DELETE", "/api/v1/registrations/{id}", { params: { id: "r1" }, token: false });
      await call("GET", "/api/v1/bans");
      await call("GET", "/api/v1/bans", { token: false });
      await call("DELETE", "/api/v1/bans/{address}", { params: { address: "198.51.100.99" } });
      await call("DELETE", "/api/v1/bans/{address}", { params: { address: "198.51.100.99" } });
      await call("DELETE", "/api/v1/bans/{address}", { params: { address: "198.51.100.99" }, token: false });
      await call("GET", "/api/v1/status");
      await call("GET", "/api/v1/status", { token: false });
      await call("GET", "/api/v1/tenant");
      await call("GET", "/api/v1/tenant", { token: false });
      await call("GET", "/api/v1/openapi.json", { token: false });
    });

    it("the probes: /health, /ready (and 503 naming the store when it cannot answer), no token", async () => {
      assert.deepEqual((await call("GET", "/health", { token: false })).json(), { status: "ok" });
      assert.equal((await call("GET", "/ready", { token: false })).json().status, "ready");
      const users = h.store.users;
      const count = users.count;
      users.count = () => Promise.reject(new Error("database is down"));
      try {
        const down = await call("GET", "/ready", { token: false });
        assert.deepEqual(down.json().checks, [{ name: "store", ok: false, detail: "database is down" }]);
      } finally {
        users.count = count;
      }
    });

    it("calls and call detail records", async () => {
      h.calls.add({
        id: "c1",
        domainId: 1,
        caller: "100",
        dialed: "101",
        callee: "101",
        state: "answered",
        startedAt: NOW - 30_000,
        answeredAt: NOW - 25_000,
        legs: [
          { role: "caller", peer: "sip:100@192.0.2.10", callId: "a@x", state: "answered" },
          { role: "callee", peer: "sip:101@192.0.2.11", callId: "b@x", state: "answered" },
        ],
      });
      h.calls.add({
        id: "c2",
        domainId: 1,
        caller: "102",
        dialed: "100",
        state: "ringing",
        startedAt: NOW - 2_000,
        legs: [{ role: "caller", peer: "sip:102@192.0.2.12", callId: "c@x", state: "ringing" }],
      });
      await h.store.cdrs.insert(sampleCdr({ media: { rtp: { packets: 100 } } }));
      await h.store.cdrs.insert(unanswered("failed", { callee: undefined, startedAt: T0 + MIN }));
      await call("GET", "/api/v1/calls");
      await call("GET", "/api/v1/calls", { token: false });
      await call("DELETE", "/api/v1/calls/{id}", { params: { id: "c1" } });
      await call("DELETE", "/api/v1/calls/{id}", { params: { id: "c1" } });
      await call("DELETE", "/api/v1/calls/{id}", { params: { id: "c2" }, token: false });
      // Click-to-call: 202 with the call's id, 400 naming the field, 404 / 409 naming `from`.
      const placed = await call("POST", "/api/v1/calls", {
        body: { from: "100", to: "101", autoAnswer: true },
      });
      assert.equal(placed.statusCode, 202);
      assert.deepEqual(h.originate.requests.at(-1), { from: "100", to: "101", autoAnswer: true });
      assert.deepEqual(placed.json().id, `o${h.originate.requests.length}`);
      const bad = await call("POST", "/api/v1/calls", { body: { from: "100", to: "101", timeout: 0 } });
      assert.deepEqual(
        bad.json().errors.map((e: { field: string }) => e.field),
        ["timeout"],
      );
      for (const [from, status] of [
        ["999", 404],
        ["102", 409],
      ] as const) {
        const refused = await call("POST", "/api/v1/calls", { body: { from, to: "101" } });
        assert.equal(refused.statusCode, status);
        assert.deepEqual(refused.json().errors, [
          { field: "from", message: refused.json().errors[0].message },
        ]);
      }
      await call("POST", "/api/v1/calls", { body: { from: "100", to: "101" }, token: false });
      await call("GET", "/api/v1/cdrs");
      await call("GET", "/api/v1/cdrs", {
        query: "from=2027-01-15&to=2027-01-16T00:00:00Z&number=100&limit=1",
      });
      await call("GET", "/api/v1/cdrs", { query: "from=yesterday" });
      await call("GET", "/api/v1/cdrs", { token: false });
      await call("GET", "/api/v1/cdrs.csv");
      await call("GET", "/api/v1/cdrs.csv", { query: "disposition=failed" });
      await call("GET", "/api/v1/cdrs.csv", { query: "disposition=lost" });
      await call("GET", "/api/v1/cdrs.csv", { token: false });
    });

    it("external lines, SIP trunks, dial plans, analyze/transition/refine records and the dry run", async () => {
      // [base, param, valid body, key of it, invalid body, a change, a referring row or undefined]
      type Case = [string, string, object, string, object, object];
      const cases: Case[] = [
        [
          "/api/v1/external-lines",
          "account",
          { account: "1234", server: "127.0.0.1" },
          "1234",
          { account: "1234", serverPort: 0 },
          { server: "127.0.0.1", outgoingGroupId: 1 },
        ],
        [
          "/api/v1/sip-trunks",
          "trunkId",
          { trunkId: "t1", address: "127.0.0.1" },
          "t1",
          { trunkId: "t1" },
          { address: "127.0.0.1", port: 5070 },
        ],
        [
          "/api/v1/dialplans",
          "name",
          { name: "sales", users: [] },
          "sales",
          { name: "no spaces" },
          { users: [] },
        ],
        [
          "/api/v1/dialplan/transitions",
          "id",
          { id: 1, type: "delete", length: 1 },
          "1",
          { id: 2, type: "shift" },
          { type: "delete", length: 2 },
        ],
      ];
      for (const [base, param, body, key, invalid, change] of cases) {
        const one = `${base}/{${param}}`;
        const params = { [param]: key };
        const missing = { [param]: "999" };
        await call("POST", base, { body });
        await call("POST", base, { body });
        await call("POST", base, { body: invalid });
        await call("POST", base, { body, token: false });
        await call("GET", base);
        await call("GET", base, { token: false });
        await call("GET", one, { params });
        await call("GET", one, { params: missing });
        await call("GET", one, { params, token: false });
        for (const method of ["PATCH", "PUT"] as const) {
          await call(method, one, { params, body: change });
          await call(method, one, { params, body: { [param]: param === "id" ? 77 : "renamed" } });
          await call(method, one, { params: missing, body: change });
          await call(method, one, { params, body: change, token: false });
        }
      }
      // Rows that refer to the others: deleting those answers 400 until these go.
      await call("PATCH", "/api/v1/external-lines/{account}", {
        params: { account: "1234" },
        body: { dialPlan: "sales" },
      });
      await call("PATCH", "/api/v1/sip-trunks/{trunkId}", {
        params: { trunkId: "t1" },
        body: { dialPlan: "sales" },
      });
      const analyze = await call("POST", "/api/v1/dialplan/analyze", {
        body: {
          prefix: "9",
          routeType: "external-line",
          externalLine: "1234",
          changeNumber: true,
          transitionId: 1,
        },
      });
      const analyze2 = await call("POST", "/api/v1/dialplan/analyze", {
        body: { prefix: "2", routeType: "sip-trunk", sipTrunk: "t1" },
      });
      await call("POST", "/api/v1/dialplan/analyze", { body: { prefix: "2", routeType: "local-user" } });
      await call("POST", "/api/v1/dialplan/analyze", {
        body: { prefix: "3", routeType: "sip-trunk", sipTrunk: "none" },
      });
      await call("POST", "/api/v1/dialplan/analyze", {
        body: { prefix: "3", routeType: "local-user" },
        token: false,
      });
      const refine = await call("POST", "/api/v1/dialplan/refine", {
        body: { outgoingGroupId: 1, prefix: "0", transitionId: 1 },
      });
      await call("POST", "/api/v1/dialplan/refine", {
        body: { outgoingGroupId: 1, prefix: "0", transitionId: 1 },
      });
      await call("POST", "/api/v1/dialplan/refine", {
        body: { outgoingGroupId: 1, prefix: "1", transitionId: 5 },
      });
      await call("POST", "/api/v1/dialplan/refine", {
        body: { outgoingGroupId: 1, prefix: "1", transitionId: 1 },
        token: false,
      });
      await call("POST", "/api/v1/dialplan/refine", {
        body: { outgoingGroupId: 1, prefix: "00", transitionId: 1 },
      });
      for (const [base, res, taken, bad] of [
        ["/api/v1/dialplan/analyze", analyze, { prefix: "2" }, { routeType: "reject" }],
        ["/api/v1/dialplan/refine", refine, { prefix: "00" }, { transitionId: 5 }],
      ] as const) {
        const one = `${base}/{id}`;
        const params = { id: String(res.json<{ id: number }>().id) };
        await call("GET", base);
        await call("GET", base, { token: false });
        await call("GET", one, { params });
        await call("GET", one, { params: { id: "999" } });
        await call("GET", one, { params, token: false });
        for (const method of ["PATCH", "PUT"] as const) {
          const full = base.endsWith("analyze")
            ? {
                prefix: "9",
                routeType: "external-line",
                externalLine: "1234",
                changeNumber: true,
                transitionId: 1,
              }
            : { outgoingGroupId: 1, prefix: "0", transitionId: 1 };
          await call(method, one, {
            params,
            body: method === "PUT" ? full : { ...taken, ...full, prefix: full.prefix },
          });
          await call(method, one, { params, body: method === "PUT" ? { ...full, ...taken } : taken });
          await call(method, one, { params, body: method === "PUT" ? { ...full, ...bad } : bad });
          await call(method, one, { params: { id: "999" }, body: full });
          await call(method, one, { params, body: full, token: false });
        }
      }
      await call("POST", "/api/v1/dialplan/test", {
        body: { caller: "1234", origin: "line", number: "9123" },
      });
      await call("POST", "/api/v1/dialplan/test", { body: { caller: "nobody", number: "9123" } });
      await call("POST", "/api/v1/dialplan/test", { body: { caller: "1234", number: "x" } });
      await call("POST", "/api/v1/dialplan/test", { body: { caller: "1234", number: "1" }, token: false });
      for (const [base, param, key] of [
        ["/api/v1/external-lines", "account", "1234"],
        ["/api/v1/sip-trunks", "trunkId", "t1"],
        ["/api/v1/dialplans", "name", "sales"],
        ["/api/v1/dialplan/transitions", "id", "1"],
      ] as const) {
        await call("DELETE", `${base}/{${param}}`, { params: { [param]: key } });
      }
      for (const res of [analyze, analyze2]) {
        const id = String(res.json<{ id: number }>().id);
        await call("DELETE", "/api/v1/dialplan/analyze/{id}", { params: { id }, token: false });
        await call("DELETE", "/api/v1/dialplan/analyze/{id}", { params: { id } });
      }
      await call("DELETE", "/api/v1/dialplan/analyze/{id}", { params: { id: "999" } });
      const refineRows = await call("GET", "/api/v1/dialplan/refine");
      for (const { id } of refineRows.json<{ items: Array<{ id: number }> }>().items) {
        await call("DELETE", "/api/v1/dialplan/refine/{id}", { params: { id: String(id) }, token: false });
        await call("DELETE", "/api/v1/dialplan/refine/{id}", { params: { id: String(id) } });
      }
      await call("DELETE", "/api/v1/dialplan/refine/{id}", { params: { id: "999" } });
      for (const [base, param, key] of [
        ["/api/v1/dialplan/transitions", "id", "1"],
        ["/api/v1/external-lines", "account", "1234"],
        ["/api/v1/sip-trunks", "trunkId", "t1"],
        ["/api/v1/dialplans", "name", "sales"],
      ] as const) {
        const one = `${base}/{${param}}`;
        await call("DELETE", one, { params: { [param]: key }, token: false });
        await call("DELETE", one, { params: { [param]: key } });
        await call("DELETE", one, { params: { [param]: key } });
      }
    });

    it("every documented status of every operation was exercised and matched its schema", () => {
      const documented = operations(doc).flatMap(({ op }) =>
        Object.keys(op.responses ?? {}).map((status) => `${op.operationId} ${status}`),
      );
      assert.deepEqual([...checked].sort(), documented.sort());
    });
  });

  describe("/api/docs", () => {
    it("serves the Swagger UI page from the package, with no CDN", async () => {
      const res = await h.app.inject({ method: "GET", url: "/api/docs" });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /^text\/html/);
      assert.match(res.body, /swagger-ui/i);
      assert.doesNotMatch(res.body, /(src|href)="https?:/);
      const bundle = await h.app.inject({ method: "GET", url: "/api/docs/static/swagger-ui-bundle.js" });
      assert.equal(bundle.statusCode, 200);
      assert.ok(bundle.body.length > 100_000);
    });

    it("points the UI at a document that lists our operations", async () => {
      const res = await h.app.inject({ method: "GET", url: "/api/docs/json" });
      assert.equal(res.statusCode, 200);
      assert.ok(res.json<OpenApiDocument>().paths["/api/v1/users"]);
    });
  });
});
