/**
 * End to end (issue 21 acceptance: "every route tried with tenant A's token against tenant B's
 * resources gets 404 (not 403, so existence does not leak); a provider token sees both"), over
 * HTTP against a real `parley start` with two tenants. B's administrator makes, through B's API,
 * one row of every configuration family (users, lines, trunks, dial plans and their tables, hunt
 * groups, conference rooms, auto-attendant, call lists, calling cards, script triggers, emergency
 * numbers, a replaced prompt, a music track); A's token reads, changes and deletes each of them
 * and gets 404 `not_found` from the route itself, B's rows stay as they were, and A's lists leave
 * them out. A's token naming B (X-Parley-Tenant or ?tenant=) still acts in A; the provider's
 * token naming B sees B's rows; the /tenants routes are not A's. The records calls leave
 * (registrations, CDRs, voicemail, recordings) are tenants-api-records.test.ts's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toneWav } from "../helpers/baresip-phone.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import {
  callingCardProbes,
  huntAndRoomProbes,
  rowLists,
  scriptTriggerProbes,
} from "../helpers/tenant-rows.js";
import { type ApiAnswer, useTwoTenants } from "../helpers/tenants.js";

describe("API isolation between two tenants over HTTP (issue 21)", { skip: missingTool("sox") }, () => {
  const env = useTwoTenants();
  let work: string;
  let wav: Buffer;
  const id: Record<string, number> = {};

  async function made(res: Promise<ApiAnswer>, what: string): Promise<ApiAnswer> {
    const r = await res;
    assert.ok(r.status === 200 || r.status === 201, `b's ${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "parley-tenants-api-"));
    await toneWav(join(work, "tone.wav"), 700, 1);
    wav = readFileSync(join(work, "tone.wav"));
    const { b } = env;
    const post = (path: string, body: object) => made(b.api("POST", `/api/v1${path}`, body), path);
    await made(b.addUser("555", { displayName: "B only" }), "user");
    await post("/external-lines", {
      account: "b-line",
      server: "127.0.0.1",
      serverPort: await freePort(),
      doNotRegister: true,
    });
    await post("/sip-trunks", { trunkId: "b-trunk", address: "127.0.0.1", port: await freePort() });
    await post("/dialplans", { name: "b-plan", users: ["555"] });
    id.analyze = (
      await post("/dialplan/analyze", { prefix: "77", routeType: "sip-trunk", sipTrunk: "b-trunk" })
    ).body.id;
    await post("/dialplan/transitions", { id: 42, type: "delete", length: 1 });
    id.refine = (
      await post("/dialplan/refine", { outgoingGroupId: 1, prefix: "0", transitionId: 42 })
    ).body.id;
    await post("/hunt-groups", { number: "6001", name: "b sales", members: ["555"] });
    id.detection = (await post("/hunt-detections", { calledNumber: "6100", huntGroup: "6001" })).body.id;
    await post("/conference-rooms", { number: "8001", name: "b room" });
    await post("/auto-attendant/menus", { name: "b-menu", keys: { "1": { kind: "user", target: "555" } } });
    await post("/auto-attendant/time-conditions", {
      name: "b-hours",
      inHours: { kind: "menu", target: "b-menu" },
      outOfHours: { kind: "hangup", target: "" },
    });
    await made(b.api("PUT", "/api/v1/auto-attendant/entries/number/5999", { menu: "b-menu" }), "entry");
    id.callList = (
      await post("/call-lists", { callerPrefix: "5550199", calledPrefix: "*", kind: "black" })
    ).body.id;
    await post("/calling-cards", { number: "9001", pin: "1234", balance: 10 });
    id.rate = (
      await post("/calling-card-rates", { prefix: "0099887", perMinute: 0.5, description: "b" })
    ).body.id;
    id.trigger = (
      await post("/script-triggers", { point: "ended", script: "b-log", prefix: "*977*" })
    ).body.id;
    await post("/emergency-numbers", { number: "1777" });
    await made(b.api("PUT", "/api/v1/prompts/en/prompt-test", wav), "prompt");
    await made(b.api("PUT", "/api/v1/music/b-music", wav), "music");
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
  });

  /** B's rows as B reads them (each must answer 200). */
  const bRows = () => [
    "/users/555",
    "/external-lines/b-line",
    "/sip-trunks/b-trunk",
    "/dialplans/b-plan",
    `/dialplan/analyze/${id.analyze}`,
    "/dialplan/transitions/42",
    `/dialplan/refine/${id.refine}`,
    "/hunt-groups/6001",
    "/conference-rooms/8001",
    "/auto-attendant/menus/b-menu",
    "/auto-attendant/time-conditions/b-hours",
    "/calling-cards/9001",
    `/calling-card-rates/${id.rate}`,
    `/script-triggers/${id.trigger}`,
    "/emergency-numbers/1777",
    "/music/b-music/audio",
  ];

  async function snapshot(read: (path: string) => Promise<ApiAnswer>): Promise<Map<string, string>> {
    const seen = new Map<string, string>();
    for (const path of bRows()) {
      const res = await read(`/api/v1${path}`);
      assert.equal(res.status, 200, `GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      const {
        updatedAt: _u,
        state: _s,
        ...stable
      } = typeof res.body === "object" ? res.body : { body: res.body };
      seen.set(path, JSON.stringify(stable));
    }
    return seen;
  }

  it("a's token: every read and write of b's rows answers 404 not_found; b's rows stay as they were", async () => {
    const before = await snapshot((path) => env.b.api("GET", path));
    const probes: Array<[string, string, unknown?]> = [
      ["GET", "/users/555"],
      ["PATCH", "/users/555", { displayName: "stolen" }],
      ["PUT", "/users/555", { displayName: "stolen" }],
      ["DELETE", "/users/555"],
      ["GET", "/users/555/greeting"],
      ["PUT", "/users/555/greeting", wav],
      ["GET", "/external-lines/b-line"],
      ["PATCH", "/external-lines/b-line", { server: "127.0.0.1" }],
      ["DELETE", "/external-lines/b-line"],
      ["GET", "/sip-trunks/b-trunk"],
      ["PATCH", "/sip-trunks/b-trunk", { description: "stolen" }],
      ["DELETE", "/sip-trunks/b-trunk"],
      ["GET", "/dialplans/b-plan"],
      ["PATCH", "/dialplans/b-plan", { users: [] }],
      ["DELETE", "/dialplans/b-plan"],
      ["GET", `/dialplan/analyze/${id.analyze}`],
      ["PATCH", `/dialplan/analyze/${id.analyze}`, { prefix: "78" }],
      ["DELETE", `/dialplan/analyze/${id.analyze}`],
      ["GET", "/dialplan/transitions/42"],
      ["DELETE", "/dialplan/transitions/42"],
      ["GET", `/dialplan/refine/${id.refine}`],
      ["DELETE", `/dialplan/refine/${id.refine}`],
      ...huntAndRoomProbes(id.detection),
      ["GET", "/auto-attendant/menus/b-menu"],
      ["PATCH", "/auto-attendant/menus/b-menu", { description: "stolen" }],
      ["DELETE", "/auto-attendant/menus/b-menu"],
      ["PUT", "/auto-attendant/menus/b-menu/greetings/en", wav],
      ["GET", "/auto-attendant/time-conditions/b-hours"],
      ["DELETE", "/auto-attendant/time-conditions/b-hours"],
      ["DELETE", "/auto-attendant/entries/number/5999"],
      ["PATCH", `/call-lists/${id.callList}`, { kind: "white" }],
      ["DELETE", `/call-lists/${id.callList}`],
      ...callingCardProbes(),
      ["GET", `/calling-card-rates/${id.rate}`],
      ["DELETE", `/calling-card-rates/${id.rate}`],
      ...scriptTriggerProbes(id.trigger),
      ["GET", "/emergency-numbers/1777"],
      ["PATCH", "/emergency-numbers/1777", { description: "stolen" }],
      ["DELETE", "/emergency-numbers/1777"],
      // a replaced nothing: b's upload is not a's to restore; b's music track is not a's.
      ["DELETE", "/prompts/en/prompt-test"],
      ["GET", "/music/b-music/audio"],
      ["DELETE", "/music/b-music"],
      // The provider's routes do not exist for a tenant.
      ["GET", "/tenants"],
      ["GET", "/tenants/b"],
      ["PATCH", "/tenants/b", { limits: { users: 0 } }],
      ["POST", "/tenants/b/suspend"],
      ["POST", "/tenants/b/token"],
      ["DELETE", "/tenants/b"],
      ["POST", "/tenants", { name: "c", domain: "c.test", admin: { password: "tenant-admin-pass" } }],
    ];
    for (const [method, path, body] of probes) {
      const res = await env.a.api(method, `/api/v1${path}`, body);
      assert.equal(res.status, 404, `a's ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body?.error, "not_found", `a's ${method} ${path}: ${JSON.stringify(res.body)}`);
      // The route's own answer for a missing row (a's API has no /tenants routes at all).
      if (!path.startsWith("/tenants"))
        assert.doesNotMatch(res.body.message, /^no route/i, `a's ${method} ${path}: ${res.body.message}`);
    }
    assert.deepEqual(await snapshot((path) => env.b.api("GET", path)), before, "b's rows unchanged");
    const prompt = await env.b.api("GET", "/api/v1/prompts?lang=en");
    assert.equal(prompt.body.items.find((p: { name: string }) => p.name === "prompt-test").replaced, true);
    const tenant = await env.provider("GET", "/api/v1/tenants/b");
    assert.equal(tenant.body.state, "active");
    assert.deepEqual(tenant.body.limits, {});
    assert.equal((await env.b.api("GET", "/api/v1/users")).status, 200, "b's token still works");
  });

  it("a's lists leave b's rows out; b's own lists show them", async () => {
    const lists: Array<[string, string, string | number]> = [
      ...rowLists({
        user: "555",
        line: "b-line",
        trunk: "b-trunk",
        plan: "b-plan",
        analyze: ["sipTrunk", "b-trunk"],
        menu: "b-menu",
        hours: "b-hours",
        script: "b-log",
        emergency: "1777",
      }),
      ["/music", "name", "b-music"],
      ["/prompts?lang=en", "replaced", 1],
    ];
    for (const [path, field, value] of lists) {
      const has = async (api: (m: string, p: string) => Promise<ApiAnswer>) => {
        const res = await api("GET", `/api/v1${path}`);
        assert.equal(res.status, 200, `GET ${path}: ${JSON.stringify(res.body)}`);
        const items = res.body.items as Array<Record<string, unknown>>;
        return items.some((item) => (value === 1 ? item[field] === true : item[field] === value));
      };
      assert.equal(await has((m, p) => env.b.api(m, p)), true, `b's ${path} lists its ${field} ${value}`);
      assert.equal(
        await has((m, p) => env.a.api(m, p)),
        false,
        `a's ${path} leaves out b's ${field} ${value}`,
      );
    }
    const csv = await env.a.api("GET", "/api/v1/calling-cards.csv");
    assert.equal(csv.status, 200);
    assert.doesNotMatch(String(csv.body), /^9001,/m, "a's calling card export leaves out b's card");
  });

  it("a's token naming b (header or query) still acts in a; the provider naming b sees b's rows", async () => {
    const { a, b } = env;
    for (const [how, suffix, headers] of [
      ["X-Parley-Tenant", "", { "x-parley-tenant": "b" }],
      ["?tenant=", "?tenant=b", {}],
    ] as const) {
      const users = await a.api("GET", `/api/v1/users${suffix}`, undefined, headers);
      assert.deepEqual(
        users.body.items.map((u: { name: string }) => u.name),
        ["100", "101"],
        `a's token with ${how} b lists a's users`,
      );
      for (const path of bRows()) {
        const sep = path.includes("?") ? "&" : "?";
        const res = await a.api(
          "GET",
          `/api/v1${path}${suffix === "" ? "" : `${sep}tenant=b`}`,
          undefined,
          headers,
        );
        assert.equal(res.status, 404, `a's token with ${how} b: GET ${path} ${res.status}`);
      }
      const me = await a.api("GET", `/api/v1/tenant${suffix}`, undefined, headers);
      assert.deepEqual(me.body, { name: "a", domain: "a.test", provider: false });
    }
    // The provider acting in b, by header and by query, sees exactly what b sees.
    const bSees = await snapshot((path) => b.api("GET", path));
    assert.deepEqual(await snapshot((path) => env.provider("GET", path, undefined, "b")), bSees);
    const byQuery = await snapshot((path) =>
      env.provider("GET", `${path}${path.includes("?") ? "&" : "?"}tenant=b`),
    );
    assert.deepEqual(byQuery, bSees);
    const me = await env.provider("GET", "/api/v1/tenant", undefined, "b");
    assert.equal(me.body.name, "b");
    // Without naming b the provider is in its own PBX, where b's rows do not exist.
    for (const path of bRows()) {
      const res = await env.provider("GET", `/api/v1${path}`);
      assert.equal(res.status, 404, `the provider's own ${path}: ${res.status}`);
    }
    const unknown = await env.provider("GET", "/api/v1/users", undefined, "nobody");
    assert.equal(unknown.status, 404);
    const tenants = await env.provider("GET", "/api/v1/tenants");
    assert.deepEqual(
      tenants.body.items.map((t: { name: string }) => t.name).sort(),
      ["a", "b"],
      "the provider sees both tenants",
    );
  });
});
