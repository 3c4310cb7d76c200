/**
 * One timestamp format in every API payload (issue 23): ISO 8601 with its zone, e.g.
 * `2026-12-07T10:15:30.123Z`. Users' createdAt/updatedAt (epoch milliseconds before), every
 * configured record that carries them (hunt groups and detections, conference rooms, call and IP
 * lists, auto-attendant menus, time conditions and entry points), and every time of a CDR and its
 * legs; the OpenAPI document declares them `format: date-time`. CDRs also carry talk time and
 * their hang-up cause.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { MenuGreetings } from "../../src/services/auto-attendant/greetings.js";
import { CallLists } from "../../src/services/call-lists/call-lists.js";
import { IpLists } from "../../src/services/ip-lists/ip-lists.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { silentLogger } from "../../src/util/logger.js";
import { sampleCdr, unanswered } from "../store/cdr-fixtures.js";
import { auth, baseApiDeps, NOW } from "./fixtures.js";

/** ISO 8601 date and time with its zone (Z or an offset). */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function assertIso(value: unknown, what: string): void {
  assert.equal(typeof value, "string", `${what} is a string, not ${JSON.stringify(value)}`);
  assert.match(value as string, ISO, what);
}

function assertStamps(item: Record<string, unknown>, what: string): void {
  assertIso(item.createdAt, `${what}.createdAt`);
  assertIso(item.updatedAt, `${what}.updatedAt`);
}

