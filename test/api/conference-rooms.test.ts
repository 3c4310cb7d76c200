/**
 * /api/v1/conference-rooms over a real SQLite store (issue 17): configured rooms created,
 * listed, changed and removed; errors name the field (400), a taken number is a conflict (409),
 * a missing room 404; the live view (rooms in use, members, talkers) and the administrator's
 * mute and remove reach the conference service; the routes are in the OpenAPI document.
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
import type { ConferenceMemberLive, ConferencesLive } from "../../src/api/routes/conference-rooms.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps, NOW } from "./fixtures.js";

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
  requestBody?: { content?: Record<string, { schema?: object }> };
}

/** Rooms in use as a test sets them; mute and remove act on them and are remembered. */
class MemoryConferences implements ConferencesLive {
  readonly rooms = new Map<string, ConferenceMemberLive[]>();
  readonly removed: string[] = [];
  list() {
    return [...this.rooms].map(([number, members]) => ({ number, members }));
  }
  members(_domainId: number, number: string) {
    return this.rooms.get(number);
  }
  async mute(_domainId: number, number: string, id: string, muted: boolean) {
    const members = this.rooms.get(number);
    const i = members?.findIndex((m) => m.id === id) ?? -1;
    if (members === undefined || i < 0) return false;
    members[i] = { ...members[i], muted };
    return true;
  }
  remove(_domainId: number, number: string, id: string) {
    const members = this.rooms.get(number);
    if (!members?.some((m) => m.id === id)) return false;
    this.removed.push(`${number}/${id}`);
    return true;
  }
}

const member = (id: string, user: string, talking: boolean): ConferenceMemberLive => ({
  id,
  user,
  displayName: "",
  since: NOW - 42_000,
  muted: false,
  talking,
  moderator: false,
  joined: true,
});

describe("/api/v1 conference rooms", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  const live = new MemoryConferences();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-conference-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    app = await createApi({ ...baseApiDeps(store), conferences: live, now: () => NOW });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });

  it("creates, lists, changes and deletes a room", async () => {
    const created = await api("POST", "/conference-rooms", { number: "7001", name: "Board", pin: "1234" });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().maxMembers, 5, "miniSIPServer's default");
    assert.equal(created.json().members, 0);
    const changed = await api("PATCH", "/conference-rooms/7001", {
      maxMembers: 10,
      moderatorPin: "99",
      waitForModerator: true,
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().waitForModerator, true);
    const listed = await api("GET", "/conference-rooms");
    assert.deepEqual(
      listed.json().items.map((r: { number: string; maxMembers: number }) => [r.number, r.maxMembers]),
      [["7001", 10]],
    );
    assert.equal((await api("GET", "/conference-rooms/7001")).json().pin, "1234");
    await api("POST", "/conference-rooms", { number: "7002" });
    assert.equal((await api("DELETE", "/conference-rooms/7002")).statusCode, 204);
    assert.equal((await api("DELETE", "/conference-rooms/7002")).statusCode, 404);
  });

  it("names the bad field (400), refuses a taken number (409), and 404s a missing room", async () => {
    const bad = await api("POST", "/conference-rooms", { number: "70x", maxMembers: 0, pin: "abc" });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
      ["maxMembers", "number", "pin"],
    );
    const same = await api("PATCH", "/conference-rooms/7001", { moderatorPin: "1234" });
    assert.equal(same.statusCode, 400);
    assert.equal(same.json().errors[0].field, "moderatorPin");
    assert.equal((await api("POST", "/conference-rooms", { number: "7001" })).statusCode, 409);
    assert.equal((await api("PATCH", "/conference-rooms/7999", { name: "x" })).statusCode, 404);
    assert.equal((await api("GET", "/conference-rooms/7999")).statusCode, 404);
  });

  it("shows the rooms in use with members and talkers, configured and ad hoc", async () => {
    live.rooms.set("7001", [member("1", "100", true), member("2", "101", false)]);
    live.rooms.set("55", [member("3", "102", false)]);
    const rooms = (await api("GET", "/conference-rooms/live")).json().items;
    const board = rooms.find((r: { number: string }) => r.number === "7001");
    assert.equal(board.configured, true);
    assert.equal(board.name, "Board");
    assert.deepEqual(
      board.members.map((m: { user: string; talking: boolean; seconds: number }) => [
        m.user,
        m.talking,
        m.seconds,
      ]),
      [
        ["100", true, 42],
        ["101", false, 42],
      ],
    );
    assert.equal(rooms.find((r: { number: string }) => r.number === "55").configured, false);
    assert.equal((await api("GET", "/conference-rooms")).json().items[0].members, 2);
    const members = await api("GET", "/conference-rooms/7001/members");
    assert.equal(members.json().items.length, 2);
    assert.equal((await api("GET", "/conference-rooms/55/members")).json().items.length, 1, "ad hoc too");
    assert.equal((await api("GET", "/conference-rooms/7999/members")).statusCode, 404, "no such room");
    live.rooms.delete("7001");
    assert.deepEqual(
      (await api("GET", "/conference-rooms/7001/members")).json().items,
      [],
      "configured, empty",
    );
  });

  it("mutes, unmutes and removes a member; an unknown one is 404", async () => {
    live.rooms.set("7001", [member("1", "100", true)]);
    const muted = await api("POST", "/conference-rooms/7001/members/1/mute", { muted: true });
    assert.equal(muted.statusCode, 200, muted.body);
    assert.equal(muted.json().muted, true);
    const unmuted = await api("POST", "/conference-rooms/7001/members/1/mute", { muted: false });
    assert.equal(unmuted.json().muted, false);
    const badBody = await api("POST", "/conference-rooms/7001/members/1/mute", { muted: "yes" });
    assert.equal(badBody.statusCode, 400);
    assert.equal(
      (await api("POST", "/conference-rooms/7001/members/9/mute", { muted: true })).statusCode,
      404,
    );
    assert.equal((await api("DELETE", "/conference-rooms/7001/members/1")).statusCode, 204);
    assert.deepEqual(live.removed, ["7001/1"]);
    assert.equal((await api("DELETE", "/conference-rooms/7001/members/9")).statusCode, 404);
  });

  it("documents the routes in the OpenAPI document, each schema strict JSON Schema 2020-12", async () => {
    const doc = (await api("GET", "/openapi.json")).json();
    assert.ok(doc.paths["/api/v1/conference-rooms"]?.post);
    assert.ok(doc.paths["/api/v1/conference-rooms/{number}/members/{id}/mute"]?.post);
    assert.ok(doc.paths["/api/v1/conference-rooms/{number}/members/{id}"]?.delete);
    const strict = new Ajv2020({ strict: true });
    formats.default(strict);
    const listed = await api("GET", "/conference-rooms/live");
    const validate = strict.compile(
      doc.paths["/api/v1/conference-rooms/live"].get.responses["200"].content["application/json"].schema,
    );
    assert.ok(validate(listed.json()), strict.errorsText(validate.errors));
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      if (!path.includes("/conference-")) continue;
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
