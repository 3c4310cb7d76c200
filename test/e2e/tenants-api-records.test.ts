/**
 * End to end (issue 21 acceptance, API isolation of what calls leave): two tenants in one
 * `parley start`. In b, scripted phones with real RTP make the records: 101 registers (a
 * registration), 100 watches it (a subscription), calls it while 101 records every call (a live
 * call, then a recording and a CDR), and leaves 555 a voice message of a 700 Hz tone. a's token
 * then tries each of them: hanging up b's live call, deleting b's registration, reading, moving
 * and deleting b's voice message and recording answer 404 not_found, b's records stay, and a's
 * lists (registrations, subscriptions, calls, CDRs and their CSV, voicemail, its outbox,
 * recordings) hold a's own only; the provider naming b sees b's.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { RtpPeer } from "../helpers/rtp-peer.js";
import type { Dialog, TenantPhone } from "../helpers/tenant-phone.js";
import { type ApiAnswer, type TenantHandle, until, useTwoTenants } from "../helpers/tenants.js";

describe("API isolation of registrations, calls, CDRs, voicemail and recordings (issue 21)", () => {
  const env = useTwoTenants(["--rtp-ports", "44000-44199"]);
  /** b's records: ids the API gave. */
  const b: Record<string, string> = {};
  const bCallIds: string[] = [];

  before(async () => {
    const { b: tb } = env;
    const rec = await tb.api("PATCH", "/api/v1/users/101", { recording: "always" });
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    const vm = await tb.addUser("555", { voicemailOnUnreachableOrNoAnswer: true });
    assert.equal(vm.status, 201, JSON.stringify(vm.body));
  });
  const phone = env.phone;

  /** A call from `caller` with an RTP peer sending `hz` to Parley's media port for `ms`, then BYE. */
  async function talk(
    caller: TenantPhone,
    number: string,
    hz: number,
    ms: number,
    during?: (d: Dialog) => Promise<void>,
  ) {
    const ear = await RtpPeer.open();
    env.track(ear);
    const { response, dialog } = await caller.call(number, { rtpPort: ear.port });
    assert.equal(response.status, 200, `${number}: ${response.status} ${response.reason}`);
    const port = Number(/^m=audio (\d+)/m.exec(response.body.toString())?.[1]);
    const tone = ear.sendTone(port, hz, ms);
    await during?.(dialog!);
    await tone;
    assert.equal((await caller.inDialog(dialog!)).status, 200);
    return dialog!;
  }

  it("b's phones leave a registration, a subscription, a live call, a recording, a voice message and CDRs", {
    timeout: 60_000,
  }, async () => {
    const { a, b: tb } = env;
    const callee = await phone(tb, "101", tb.port);
    assert.equal((await callee.register()).status, 200);
    const regs = await tb.api("GET", "/api/v1/registrations");
    b.registration = regs.body.items.find((r: { user: string }) => r.user === "101").id;
    const watcher = await phone(tb, "100");
    assert.equal((await watcher.subscribe("101", "dialog")).status, 200);

    const caller = await phone(tb, "100");
    const call = await talk(caller, "101", 700, 3000, async () => {
      const live = await until(
        "b's live call",
        async () => (await tb.api("GET", "/api/v1/calls")).body.items[0],
      );
      b.call = live.id;
      assert.deepEqual((await a.api("GET", "/api/v1/calls")).body.items, [], "a lists no call of b");
      const hangUp = await a.api("DELETE", `/api/v1/calls/${b.call}`);
      assert.equal(
        hangUp.status,
        404,
        `a hanging up b's call: ${hangUp.status} ${JSON.stringify(hangUp.body)}`,
      );
      assert.equal((await tb.api("GET", "/api/v1/calls")).body.items.length, 1, "b's call goes on");
    });
    bCallIds.push(call.callId);
    // The greeting for 555 (about 9 s), the beep, then about 3 s of the tone.
    const vmCall = await talk(await phone(tb, "100"), "555", 700, 12_000);
    bCallIds.push(vmCall.callId);
    // a's own call, so a's lists are not empty by default.
    const aCaller = await phone(a, "100");
    const echo = await aCaller.call("*43");
    assert.equal(echo.response.status, 200);
    assert.equal((await aCaller.inDialog(echo.dialog!)).status, 200);

    const message = await until("b's voice message", async () => {
      return (await tb.api("GET", "/api/v1/voicemail?user=555")).body.items[0];
    }).catch((err: Error) => {
      const log = env.parley.logs.filter((l) => /voice|555|call/i.test(JSON.stringify(l)));
      throw new Error(`${err.message}\n${log.map((l) => JSON.stringify(l)).join("\n")}`);
    });
    b.voicemail = String(message.id);
    b.recording = (
      await until("b's recording", async () => (await tb.api("GET", "/api/v1/recordings")).body.items[0])
    ).id;
    await until("b's CDRs", async () => {
      const cdrs = (await tb.api("GET", "/api/v1/cdrs?limit=50")).body.items;
      return cdrs.length >= 2 ? cdrs : undefined;
    });
  });

  it("a's token: b's call, registration, voice message and recording answer 404; b keeps them", async () => {
    const { a, b: tb } = env;
    const probes: Array<[string, string, unknown?]> = [
      ["DELETE", `/registrations/${b.registration}`],
      ["GET", `/voicemail/${b.voicemail}`],
      ["GET", `/voicemail/${b.voicemail}/audio`],
      ["PATCH", `/voicemail/${b.voicemail}`, { folder: "old" }],
      ["DELETE", `/voicemail/${b.voicemail}`],
      ["GET", `/recordings/${b.recording}`],
      ["GET", `/recordings/${b.recording}/audio`],
      ["DELETE", `/recordings/${b.recording}`],
    ];
    for (const [method, path, body] of probes) {
      const res = await a.api(method, `/api/v1${path}`, body);
      assert.equal(res.status, 404, `a's ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body?.error, "not_found");
      assert.doesNotMatch(res.body.message, /^no route/i, `a's ${method} ${path}`);
    }
    const kept: Array<[string, (r: ApiAnswer) => boolean]> = [
      ["/registrations", (r) => r.body.items.some((x: { id: string }) => x.id === b.registration)],
      [`/voicemail/${b.voicemail}`, (r) => r.status === 200 && r.body.folder === "new"],
      [`/recordings/${b.recording}`, (r) => r.status === 200],
      [`/recordings/${b.recording}/audio`, (r) => r.status === 200],
    ];
    for (const [path, holds] of kept) {
      assert.ok(holds(await tb.api("GET", `/api/v1${path}`)), `b still has ${path}`);
      assert.ok(
        holds(await env.provider("GET", `/api/v1${path}`, undefined, "b")),
        `the provider in b sees ${path}`,
      );
    }
  });

  it("a's lists hold a's records only; b's and the provider's (naming b) hold b's", async () => {
    const { a, b: tb } = env;
    const items = async (x: { api: TenantHandle["api"] }, path: string) => {
      const res = await x.api("GET", `/api/v1${path}`);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      return res.body.items as Array<Record<string, unknown>>;
    };
    const inB = { api: (m: string, p: string) => env.provider(m, p, undefined, "b") };
    assert.ok(!(await items(a, "/registrations")).some((r) => r.id === b.registration));
    assert.deepEqual(await items(a, "/subscriptions"), [], "a has no subscription");
    assert.equal((await items(tb, "/subscriptions")).length, 1, "b's watcher");
    assert.deepEqual(await items(a, "/voicemail"), []);
    assert.deepEqual(await items(a, "/voicemail/outbox"), []);
    assert.deepEqual(await items(a, "/recordings"), []);
    const aCdrs = await items(a, "/cdrs?limit=100");
    assert.deepEqual(
      aCdrs.map((c) => `${c.caller}->${c.dialed}`),
      ["100->*43"],
      "a's CDRs: its own echo test only",
    );
    const csv = await a.api("GET", "/api/v1/cdrs.csv");
    assert.equal(csv.status, 200);
    for (const callId of bCallIds)
      assert.ok(!String(csv.body).includes(callId), `a's CSV leaves out ${callId}`);
    for (const view of [tb, inB]) {
      const cdrs = (await items(view, "/cdrs?limit=100")).map((c) => String(c.dialed));
      assert.ok(cdrs.includes("101") && cdrs.includes("555") && !cdrs.includes("*43"), `b's CDRs: ${cdrs}`);
      assert.equal((await items(view, "/voicemail")).length, 1);
      assert.equal((await items(view, "/recordings")).length, 1);
      assert.ok((await items(view, "/registrations")).some((r) => r.id === b.registration));
    }
    // The provider's own PBX (no tenant named) made no call: none of the tenants' records.
    const own = { api: (m: string, p: string) => env.provider(m, p) };
    for (const path of [
      "/cdrs?limit=100",
      "/voicemail",
      "/recordings",
      "/registrations",
      "/subscriptions",
      "/calls",
    ])
      assert.deepEqual(await items(own, path), [], `the provider's own ${path}`);
  });
});
