/**
 * /api/v1/auto-attendant over a real SQLite store (issue 17): menus created, listed, changed and
 * removed; errors name the field (a key naming a user that does not exist, `keys[1].target`; a
 * greeting prompt not in the catalogue, `greeting[0]`; a bad time zone); a greeting uploaded per
 * language is listed, served and removed; time conditions say which destination answers "now"
 * (the API's clock, fixtures NOW: Friday 2027-01-15 08:00 UTC); entry points are set and removed;
 * the routes are in the OpenAPI document.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { MenuGreetings } from "../../src/services/auto-attendant/greetings.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps, NOW } from "./fixtures.js";

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
  requestBody?: { content?: Record<string, { schema?: object }> };
}

describe("/api/v1 auto-attendant", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-aa-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    const domainId = (await store.domains.getDefault()).id;
    await store.users.create(domainId, { name: "101", password: "secret101" });
    await store.autoAttendant.ensureDefaultMenu(domainId);
    app = await createApi({
      ...baseApiDeps(store),
      now: () => NOW,
      autoAttendantGreetings: new MenuGreetings(dir),
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });
  const fields = (body: string) => (JSON.parse(body).errors as Array<{ field: string }>).map((e) => e.field);

  it("lists the default menu: welcome, enter the extension, direct dialling", async () => {
    const listed = await api("GET", "/auto-attendant/menus");
    assert.equal(listed.statusCode, 200, listed.body);
    const menu = listed.json().items.find((m: { name: string }) => m.name === "default");
    assert.deepEqual(menu.greeting, ["welcome", "enter-extension"]);
    assert.equal(menu.directDial, true);
    assert.deepEqual(menu.customGreetings, []);
  });

  it("creates, changes and deletes a menu with keys", async () => {
    const created = await api("POST", "/auto-attendant/menus", {
      name: "main",
      greeting: ["company-greeting", "enter-extension-or-operator"],
      keys: { "1": { kind: "user", target: "101" }, "0": { kind: "operator", target: "" } },
      operator: "101",
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json().keys["1"], { kind: "user", target: "101" });
    const changed = await api("PATCH", "/auto-attendant/menus/main", { tries: 2 });
    assert.equal(changed.json().tries, 2);
    assert.equal((await api("GET", "/auto-attendant/menus/main")).json().operator, "101");
    assert.equal((await api("POST", "/auto-attendant/menus", { name: "main" })).statusCode, 409);
    assert.equal((await api("DELETE", "/auto-attendant/menus/main")).statusCode, 204);
    assert.equal((await api("GET", "/auto-attendant/menus/main")).statusCode, 404);
  });

  it("names the field: a key at a missing user, an unknown prompt, an unknown key, a bad kind", async () => {
    const user = await api("POST", "/auto-attendant/menus", {
      name: "bad",
      keys: { "1": { kind: "user", target: "999" } },
    });
    assert.equal(user.statusCode, 400);
    assert.deepEqual(fields(user.body), ["keys[1].target"]);
    const prompt = await api("POST", "/auto-attendant/menus", { name: "bad", greeting: ["no-such-prompt"] });
    assert.deepEqual(fields(prompt.body), ["greeting[0]"]);
    const key = await api("POST", "/auto-attendant/menus", {
      name: "bad",
      keys: { A: { kind: "repeat", target: "" } },
    });
    assert.deepEqual(fields(key.body), ["keys.A"]);
    const kind = await api("POST", "/auto-attendant/menus", {
      name: "bad",
      timeoutAction: { kind: "fly", target: "" },
    });
    assert.deepEqual(fields(kind.body), ["timeoutAction.kind"]);
  });

  it("uploads a Chinese greeting, serves it, lists its language, and removes it", async () => {
    const wav = readFileSync(join("prompts", "zh", "welcome.wav"));
    const put = await app.inject({
      method: "PUT",
      url: "/api/v1/auto-attendant/menus/default/greetings/zh",
      headers: { ...auth, "content-type": "audio/wav" },
      payload: wav,
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.ok(put.json().durationMs > 300);
    assert.deepEqual((await api("GET", "/auto-attendant/menus/default")).json().customGreetings, ["zh"]);
    const got = await api("GET", "/auto-attendant/menus/default/greetings/zh");
    assert.equal(got.headers["content-type"], "audio/wav");
    assert.equal((await api("GET", "/auto-attendant/menus/default/greetings/en")).statusCode, 404);
    assert.equal((await api("GET", "/auto-attendant/menus/default/greetings/fr")).statusCode, 404);
    assert.equal((await api("DELETE", "/auto-attendant/menus/default/greetings/zh")).statusCode, 204);
    assert.deepEqual((await api("GET", "/auto-attendant/menus/default")).json().customGreetings, []);
  });

  it("time conditions: a bad zone or hour names its field; 'now' picks the destination", async () => {
    const bad = await api("POST", "/auto-attendant/time-conditions", {
      name: "office",
      timeZone: "Nowhere/City",
      schedule: [{ days: ["mon"], from: "25:00", to: "18:00" }],
      inHours: { kind: "menu", target: "default" },
      outOfHours: { kind: "hangup", target: "" },
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fields(bad.body), ["timeZone", "schedule[0].from"]);
    await api("POST", "/auto-attendant/menus", { name: "night" });
    const created = await api("POST", "/auto-attendant/time-conditions", {
      name: "office",
      timeZone: "Asia/Shanghai",
      inHours: { kind: "menu", target: "default" },
      outOfHours: { kind: "menu", target: "night" },
    });
    assert.equal(created.statusCode, 201, created.body);
    // Friday 08:00 UTC is 16:00 in Shanghai: in hours.
    assert.deepEqual((await api("GET", "/auto-attendant/time-conditions/office/now")).json(), {
      period: "in-hours",
      destination: { kind: "menu", target: "default" },
    });
    await api("PATCH", "/auto-attendant/time-conditions/office", { timeZone: "America/Los_Angeles" });
    // 00:00 in Los Angeles: out of hours.
    assert.equal(
      (await api("GET", "/auto-attendant/time-conditions/office/now")).json().period,
      "out-of-hours",
    );
    await api("PATCH", "/auto-attendant/time-conditions/office", { holidays: ["01-15"] });
    assert.equal((await api("GET", "/auto-attendant/time-conditions/office/now")).json().period, "holiday");
  });

  it("entry points: set a line to a time condition, refuse a missing menu, remove", async () => {
    const set = await api("PUT", "/auto-attendant/entries/line/123456", { timeCondition: "office" });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().timeCondition, "office");
    const missing = await api("PUT", "/auto-attendant/entries/number/500", { menu: "ghost" });
    assert.deepEqual(fields(missing.body), ["menu"]);
    const inUse = await api("DELETE", "/auto-attendant/time-conditions/office");
    assert.equal(inUse.statusCode, 400);
    assert.deepEqual(fields(inUse.body), ["name"]);
    assert.equal((await api("GET", "/auto-attendant/entries")).json().items.length, 1);
    assert.equal((await api("DELETE", "/auto-attendant/entries/line/123456")).statusCode, 204);
    assert.equal((await api("DELETE", "/auto-attendant/entries/line/123456")).statusCode, 404);
  });

  it("is in the OpenAPI document, each schema strict JSON Schema 2020-12, the lists valid against it", async () => {
    const doc = (await api("GET", "/openapi.json")).json();
    assert.ok(doc.paths["/api/v1/auto-attendant/menus"]?.post);
    assert.ok(doc.paths["/api/v1/auto-attendant/menus/{name}/greetings/{lang}"]?.put);
    assert.ok(doc.paths["/api/v1/auto-attendant/time-conditions/{name}/now"]?.get);
    assert.ok(doc.paths["/api/v1/auto-attendant/entries/{kind}/{key}"]?.put);
    const strict = new Ajv2020({ strict: true });
    formats.default(strict);
    for (const path of [
      "/auto-attendant/menus",
      "/auto-attendant/time-conditions",
      "/auto-attendant/entries",
    ]) {
      const validate = strict.compile(
        doc.paths[`/api/v1${path}`].get.responses["200"].content["application/json"].schema,
      );
      assert.ok(validate((await api("GET", path)).json()), `${path}: ${strict.errorsText(validate.errors)}`);
    }
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      if (!path.includes("/auto-attendant/")) continue;
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
