/**
 * End to end (issue 18, "Triggers on a dial plan and a number"; the Lua call API): scripts saved
 * through the REST API, reached by trigger records and a dial plan route of type "script", on
 * calls of scripted phones over real SIP and RTP (RFC 4733 keys):
 * - a trigger at "attempted" on a prefix renames the caller and routes the call to 101: 101's
 *   INVITE shows the new display name, the CDR too;
 * - a script that answers, says a prompt (heard: RTP reaches the caller), collects "101#" and
 *   connects: the caller is re-INVITEd with 101's offer (the hand-off);
 * - a dial plan route of type script runs its script with the routed number as argument;
 * - a trigger whose dial plan is not the caller's does not run;
 * - failing scripts (syntax error, endless loop, endless allocation, os.exit) each give their
 *   call a clean 500 "Script Error" and a log line naming the script, while the next call through
 *   a good script completes.
 * RTP ports: Parley's endpoint range, the phones' RtpPeer ports.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { RtpPeer } from "../helpers/rtp-peer.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const SCRIPTS: Record<string, string> = {
  "rename-route": 'call.set_caller_name("Looked Up")\ncall.route("101")\n',
  "ask-extension": [
    "if not call.answer() then return end",
    'local ext = call.collect{ prompt = "enter-extension", max = 3, timeout = 8, terminators = "#" }',
    "if ext == nil then return end",
    "local r = call.connect(ext)",
    'if not r.answered and call.state() == "answered" then call.play("not-available") end',
  ].join("\n"),
  "route-argument": 'local info = call.info()\ncall.route(info.argument == "6101" and "101" or "102")\n',
  "loops-forever": "local n = 0\nwhile true do n = n + 1 end\n",
  "eats-memory": 'local t = {}\nwhile true do t[#t + 1] = string.rep("x", 1024) .. #t end\n',
  exits: "os.exit(1)\n",
  // A callback: the caller is refused, and Parley rings 101 to connect it to 100.
  "call-back": [
    'local r = calls.originate{ from = "101", to = call.info().caller, caller_id = "Callback" }',
    'log.info("callback", r.ok, r.id or r.message)',
    'call.hangup("busy")',
  ].join("\n"),
};

describe("service scripts on calls (e2e)", () => {
  let parley: ParleyProcess;
  let callee: ScriptedPhone;
  const closers: Array<() => void> = [];

  before(async () => {
    parley = await startParley();
    for (const [name, source] of Object.entries(SCRIPTS)) {
      const saved = await parley.api("PUT", `/api/v1/scripts/${name}`, { source });
      assert.ok(saved.status === 200 || saved.status === 201, `${name}: ${JSON.stringify(saved.body)}`);
    }
    // A syntax error is refused by the API; written to the folder by hand it still fails alone.
    const bad = await parley.api("PUT", "/api/v1/scripts/broken", { source: "call.route(\n" });
    assert.equal(bad.status, 400);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${parley.dataDir}/scripts/broken.lua`, "call.route(\n");
    const triggers: Array<[string, string, string?]> = [
      ["77", "rename-route"],
      ["78", "ask-extension"],
      ["791", "broken"],
      ["792", "loops-forever"],
      ["793", "eats-memory"],
      ["794", "exits"],
      ["795", "rename-route", "no-such-plan-of-100"],
      ["796", "call-back"],
    ];
    for (const [prefix, script, dialPlan] of triggers) {
      const made = await parley.api("POST", "/api/v1/script-triggers", {
        point: "attempted",
        prefix,
        script,
        dialPlan: dialPlan ?? "",
        order: 10,
        enabled: true,
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
    }
    callee = await ScriptedPhone.open("101", parley.sipPort);
    closers.push(() => callee.close());
    assert.equal((await callee.register()).status, 200);
  });

  after(async () => {
    for (const close of closers.splice(0)) close();
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

  it("a trigger at attempted renames the caller and routes the call", async () => {
    const { phone } = await caller();
    const since = callee.received.length;
    const dialog = await phone.call("7700");
    const invite = await callee.waitFor((m) => m.method === "INVITE", since);
    assert.match(invite.get("from") ?? "", /^"Looked Up" <sip:100@/);
    assert.equal((await phone.inDialog(dialog, "BYE")).status, 200);
  });

  it("a script answers, speaks, collects keys and connects the caller", async () => {
    const { phone, rtp } = await caller();
    const since = callee.received.length;
    const dialog = await phone.call("7800");
    const port = Number(/^m=audio (\d+)/m.exec(dialog.answer ?? "")?.[1]);
    assert.ok(port > 0, `the script's endpoint answers with its port: ${dialog.answer}`);
    for (let i = 0; i < 200 && rtp.inbox.length === 0; i++) await sleep(25);
    assert.ok(rtp.inbox.length > 0, "the prompt reaches the caller");
    for (const key of "101#") await rtp.sendEvent(port, key);
    const invite = await callee.waitFor((m) => m.method === "INVITE", since, 15000);
    assert.match(invite.get("from") ?? "", /<sip:100@/);
    const reinvite = await phone.waitFor((m) => m.method === "INVITE" && m.to?.tag !== undefined, 0, 15000);
    assert.match(reinvite.body.toString(), /^m=audio \d+/m, "the caller gets 101's offer");
    await sleep(200);
    assert.equal((await phone.inDialog(dialog, "BYE")).status, 200);
  });

  it("a dial plan route of type script runs the script named by the route", async () => {
    const route = await parley.api("POST", "/api/v1/dialplan/analyze", {
      dialPlan: "default",
      prefix: "6101",
      routeType: "script",
      script: "route-argument",
    });
    assert.ok(route.status === 201 || route.status === 200, JSON.stringify(route.body));
    const { phone } = await caller();
    const since = callee.received.length;
    const dialog = await phone.call("6101");
    await callee.waitFor((m) => m.method === "INVITE", since);
    assert.equal((await phone.inDialog(dialog, "BYE")).status, 200);
  });

  it("a trigger for another dial plan does not run", async () => {
    const { phone } = await caller();
    await assert.rejects(phone.call("7950"), /404|480|484/);
  });

  it("a script originates a call (calls.originate) and refuses its own", async () => {
    const { phone } = await caller();
    const since = callee.received.length;
    await assert.rejects(phone.call("7960"), /486/);
    const invite = await callee.waitFor((m) => m.method === "INVITE", since, 10000);
    assert.match(invite.get("from") ?? "", /Callback/, "101 is rung first, showing the caller id");
    await parley.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("callback true "), 5000);
  });

  for (const [prefix, script] of [
    ["7910", "broken"],
    ["7920", "loops-forever"],
    ["7930", "eats-memory"],
    ["7940", "exits"],
  ] as const) {
    it(`a failing script (${script}) fails its call alone with 500`, async () => {
      const { phone } = await caller();
      await assert.rejects(phone.call(prefix), /500 Script Error/);
      const failed = await parley.waitForLog((l) => l.msg === "script failed" && l.script === script, 5000);
      // Logged with the line the script was at, as Lua names it (`loops-forever.lua:2: ...`).
      assert.equal(typeof failed.line, "number", JSON.stringify(failed));
      assert.match(String(failed.message), new RegExp(`^${script}\\.lua:\\d+:`));
      // The next call through a good script completes.
      const next = await caller();
      const since = callee.received.length;
      const dialog = await next.phone.call("7700");
      await callee.waitFor((m) => m.method === "INVITE", since);
      assert.equal((await next.phone.inDialog(dialog, "BYE")).status, 200);
    });
  }
});
