/**
 * /api/v1/hunt-groups and /api/v1/hunt-detections over a real SQLite store (issue 16): groups
 * and detection records created, listed, changed and removed; errors name the field (400), a
 * taken number is a conflict (409), a missing one 404; the routes are in the OpenAPI document.
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

describe("/api/v1 hunt groups", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-hunt-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    app = await createApi({
      ...baseApiDeps(store),
      // Live state: 101 answered group 600's last call.
      huntGroups: { lastAnsweredMember: (_domainId, group) => (group === "600" ? "101" : undefined) },
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });

  it("creates, lists, changes and deletes a hunt group", async () => {
    const created = await api("POST", "/hunt-groups", {
      number: "600",
      name: "Sales",
      members: ["101", "100"],
      strategy: "circular",
      ringTime: 15,
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json().members, ["101", "100"]);
    assert.equal(created.json().noAnswer, "busy");
    const listed = await api("GET", "/hunt-groups");
    assert.deepEqual(
      listed.json().items.map((g: { number: string }) => g.number),
      ["600"],
    );
    const changed = await api("PATCH", "/hunt-groups/600", { noAnswer: "voicemail", noAnswerTarget: "100" });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().noAnswerTarget, "100");
    const one = (await api("GET", "/hunt-groups/600")).json();
    assert.equal(one.name, "Sales");
    assert.equal(one.lastAnswered, "101", "the live state: who answered last");
  });

  it("names the bad field (400), refuses a taken number (409), and 404s a missing group", async () => {
    const bad = await api("POST", "/hunt-groups", { number: "601", noAnswer: "number", members: ["1 0"] });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json().errors.map((e: { field: string }) => e.field),
      ["members[0]", "noAnswerTarget"],
    );
    assert.equal((await api("POST", "/hunt-groups", { number: "600" })).statusCode, 409);
    assert.equal((await api("PATCH", "/hunt-groups/699", { name: "x" })).statusCode, 404);
    assert.equal((await api("DELETE", "/hunt-groups/699")).statusCode, 404);
  });

  it("keeps detection records naming an existing group", async () => {
    const created = await api("POST", "/hunt-detections", { calledNumber: "123456", huntGroup: "600" });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().dialPlan, "default");
    const orphan = await api("POST", "/hunt-detections", { calledNumber: "1", huntGroup: "699" });
    assert.equal(orphan.statusCode, 400);
    assert.equal(orphan.json().errors[0].field, "huntGroup");
    const id = created.json().id;
    const moved = await api("PATCH", `/hunt-detections/${id}`, { calledNumber: "654321" });
    assert.equal(moved.json().calledNumber, "654321");
    assert.equal((await api("DELETE", "/hunt-groups/600")).statusCode, 204);
    assert.deepEqual(
      (await api("GET", "/hunt-detections")).json().items,
      [],
      "the group's records went with it",
    );
    assert.equal((await api("DELETE", `/hunt-detections/${id}`)).statusCode, 404);
  });

  it("documents the routes in the OpenAPI document, each schema strict JSON Schema 2020-12", async () => {
    const doc = (await api("GET", "/openapi.json")).json();
    assert.ok(doc.paths["/api/v1/hunt-groups"]?.post);
    assert.ok(doc.paths["/api/v1/hunt-detections/{id}"]?.patch);
    const strict = new Ajv2020({ strict: true });
    formats.default(strict);
    const listed = await api("GET", "/hunt-groups");
    const validate = strict.compile(
      doc.paths["/api/v1/hunt-groups"].get.responses["200"].content["application/json"].schema,
    );
    assert.ok(validate(listed.json()), strict.errorsText(validate.errors));
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      if (!path.includes("/hunt-")) continue;
      for (const op of Object.values(item)) {
        for (const response of Object.values(op.responses ?? {})) {
          const schema = response.content?.["application/json"]?.schema;
          if (schema) strict.compile(schema);
        }
        const body = op.requestBody?.content?.["application/json"]?.schema;
        if (body) strict.compile(body);
      }
    }
  });
});
