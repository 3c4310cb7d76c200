/**
 * End to end (issue 18, "the example scripts work"): the scripts Parley ships, as installed in a
 * fresh data directory, on real calls of scripted phones; and a script at the "ended" point that
 * keeps a count in its key-value store.
 * - time-router as a dial plan route: the call reaches 101 in office hours (Monday to Friday,
 *   09:00-17:00 in the server's zone), 102 outside them, as the test computes for now;
 * - callerid-lookup as a trigger at "attempted", its LOOKUP_URL pointed at a CRM the test runs on
 *   127.0.0.1 (listed in --script-http-allow): 101's INVITE shows the CRM's name; the second call
 *   is named from the script's key-value store without asking the CRM again;
 * - screening: a caller that presses 1 is connected, one that presses nothing is turned away;
 * - a trigger at "ended" counts calls with kv.incr and logs the count.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { RtpPeer } from "../helpers/rtp-peer.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("shipped example scripts (e2e)", () => {
  let parley: ParleyProcess;
  let crm: Server;
  let crmPort = 0;
  let crmAsked = 0;
  const phones = new Map<string, ScriptedPhone>();
  const closers: Array<() => void> = [];

  before(async () => {
    crm = createServer((req, res) => {
      crmAsked++;
      res.end(req.url?.endsWith("=100") ? "Front Desk\nignored" : "");
    });
    await new Promise<void>((r) => crm.listen(0, "127.0.0.1", r));
    crmPort = (crm.address() as { port: number }).port;
    parley = await startParley(["--script-http-allow", `127.0.0.1:${crmPort}`]);
    for (const user of ["101", "102"]) {
      const phone = await ScriptedPhone.open(user, parley.sipPort);
      closers.push(() => phone.close());
      assert.equal((await phone.register()).status, 200);
      phones.set(user, phone);
    }
  });

  after(async () => {
    for (const close of closers.splice(0)) close();
    crm?.close();
    await parley?.stop();
  });

  async function caller(): Promise<{ phone: ScriptedPhone; rtp: RtpPeer }> {
    const rtp = await RtpPeer.open();
    const phone = await ScriptedPhone.open("100", parley.sipPort, rtp.port, { telephoneEvent: true });
    closers.push(
      () => rtp.close(),
      () => phone.close(),
    );
    return { phone, rtp };
  }

  async function api(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await parley.api(method, `/api/v1${path}`, body);
    assert.ok(
      res.status >= 200 && res.status < 300,
      `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`,
    );
    return res.body;
  }

  it("installs the shipped scripts in the data directory", async () => {
    const names = ((await api("GET", "/scripts")) as { items: Array<{ name: string }> }).items.map(
      (s) => s.name,
    );
    for (const name of ["card", "screening", "time-router", "callerid-lookup"])
      assert.ok(names.includes(name), name);
  });

  it("time-router sends the call to the day or the night number", async () => {
    await api("POST", "/dialplan/analyze", { prefix: "6200", routeType: "script", script: "time-router" });
    const now = new Date();
    const minutes = now.getHours() * 60 + now.getMinutes();
    const open = now.getDay() >= 1 && now.getDay() <= 5 && minutes >= 9 * 60 && minutes < 17 * 60;
    const target = phones.get(open ? "101" : "102")!;
    const { phone } = await caller();
    const since = target.received.length;
    const dialog = await phone.call("6200");
    await target.waitFor((m) => m.method === "INVITE", since);
    await phone.inDialog(dialog, "BYE");
  });

  it("callerid-lookup names the caller from the CRM, then from its key-value store", async () => {
    const source = ((await api("GET", "/scripts/callerid-lookup")) as { source: string }).source.replace(
      "local LOOKUP_URL = nil",
      `local LOOKUP_URL = "http://127.0.0.1:${crmPort}/callerid?number="`,
    );
    await api("PUT", "/scripts/callerid-lookup", { source });
    const trigger = (await api("POST", "/script-triggers", {
      point: "attempted",
      prefix: "101",
      script: "callerid-lookup",
      dialPlan: "",
      order: 1,
      enabled: true,
    })) as { id: number };
    const callee = phones.get("101")!;
    for (const round of [1, 2]) {
      const { phone } = await caller();
      const since = callee.received.length;
      const dialog = await phone.call("101");
      const invite = await callee.waitFor((m) => m.method === "INVITE", since);
      assert.match(invite.get("from") ?? "", /^"Front Desk" <sip:100@/, `round ${round}`);
      await phone.inDialog(dialog, "BYE");
    }
    assert.equal(crmAsked, 1, "the second call is named from the key-value store");
    await api("DELETE", `/script-triggers/${trigger.id}`);
  });

  it("screening connects a caller who presses 1 and turns away one who does not", async () => {
    // The shipped script with its destination set, saved under a name of its own.
    const shipped = ((await api("GET", "/scripts/screening")) as { source: string }).source;
    assert.ok(shipped.includes("local TO = nil"));
    await api("PUT", "/scripts/screen-to-101", {
      source: shipped.replace("local TO = nil", 'local TO = "101"'),
    });
    await api("POST", "/dialplan/analyze", { prefix: "6301", routeType: "script", script: "screen-to-101" });
    const callee = phones.get("101")!;
    const pressing = await caller();
    const since = callee.received.length;
    const dialog = await pressing.phone.call("6301");
    const port = Number(/^m=audio (\d+)/m.exec(dialog.answer ?? "")?.[1]);
    for (let i = 0; i < 200 && pressing.rtp.inbox.length === 0; i++) await sleep(25);
    await pressing.rtp.sendEvent(port, "1");
    await callee.waitFor((m) => m.method === "INVITE", since, 15000);
    await pressing.phone.inDialog(dialog, "BYE");
    const silent = await caller();
    const quiet = await silent.phone.call("6301");
    const bye = await silent.phone.waitFor((m) => m.method === "BYE", 0, 15000);
    assert.equal(bye.get("call-id"), quiet.callId, "a caller who presses nothing is hung up on");
  });

  it("a script says a date (call.say_date) in the system's language", async () => {
    await api("PUT", "/scripts/say-date", {
      source: 'if not call.answer() then return end\ncall.say_date(1796659200, "UTC")\ncall.hangup()\n',
    });
    await api("POST", "/dialplan/analyze", { prefix: "6500", routeType: "script", script: "say-date" });
    const since = parley.logs.length;
    const { phone } = await caller();
    const dialog = await phone.call("6500");
    const said = await parley.waitForLog(
      (l) => l.msg === "script: play" && parley.logs.indexOf(l) >= since,
      5000,
    );
    // 1796659200 is Monday, December 7th 2026, 16:00 UTC: "Monday December seventh at four P M".
    assert.deepEqual((said.said as string[]).slice(0, 3), ["weekday-1", "month-12", "ordinal-7"]);
    await phone.waitFor((m) => m.method === "BYE" && m.get("call-id") === dialog.callId, 0, 15000);
  });

  it("a script at the ended point keeps a count in its key-value store", async () => {
    await api("PUT", "/scripts/count-calls", {
      source: 'local n = kv.incr("calls")\nlog.info("calls ended:", n)\n',
    });
    await api("POST", "/script-triggers", {
      point: "ended",
      prefix: "102",
      script: "count-calls",
      dialPlan: "",
      order: 1,
      enabled: true,
    });
    for (const n of [1, 2]) {
      const { phone } = await caller();
      const dialog = await phone.call("102");
      await phone.inDialog(dialog, "BYE");
      await parley.waitForLog((l) => l.msg === `calls ended: ${n}` && l.script === "count-calls", 5000);
    }
  });
});
