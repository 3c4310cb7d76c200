/**
 * Tenant isolation of the admin API (issue 21): two tenants on one SQLite store, the default
 * domain (token tok-a) and "acme" (token tok-b), each with its own createApi({ domain }). B's rows
 * are made through B's API (and, for what only calls make, through the store and the services a
 * call uses). Proven: every route that names a row by id, name or number answers A's GET, PUT,
 * PATCH, POST and DELETE on one of B's rows with 404 `not_found`, exactly as for a missing row,
 * and B's rows (and files) are byte for byte what they were; A's lists and CSV exports leave B's
 * rows out while B's show them; A's settings (call list answer, feature codes) are A's alone; and
 * with the same keys in both tenants A's creates, imports, credits, changes and deletes touch only
 * A's rows. Not here: the live views the server shares (calls, registrations, subscriptions),
 * tenant-isolation-live.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { wavHeader } from "../../src/media/recorder-wav-file.js";
import { FEATURE_CODES_SETTING } from "../../src/services/feature-code-settings.js";
import { storeFromUrl } from "../../src/store/index.js";
import {
  callingCardProbes,
  huntAndRoomProbes,
  rowLists,
  scriptTriggerProbes,
} from "../helpers/tenant-rows.js";
import { sampleCdr } from "../store/cdr-fixtures.js";
import { NOW } from "./fixtures.js";
import {
  DomainConferences,
  insertDomain,
  MemoryParkingLot,
  type Shared,
  sharedCallLists,
  type Tenant,
  tenantApi,
} from "./tenant-fixtures.js";

const WAV = Buffer.concat([wavHeader(1, 1600), Buffer.alloc(1600)]);
type Method = InjectOptions["method"];

describe("tenant isolation of the admin API (issue 21)", () => {
  let dir: string;
  let shared: Shared;
  let a: Tenant;
  let b: Tenant;
  /** B's ids the store gave: analyze, refine, detection, callList, rate, trigger, voicemail. */
  const id: Record<string, number> = {};

  async function ok(res: Promise<LightMyRequestResponse>): Promise<Record<string, unknown>> {
    const r = await res;
    assert.ok(r.statusCode === 200 || r.statusCode === 201, `${r.statusCode} ${r.body}`);
    return r.json();
  }

  /** B's configuration, made through B's own API; its calls' traces through the store. */
  async function seedB(): Promise<void> {
    const post = (url: string, body: object) => ok(b.request("POST", url, body));
    await post("/users", { name: "7001", password: "Acme-secret-7001", displayName: "Acme one" });
    await post("/external-lines", { account: "acme-line", server: "127.0.0.1" });
    await post("/sip-trunks", { trunkId: "acme-trunk", address: "127.0.0.1" });
    await post("/dialplans", { name: "acme-plan", users: ["7001"] });
    id.analyze = (
      await post("/dialplan/analyze", {
        prefix: "9",
        routeType: "external-line",
        externalLine: "acme-line",
      })
    ).id as number;
    await post("/dialplan/transitions", { id: 42, type: "delete", length: 1 });
    id.refine = (await post("/dialplan/refine", { outgoingGroupId: 1, prefix: "0", transitionId: 42 }))
      .id as number;
    await post("/hunt-groups", { number: "6001", name: "acme sales", members: ["7001"] });
    id.detection = (await post("/hunt-detections", { calledNumber: "6100", huntGroup: "6001" })).id as number;
    await post("/conference-rooms", { number: "8001", name: "acme room" });
    await post("/auto-attendant/menus", {
      name: "acme-menu",
      keys: { "1": { kind: "user", target: "7001" } },
    });
    await post("/auto-attendant/time-conditions", {
      name: "acme-hours",
      inHours: { kind: "menu", target: "acme-menu" },
      outOfHours: { kind: "hangup", target: "" },
    });
    await ok(b.request("PUT", "/auto-attendant/entries/number/5999", { menu: "acme-menu" }));
    id.callList = (await post("/call-lists", { callerPrefix: "5550199", calledPrefix: "*", kind: "black" }))
      .id as number;
    await ok(b.request("PUT", "/call-list-settings", { response: 486 }));
    await post("/calling-cards", { number: "9001", pin: "1234", balance: 10 });
    id.rate = (await post("/calling-card-rates", { prefix: "0099887", perMinute: 0.5, description: "acme" }))
      .id as number;
    id.trigger = (await post("/script-triggers", { point: "ended", script: "acme-log", prefix: "*977*" }))
      .id as number;
    await post("/emergency-numbers", { number: "110" });
    // What calls leave: a voice message (the deposit path), a recording, a CDR, a conference
    // member, a parked call.
    const left = join(b.root, "left.wav");
    writeFileSync(left, WAV);
    id.voicemail = (
      await b.mailboxes.deposit({
        domainId: b.id,
        mailbox: "7001",
        caller: "100",
        callerName: "Caller",
        callId: "acme-vm-call",
        file: left,
        durationMs: 100,
      })
    ).id;
    const file = "calls/2027/01/15/acme-rec.wav";
    mkdirSync(join(b.recordingsDir, "calls/2027/01/15"), { recursive: true });
    writeFileSync(join(b.recordingsDir, file), WAV);
    const { store } = shared;
    await store.recordings.insert({
      id: "acme-rec",
      domainId: b.id,
      callId: "acme-rec",
      caller: "7001",
      callee: "100",
      startedAt: NOW - 60_000,
      durationMs: 100,
      bytes: WAV.length,
      channels: 1,
      file,
    });
    await store.cdrs.insert(sampleCdr({ domainId: b.id, callId: "acme-cdr", caller: "7001" }));
    shared.conferences.join(b.id, "8001", {
      id: "m1",
      user: "7001",
      displayName: "Acme one",
      since: NOW - 5_000,
      muted: false,
      talking: false,
      moderator: false,
      joined: true,
    });
    const who = { user: "7001", displayName: "Acme one" };
    shared.parked.calls.push({
      domainId: b.id,
      slot: 701,
      callId: "acme-parked",
      parked: who,
      parker: who,
      parkedAt: NOW - 1_000,
      ringingBack: false,
      ringBacks: 0,
    });
  }

  /** What B sees of its rows: each answer's status and body (audio as bytes). */
  const bView = () => [
    "/users/7001",
    "/users",
    "/external-lines/acme-line",
    "/sip-trunks/acme-trunk",
    "/dialplans/acme-plan",
    `/dialplan/analyze/${id.analyze}`,
    "/dialplan/transitions/42",
    `/dialplan/refine/${id.refine}`,
    "/hunt-groups/6001",
    "/hunt-detections",
    "/conference-rooms/8001",
    "/conference-rooms/8001/members",
    "/auto-attendant/menus/acme-menu",
    "/auto-attendant/time-conditions/acme-hours",
    "/auto-attendant/entries",
    "/call-lists",
    "/call-list-settings",
    "/calling-cards/9001",
    `/calling-card-rates/${id.rate}`,
    `/script-triggers/${id.trigger}`,
    "/emergency-numbers/110",
    `/voicemail/${id.voicemail}`,
    `/voicemail/${id.voicemail}/audio`,
    "/recordings/acme-rec",
    "/recordings/acme-rec/audio",
    "/cdrs",
    "/parked",
    "/feature-codes",
  ];
  async function snapshotOfB(): Promise<Map<string, string>> {
    const seen = new Map<string, string>();
    for (const url of bView()) {
      const res = await b.request("GET", url);
      assert.equal(res.statusCode, 200, `B's GET ${url}: ${res.body}`);
      seen.set(url, res.rawPayload.toString("base64"));
    }
    return seen;
  }
  async function assertBUnchanged(before: Map<string, string>): Promise<void> {
    const now = await snapshotOfB();
    for (const [url, body] of before)
      assert.equal(now.get(url), body, `B's ${url} changed: ${Buffer.from(now.get(url) ?? "", "base64")}`);
    assert.deepEqual(shared.conferences.removed, [], "no member of B's room was removed");
  }

  let initial: Map<string, string>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-tenants-api-"));
    const store = await storeFromUrl(undefined, dir);
    await store.migrate();
    shared = {
      store,
      conferences: new DomainConferences(),
      parked: new MemoryParkingLot(),
      callLists: sharedCallLists(store),
    };
    // The default tenant keeps the data dir; another lives in <dataDir>/tenants/<name>/.
    a = await tenantApi(shared, await store.domains.getDefault(), "tok-a", dir);
    b = await tenantApi(shared, await insertDomain(store, "acme"), "tok-b", join(dir, "tenants", "acme"));
    await seedB();
    initial = await snapshotOfB();
  });
  after(async () => {
    await a.app.close();
    await b.app.close();
    await shared.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 404, as for a missing row, to every read and write of B's rows through A's API", async () => {
    const wav = (method: Method, url: string): [Method, string, Buffer, string] => [
      method,
      url,
      WAV,
      "audio/wav",
    ];
    const probes: Array<[Method, string, (object | string | Buffer)?, string?]> = [
      ["GET", "/users/7001"],
      ["PATCH", "/users/7001", { displayName: "stolen" }],
      ["PUT", "/users/7001", { displayName: "stolen" }],
      ["DELETE", "/users/7001"],
      ["GET", "/users/7001/greeting"],
      wav("PUT", "/users/7001/greeting"),
      ["DELETE", "/users/7001/greeting"],
      ["GET", "/external-lines/acme-line"],
      ["PATCH", "/external-lines/acme-line", { server: "127.0.0.2" }],
      ["PUT", "/external-lines/acme-line", { server: "127.0.0.2" }],
      ["DELETE", "/external-lines/acme-line"],
      ["GET", "/sip-trunks/acme-trunk"],
      ["PATCH", "/sip-trunks/acme-trunk", { address: "127.0.0.2" }],
      ["PUT", "/sip-trunks/acme-trunk", { address: "127.0.0.2" }],
      ["DELETE", "/sip-trunks/acme-trunk"],
      ["GET", "/dialplans/acme-plan"],
      ["PATCH", "/dialplans/acme-plan", { users: [] }],
      ["PUT", "/dialplans/acme-plan", { users: [] }],
      ["DELETE", "/dialplans/acme-plan"],
      ["GET", `/dialplan/analyze/${id.analyze}`],
      ["PATCH", `/dialplan/analyze/${id.analyze}`, { prefix: "8" }],
      ["PUT", `/dialplan/analyze/${id.analyze}`, { prefix: "8", routeType: "local-user" }],
      ["DELETE", `/dialplan/analyze/${id.analyze}`],
      ["GET", "/dialplan/transitions/42"],
      ["PATCH", "/dialplan/transitions/42", { length: 2 }],
      ["PUT", "/dialplan/transitions/42", { type: "delete", length: 2 }],
      ["DELETE", "/dialplan/transitions/42"],
      ["GET", `/dialplan/refine/${id.refine}`],
      ["PATCH", `/dialplan/refine/${id.refine}`, { prefix: "1" }],
      ["PUT", `/dialplan/refine/${id.refine}`, { outgoingGroupId: 1, prefix: "1", transitionId: 42 }],
      ["DELETE", `/dialplan/refine/${id.refine}`],
      ...huntAndRoomProbes(id.detection),
      ["GET", "/conference-rooms/8001/members"],
      ["POST", "/conference-rooms/8001/members/m1/mute", { muted: true }],
      ["DELETE", "/conference-rooms/8001/members/m1"],
      ["GET", "/auto-attendant/menus/acme-menu"],
      ["PATCH", "/auto-attendant/menus/acme-menu", { description: "stolen" }],
      ["DELETE", "/auto-attendant/menus/acme-menu"],
      ["GET", "/auto-attendant/menus/acme-menu/greetings/en"],
      wav("PUT", "/auto-attendant/menus/acme-menu/greetings/en"),
      ["DELETE", "/auto-attendant/menus/acme-menu/greetings/en"],
      ["GET", "/auto-attendant/time-conditions/acme-hours"],
      ["GET", "/auto-attendant/time-conditions/acme-hours/now"],
      ["PATCH", "/auto-attendant/time-conditions/acme-hours", { timeZone: "UTC" }],
      ["DELETE", "/auto-attendant/time-conditions/acme-hours"],
      ["DELETE", "/auto-attendant/entries/number/5999"],
      ["PATCH", `/call-lists/${id.callList}`, { rate: 50 }],
      ["DELETE", `/call-lists/${id.callList}`],
      ...callingCardProbes(),
      ["GET", `/calling-card-rates/${id.rate}`],
      ["PATCH", `/calling-card-rates/${id.rate}`, { perMinute: 9 }],
      ["DELETE", `/calling-card-rates/${id.rate}`],
      ...scriptTriggerProbes(id.trigger),
      ["GET", "/emergency-numbers/110"],
      ["PATCH", "/emergency-numbers/110", { description: "stolen" }],
      ["DELETE", "/emergency-numbers/110"],
      ["GET", `/voicemail/${id.voicemail}`],
      ["GET", `/voicemail/${id.voicemail}/audio`],
      ["PATCH", `/voicemail/${id.voicemail}`, { folder: "old" }],
      ["DELETE", `/voicemail/${id.voicemail}`],
      ["GET", "/recordings/acme-rec"],
      ["GET", "/recordings/acme-rec/audio"],
      ["DELETE", "/recordings/acme-rec"],
    ];
    for (const [method, url, payload, type] of probes) {
      const res = await a.request(method, url, payload as object | string | undefined, type);
      assert.equal(res.statusCode, 404, `A's ${method} ${url}: ${res.statusCode} ${res.body}`);
      assert.equal(res.json().error, "not_found", `A's ${method} ${url}`);
      // The route's own 404 (no such row), not the router's (no such route).
      assert.doesNotMatch(res.json().message, /^no route/, `A's ${method} ${url}`);
    }
    await assertBUnchanged(initial);
  });

  it("leaves B's rows out of A's lists, which B's own lists show", async () => {
    const lists: Array<[string, string, string | number]> = [
      ...rowLists({
        user: "7001",
        line: "acme-line",
        trunk: "acme-trunk",
        plan: "acme-plan",
        analyze: ["externalLine", "acme-line"],
        liveRoom: true,
        menu: "acme-menu",
        hours: "acme-hours",
        script: "acme-log",
        emergency: "110",
      }),
      ["/voicemail", "mailbox", "7001"],
      ["/recordings", "id", "acme-rec"],
      ["/cdrs", "callId", "acme-cdr"],
      ["/parked", "callId", "acme-parked"],
    ];
    for (const [url, field, value] of lists) {
      const has = async (t: Tenant) => {
        const res = await t.request("GET", url);
        assert.equal(res.statusCode, 200, `GET ${url}: ${res.body}`);
        return (res.json().items as Array<Record<string, unknown>>).some((item) => item[field] === value);
      };
      assert.equal(await has(b), true, `B's ${url} lists its ${field} ${value}`);
      assert.equal(await has(a), false, `A's ${url} leaves out B's ${field} ${value}`);
    }
  });

  it("leaves B's rows out of A's CSV exports", async () => {
    const exports: Array<[string, (line: string) => boolean]> = [
      ["/cdrs.csv", (line) => line.includes("acme-cdr")],
      ["/calling-cards.csv", (line) => line.startsWith("9001,")],
      ["/calling-card-rates.csv", (line) => line.startsWith("0099887,")],
    ];
    for (const [url, isB] of exports) {
      const lines = async (t: Tenant) => {
        const res = await t.request("GET", url);
        assert.equal(res.statusCode, 200, `GET ${url}: ${res.body}`);
        return res.body.split(/\r?\n/);
      };
      assert.equal((await lines(b)).filter(isB).length, 1, `B's ${url} has its row`);
      assert.equal((await lines(a)).filter(isB).length, 0, `A's ${url} leaves B's row out`);
    }
  });

  it("keeps each tenant's settings its own: the blocked calls' answer, the feature codes", async () => {
    await ok(a.request("PUT", "/call-list-settings", { response: 603 }));
    assert.equal((await a.request("GET", "/call-list-settings")).json().response, 603);
    assert.equal((await b.request("GET", "/call-list-settings")).json().response, 486);
    await ok(a.request("PATCH", "/feature-codes/forwarding", { code: "*72" }));
    const code = async (t: Tenant) =>
      (
        (await t.request("GET", "/feature-codes")).json().items as Array<{ service: string; code: string }>
      ).find((f) => f.service === "forwarding")?.code;
    assert.equal(await code(a), "*72");
    assert.equal(await code(b), "*93");
    const stored = (t: Tenant) => shared.store.systemSettings.get(t.id, FEATURE_CODES_SETTING);
    assert.notEqual(await stored(a), undefined, "A's change is stored for A");
    assert.equal(await stored(b), undefined, "and nothing for B");
    await assertBUnchanged(initial);
  });

  it("with the same keys in both tenants, A's writes, imports and credits touch only A's rows", async () => {
    const status = async (method: Method, url: string, payload?: object | string, type?: string) =>
      (await a.request(method, url, payload, type)).statusCode;
    // A CSV import creates A's own card and rate under B's keys; B's stay as they were.
    let res = await a.request("POST", "/calling-cards.csv", "number,pin,balance\n9001,1111,99\n", "text/csv");
    assert.deepEqual([res.statusCode, res.json()], [200, { created: 1, updated: 0 }], res.body);
    res = await a.request("POST", "/calling-card-rates.csv", "prefix,per_minute\n0099887,3\n", "text/csv");
    assert.deepEqual([res.statusCode, res.json()], [200, { created: 1, updated: 0 }], res.body);
    res = await a.request("POST", "/calling-cards/9001/credit", { amount: 5 });
    assert.equal(res.json().balance, 104, res.body);
    assert.equal((await b.request("GET", "/calling-cards/9001")).json().balance, 10);
    // A's own rows with B's names: created, changed and deleted in A only.
    const rows: Array<[string, string, object, object]> = [
      ["/users", "7001", { name: "7001", password: "Mine-secret-7001" }, { displayName: "mine" }],
      [
        "/external-lines",
        "acme-line",
        { account: "acme-line", server: "127.0.0.9" },
        { server: "127.0.0.8" },
      ],
      ["/dialplans", "acme-plan", { name: "acme-plan", users: [] }, { users: [] }],
      ["/hunt-groups", "6001", { number: "6001" }, { name: "mine" }],
      ["/conference-rooms", "8001", { number: "8001" }, { name: "mine" }],
      ["/auto-attendant/menus", "acme-menu", { name: "acme-menu" }, { description: "mine" }],
      ["/emergency-numbers", "110", { number: "110" }, { description: "mine" }],
    ];
    for (const [base, key, body, change] of rows) {
      assert.equal(await status("POST", base, body), 201, `A's POST ${base}`);
      assert.equal(await status("PATCH", `${base}/${key}`, change), 200, `A's PATCH ${base}/${key}`);
      assert.equal(await status("DELETE", `${base}/${key}`), 204, `A's DELETE ${base}/${key}`);
      assert.equal(await status("GET", `${base}/${key}`), 404, `A's ${base}/${key} is gone`);
    }
    assert.equal(await status("DELETE", "/calling-cards/9001"), 204);
    // A call of A's recorded under the same id as B's: A deletes its own.
    const file = "calls/2027/01/15/acme-rec.wav";
    mkdirSync(join(a.recordingsDir, "calls/2027/01/15"), { recursive: true });
    writeFileSync(join(a.recordingsDir, file), WAV);
    await shared.store.recordings.insert({
      id: "acme-rec",
      domainId: a.id,
      callId: "acme-rec",
      caller: "100",
      callee: "101",
      startedAt: NOW - 30_000,
      durationMs: 100,
      bytes: WAV.length,
      channels: 1,
      file,
    });
    assert.equal(await status("DELETE", "/recordings/acme-rec"), 204);
    assert.equal(existsSync(join(a.recordingsDir, file)), false, "A's file is deleted");
    assert.equal(existsSync(join(b.recordingsDir, file)), true, "B's file stays");
    await assertBUnchanged(initial);
  });
});