describe("timestamps in the API", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let before_: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-timestamps-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    const domainId = (await store.domains.getDefault()).id;
    await store.autoAttendant.ensureDefaultMenu(domainId);
    const ip = new IpLists({ repository: store.lists, domainId });
    await ip.load();
    const calls = new CallLists({
      repository: store.lists,
      settings: store.systemSettings,
      logger: silentLogger(),
    });
    app = await createApi({
      ...baseApiDeps(store),
      now: () => NOW,
      autoAttendantGreetings: new MenuGreetings(dir),
      huntGroups: { lastAnsweredMember: () => undefined },
      lists: { calls, ip },
      conferences: {
        list: () => [],
        members: () => undefined,
        mute: async () => false,
        remove: () => false,
      },
    });
    await app.ready();
    before_ = Date.now();
    await store.cdrs.insert(sampleCdr({ domainId }));
    await store.cdrs.insert(unanswered("busy", { domainId, startedAt: NOW + 60_000 }));
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: "GET" | "POST" | "PATCH" | "PUT", url: string, payload?: object) => {
    const res = await app.inject({
      method,
      url: `/api/v1${url}`,
      headers: auth,
      ...(payload ? { payload } : {}),
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  it("users: POST, GET, GET list and PATCH write createdAt and updatedAt as ISO 8601", async () => {
    const created = await api("POST", "/users", { name: "3101", password: "a-long-secret-3101" });
    assertStamps(created, "POST /users");
    const at = Date.parse(created.createdAt);
    assert.ok(at >= before_ - 1000 && at <= Date.now() + 1000, "the time it was created");
    assertStamps(await api("GET", "/users/3101"), "GET /users/3101");
    const list = await api("GET", "/users");
    for (const user of list.items) assertStamps(user, `GET /users ${user.name}`);
    assertStamps(await api("PATCH", "/users/3101", { displayName: "Desk" }), "PATCH /users/3101");
    assertStamps(await api("PUT", "/users/3101", { displayName: "Desk" }), "PUT /users/3101");
  });

  it("hunt groups and detections, conference rooms, call and IP lists carry ISO 8601 stamps", async () => {
    assertStamps(await api("POST", "/hunt-groups", { number: "600" }), "POST /hunt-groups");
    assertStamps(await api("PATCH", "/hunt-groups/600", { name: "Sales" }), "PATCH /hunt-groups");
    assertStamps((await api("GET", "/hunt-groups")).items[0], "GET /hunt-groups");
    const detection = await api("POST", "/hunt-detections", { calledNumber: "123456", huntGroup: "600" });
    assertStamps(detection, "POST /hunt-detections");
    assertStamps((await api("GET", "/hunt-detections")).items[0], "GET /hunt-detections");
    assertStamps(
      await api("PATCH", `/hunt-detections/${detection.id}`, { calledNumber: "654321" }),
      "PATCH /hunt-detections",
    );
    assertStamps(
      await api("POST", "/conference-rooms", { number: "7001", name: "Board" }),
      "POST /conference-rooms",
    );
    assertStamps((await api("GET", "/conference-rooms")).items[0], "GET /conference-rooms");
    const black = await api("POST", "/call-lists", {
      callerPrefix: "0086",
      calledPrefix: "*",
      kind: "black",
    });
    assertStamps(black, "POST /call-lists");
    assertStamps((await api("GET", "/call-lists")).items[0], "GET /call-lists");
    const ip = await api("POST", "/ip-lists", { address: "127.0.0.2", kind: "reject" });
    assertStamps(ip, "POST /ip-lists");
    assertStamps((await api("GET", "/ip-lists")).items[0], "GET /ip-lists");
  });

  it("auto-attendant menus, time conditions and entry points carry ISO 8601 stamps", async () => {
    assertStamps((await api("GET", "/auto-attendant/menus")).items[0], "GET /auto-attendant/menus");
    assertStamps(await api("PATCH", "/auto-attendant/menus/default", { tries: 2 }), "PATCH menu");
    const condition = await api("POST", "/auto-attendant/time-conditions", {
      name: "office",
      timeZone: "Asia/Shanghai",
      inHours: { kind: "menu", target: "default" },
      outOfHours: { kind: "hangup", target: "" },
    });
    assertStamps(condition, "POST /auto-attendant/time-conditions");
    assertStamps(await api("GET", "/auto-attendant/time-conditions/office"), "GET time condition");
    assertStamps((await api("GET", "/auto-attendant/time-conditions")).items[0], "GET time conditions");
    assertStamps(
      await api("PUT", "/auto-attendant/entries/number/500", { timeCondition: "office" }),
      "PUT entry point",
    );
    assertStamps((await api("GET", "/auto-attendant/entries")).items[0], "GET entry points");
  });

  it("CDRs: every time of the record and its legs is ISO 8601; talk time and hang-up cause are there", async () => {
    const { items } = await api("GET", "/cdrs");
    assert.equal(items.length, 2);
    for (const cdr of items) {
      assertIso(cdr.startedAt, "startedAt");
      assertIso(cdr.endedAt, "endedAt");
      if (cdr.answeredAt !== undefined) assertIso(cdr.answeredAt, "answeredAt");
      for (const leg of cdr.legs) {
        assertIso(leg.startedAt, "leg startedAt");
        assertIso(leg.endedAt, "leg endedAt");
        if (leg.answeredAt !== undefined) assertIso(leg.answeredAt, "leg answeredAt");
      }
      assert.equal(typeof cdr.talkTime, "number");
      assert.ok(cdr.duration >= cdr.talkTime, "the whole call lasts at least its talk");
      assert.equal(typeof cdr.hangupCause, "string");
    }
    const [busy, answered] = items;
    assert.deepEqual([busy.talkTime, busy.hangupCause], [0, "busy"]);
    assert.deepEqual([answered.talkTime, answered.duration, answered.hangupCause], [62, 66, "caller-bye"]);
  });

  it("the OpenAPI document declares users' and CDRs' times as date-time strings", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    const schemas = JSON.stringify(doc);
    assert.ok(!schemas.includes("Epoch milliseconds"), "no time is documented as epoch milliseconds");
    const user = doc.paths["/api/v1/users/{name}"].get.responses["200"].content["application/json"].schema;
    assert.deepEqual(
      [user.properties.createdAt.type, user.properties.createdAt.format],
      ["string", "date-time"],
    );
    const cdr =
      doc.paths["/api/v1/cdrs"].get.responses["200"].content["application/json"].schema.properties.items
        .items;
    assert.equal(cdr.properties.talkTime.type, "integer");
    assert.equal(cdr.properties.hangupCause.type, "string");
  });
});
