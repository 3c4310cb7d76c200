/**
 * End to end (issue 17, acceptance "auto-attendant"): calls in on an external line set to the
 * auto-attendant. The caller is a scripted phone that is also the line's provider (its INVITE
 * comes from the line's server address and port, as a provider's does) with an RtpPeer for its
 * media: it hears the greeting (measured: length and RMS envelope against the shipped prompts)
 * and keys by RFC 4733. A baresip caller does the same through its keypad (its stdio module sends
 * the keys as RFC 4733 events; baresip is then the line's provider side). Covered:
 * - `101` dialled directly: Parley hands the caller to 101 (baresip), each hears the other's tone,
 *   the CDR names the menu and the key on the auto-attendant's leg;
 * - a menu key reaches a hunt group, whose member sees the caller's own number in From; so does
 *   the group's number dialled directly;
 * - silence: the menu repeats, then the timeout action; a wrong key: "invalid", then the invalid
 *   action (goodbye, BYE);
 * - a key to a user with no phone: "not available" and the menu again;
 * - a key to a user's voicemail (the caller re-INVITEd onto the voicemail endpoint);
 * - a key pointing at a user deleted since: the menu says so and goes on;
 * - a dial plan route of type auto-attendant, the number's entry point choosing the menu;
 * - office hours: on a holiday the out-of-hours destination answers (a user rings at once),
 *   in hours the menu;
 * - `--language zh`: the greeting is the Chinese prompt set.
 * RTP ports 36400-36599 (Parley), 30000-30999 (baresip).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SHIPPED_PROMPTS_DIR } from "../../src/media/prompts/prompt-library.js";
import { envelopeMatch, rmsEnvelope, toneShare, wavSamples } from "../helpers/audio-measure.js";
import { BaresipPhone, PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { describeHeard, heard, receivedDumps } from "../helpers/phone-audio.js";
import { RtpPeer } from "../helpers/rtp-peer.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CALLER = "13800138000";

/** The greeting as the shipped prompts say it back to back (what the caller should hear). */
function reference(lang: string, prompts: string[]): Int16Array {
  const parts = prompts.map((p) => wavSamples(join(SHIPPED_PROMPTS_DIR, lang, `${p}.wav`)));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Seconds of sound (50 ms windows above a floor) from the first to the last. */
function soundSpan(pcm: Int16Array): number {
  const env = rmsEnvelope(pcm);
  const loud = env.map((v, i) => (v > 200 ? i : -1)).filter((i) => i >= 0);
  return loud.length === 0 ? 0 : ((loud.at(-1)! - loud[0]! + 1) * 50) / 1000;
}

interface LineCall {
  parley: ParleyProcess;
  phone: ScriptedPhone;
  rtp: RtpPeer;
  dialog: Awaited<ReturnType<ScriptedPhone["call"]>>;
  /** The auto-attendant's RTP port. */
  port: number;
}

async function callIn(parley: ParleyProcess, account: string, closers: Array<() => void>): Promise<LineCall> {
  const rtp = await RtpPeer.open();
  const phone = await ScriptedPhone.open(CALLER, parley.sipPort, rtp.port, { telephoneEvent: true });
  closers.push(
    () => rtp.close(),
    () => phone.close(),
  );
  // The phone is the line's provider: its INVITE comes from the line's server address and port.
  const line = await parley.api("POST", "/api/v1/external-lines", {
    account,
    server: "127.0.0.1",
    serverPort: phone.port,
    doNotRegister: true,
    transferTo: "auto-attendant",
  });
  assert.equal(line.status, 201, JSON.stringify(line.body));
  const dialog = await phone.call(account);
  const port = Number(/^m=audio (\d+)/m.exec(dialog.answer ?? "")?.[1]);
  assert.ok(port > 0, `the auto-attendant's port in its answer: ${dialog.answer}`);
  return { parley, phone, rtp, dialog, port };
}

/** Waits for the menu's first audio at the caller: the menu is up and takes keys (no fixed wait). */
async function greeted(call: LineCall): Promise<void> {
  for (let i = 0; i < 400 && call.rtp.inbox.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(call.rtp.inbox.length > 0, "the menu's greeting reaches the caller");
}

async function keys(call: LineCall, digits: string): Promise<void> {
  for (const key of digits) await call.rtp.sendEvent(call.port, key);
}

/** The caller's re-INVITE from the hand-off: the callee's offer; its RTP port. */
async function handedOff(call: LineCall, timeoutMs = 15000): Promise<number> {
  const reinvite = await call.phone
    .waitFor((m) => m.method === "INVITE" && m.to?.tag !== undefined, 0, timeoutMs)
    .catch((e: unknown) => {
      throw new Error(`no re-INVITE from the hand-off (${e})\n${call.parley.output().slice(-5000)}`);
    });
  return Number(/^m=audio (\d+)/m.exec(reinvite.body.toString())?.[1]);
}

async function cdrOf(parley: ParleyProcess, callee: string): Promise<Record<string, unknown> | undefined> {
  for (let i = 0; i < 50; i++) {
    const items = (await parley.api("GET", `/api/v1/cdrs?number=${CALLER}&limit=20`)).body.items as Array<
      Record<string, unknown>
    >;
    const found = items?.find((r) => r.callee === callee);
    if (found !== undefined) return found;
    await sleep(100);
  }
  return undefined;
}

describe("auto-attendant (scripted caller through a line, baresip and scripted callees)", {
  skip: missingTool("baresip") || missingTool("sox"),
}, () => {
  let parley: ParleyProcess;
  let work: string;
  let phones: PresetPhones;
  const closers: Array<() => void> = [];
  const api = async (method: string, path: string, body?: object) => {
    const r = await parley.api(method as "GET", `/api/v1${path}`, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  before(async () => {
    parley = await startParley(["--rtp-ports", "36400-36499"]);
    work = mkdtempSync(join(tmpdir(), "parley-aa-"));
    await toneWav(join(work, "1000.wav"), 1000, 60);
    await toneWav(join(work, "440.wav"), 440, 60);
    phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 30000);
  });
  after(async () => {
    for (const close of closers) close();
    await phones.stopAll();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("the greeting plays, 101 dialled by RFC 4733 answers, each hears the other; the CDR names menu and key", {
    timeout: 90000,
  }, async (t) => {
    const b: BaresipPhone = await phones.phone("101", join(work, "1000.wav"), { autoAnswer: true });
    const call = await callIn(parley, "5550001", closers);
    await sleep(4500);
    const greeting = call.rtp.audio();
    const expected = reference("en", ["welcome", "enter-extension"]);
    const span = soundSpan(greeting);
    const match = envelopeMatch(rmsEnvelope(greeting), rmsEnvelope(expected), 40);
    t.diagnostic(
      `greeting ${span.toFixed(2)} s of sound (prompts ${soundSpan(expected).toFixed(2)} s), r=${match.r.toFixed(3)}`,
    );
    assert.ok(Math.abs(span - soundSpan(expected)) < 0.5, `greeting length ${span} s`);
    assert.ok(match.r > 0.8, `the greeting is welcome + enter-extension (r=${match.r.toFixed(3)})`);
    const before = call.rtp.inbox.length;
    await keys(call, "101");
    const port101 = await handedOff(call);
    assert.ok(port101 > 0);
    // The caller talks to 101: a 440 Hz tone its way, 101's 1 kHz tone back.
    const sending = call.rtp.sendTone(port101, 440, 3000);
    await sleep(3000);
    await sending;
    const fromB = call.rtp.audio(before).subarray(-8000 * 2);
    assert.ok(
      toneShare(fromB, 1000) > 0.5,
      `the caller hears 101's tone (${toneShare(fromB, 1000).toFixed(2)})`,
    );
    const bye = await call.phone.inDialog(call.dialog, "BYE");
    assert.equal(bye.status, 200);
    // 101's recording is complete once its call is closed.
    assert.ok(await b.waitForEvent("CALL_CLOSED", 10000), "101's call ends with the caller's BYE");
    const w = heard(b, 0.5, 2.5, [440]);
    assert.ok(w.shares[440]! > 0.5, `101 hears the caller: ${describeHeard(w)}`);
    const cdr = await cdrOf(parley, "101");
    assert.equal(cdr?.disposition, "answered", JSON.stringify(cdr));
    const legs = cdr?.legs as Array<{ peer: string }>;
    assert.ok(
      legs.some((l) => l.peer === "parley:auto-attendant;menu=default;key=101"),
      JSON.stringify(legs),
    );
  });

  it("a baresip caller through the line hears the greeting, keys 101 (RFC 4733) and 101 hears it", {
    timeout: 90000,
  }, async () => {
    const b: BaresipPhone = await phones.phone("101", join(work, "1000.wav"), { autoAnswer: true });
    // baresip is the line's provider side here: its INVITE comes from the line's server address.
    const caller = await BaresipPhone.start({
      account: `<sip:${CALLER}@127.0.0.1:${parley.sipPort}>;regint=0`,
      source: join(work, "440.wav"),
      rtpPorts: "30950-30999",
      keys: true,
    });
    closers.push(() => void caller.stop());
    await api("POST", "/external-lines", {
      account: "5550019",
      server: "127.0.0.1",
      serverPort: caller.sipPort,
      doNotRegister: true,
      transferTo: "auto-attendant",
    });
    const diag = () =>
      `\n--- caller:\n${caller.output().slice(-2500)}\n--- parley:\n${parley.output().slice(-4000)}`;
    caller.command("dial", `sip:5550019@127.0.0.1:${parley.sipPort}`);
    assert.ok(await caller.waitForEvent("CALL_ESTABLISHED", 10000), `the auto-attendant answered${diag()}`);
    const answeredAt = Date.now();
    await sleep(4500);
    await caller.press("101");
    assert.ok(await b.waitForEvent("CALL_ESTABLISHED", 15000), `101 answered the handed-on caller${diag()}`);
    const talkFrom = (Date.now() - answeredAt) / 1000;
    await sleep(4000);
    const talkTo = (Date.now() - answeredAt) / 1000;
    caller.command("hangup");
    assert.ok(await b.waitForEvent("CALL_CLOSED", 10000), `101 released${diag()}`);
    await caller.stop();
    // The greeting, as the caller's own recording has it, is the shipped welcome + enter-extension.
    const greeting = wavSamples(receivedDumps(caller)[0]!).subarray(0, 8000 * 4.4);
    const expected = reference("en", ["welcome", "enter-extension"]);
    const match = envelopeMatch(rmsEnvelope(greeting), rmsEnvelope(expected), 40);
    assert.ok(match.r > 0.8, `the caller heard welcome + enter-extension (r=${match.r.toFixed(3)})`);
    // 101 hears the caller. (The caller's own baresip 1.0.0 drops what it gets after the
    // re-INVITE: "discard old frame" on the new stream's timestamps; the scripted caller's test
    // above measures that direction.)
    const back = heard(b, 1, talkTo - talkFrom - 0.5, [440]);
    assert.ok(back.shares[440] > 0.5, `101 hears the caller: ${describeHeard(back)}`);
  });

  it("a menu key reaches a hunt group; the member sees the caller's number", { timeout: 60000 }, async () => {
    const member = await ScriptedPhone.open("102", parley.sipPort);
    closers.push(() => member.close());
    assert.equal((await member.register()).status, 200);
    await api("POST", "/hunt-groups", { number: "600", members: ["102"] });
    await api("POST", "/auto-attendant/menus", {
      name: "main",
      greeting: ["company-greeting"],
      keys: { "2": { kind: "group", target: "600" } },
    });
    await api("PUT", "/auto-attendant/entries/line/5550002", { menu: "main" });
    const call = await callIn(parley, "5550002", closers);
    await greeted(call);
    await keys(call, "2");
    const invite = await member.waitFor((m) => m.method === "INVITE", 0, 15000);
    assert.match(invite.get("from") ?? "", new RegExp(`sip:${CALLER}@`));
    assert.ok((await handedOff(call)) > 0);
    await call.phone.inDialog(call.dialog, "BYE");
    const cdr = await cdrOf(parley, "102");
    const legs = cdr?.legs as Array<{ peer: string }>;
    assert.ok(
      legs?.some((l) => l.peer === "parley:auto-attendant;menu=main;key=2"),
      JSON.stringify(cdr),
    );
  });

  it("a hunt group's number dialled directly at the default menu rings the group", {
    timeout: 60000,
  }, async () => {
    const member = await ScriptedPhone.open("102", parley.sipPort);
    closers.push(() => member.close());
    assert.equal((await member.register()).status, 200);
    const call = await callIn(parley, "5550011", closers);
    await greeted(call);
    await keys(call, "600");
    await member.waitFor((m) => m.method === "INVITE", 0, 15000);
    assert.ok((await handedOff(call)) > 0);
    await call.phone.inDialog(call.dialog, "BYE");
  });

  it("silence repeats the menu, then its timeout action rings 102", { timeout: 60000 }, async () => {
    const member = await ScriptedPhone.open("102", parley.sipPort);
    closers.push(() => member.close());
    assert.equal((await member.register()).status, 200);
    await api("POST", "/auto-attendant/menus", {
      name: "quick",
      greeting: ["welcome"],
      firstDigitTimeout: 1,
      tries: 2,
      timeoutAction: { kind: "user", target: "102" },
    });
    await api("PUT", "/auto-attendant/entries/line/5550003", { menu: "quick" });
    const started = performance.now();
    const call = await callIn(parley, "5550003", closers);
    await member
      .waitFor((m) => m.method === "INVITE", 0, 20000)
      .catch((e: unknown) => {
        throw new Error(`102 not rung (${e})\n${parley.output().slice(-5000)}`);
      });
    const welcome = reference("en", ["welcome"]).length / 8000;
    // Two greetings and two one-second waits before the timeout action.
    assert.ok(performance.now() - started > (2 * welcome + 2) * 1000 - 500, "the menu played twice first");
    assert.ok((await handedOff(call)) > 0);
    await call.phone.inDialog(call.dialog, "BYE");
  });

  it("a wrong key says 'invalid' and the menu again; the second one ends the call with goodbye", {
    timeout: 60000,
  }, async () => {
    await api("POST", "/auto-attendant/menus", {
      name: "strict",
      greeting: ["welcome"],
      directDial: false,
      tries: 2,
      keys: { "1": { kind: "repeat", target: "" } },
    });
    await api("PUT", "/auto-attendant/entries/line/5550004", { menu: "strict" });
    const call = await callIn(parley, "5550004", closers);
    await sleep(1500);
    const before = call.rtp.inbox.length;
    await keys(call, "9");
    await sleep(3500);
    const said = call.rtp.audio(before);
    const invalid = reference("en", ["invalid", "try-again"]);
    const match = envelopeMatch(rmsEnvelope(said), rmsEnvelope(invalid), 40);
    assert.ok(match.r > 0.7, `"invalid, try again" (r=${match.r.toFixed(3)})`);
    await keys(call, "9");
    await call.phone.waitFor((m) => m.method === "BYE", 0, 15000);
  });

  it("a key pointing at a user deleted since: 'number does not exist', and the menu again", {
    timeout: 60000,
  }, async () => {
    await api("POST", "/users", { name: "103", password: "secret-103" });
    await api("POST", "/auto-attendant/menus", {
      name: "gone",
      greeting: ["welcome"],
      directDial: false,
      keys: { "3": { kind: "user", target: "103" } },
    });
    await api("DELETE", "/users/103");
    await api("PUT", "/auto-attendant/entries/line/5550005", { menu: "gone" });
    const call = await callIn(parley, "5550005", closers);
    await sleep(1500);
    const before = call.rtp.inbox.length;
    await keys(call, "3");
    await sleep(3500);
    const said = call.rtp.audio(before);
    const match = envelopeMatch(rmsEnvelope(said), rmsEnvelope(reference("en", ["number-not-exist"])), 40);
    assert.ok(match.r > 0.7, `"the number you dialled does not exist" (r=${match.r.toFixed(3)})`);
    assert.match(parley.output(), /the menu names a deleted user/);
    await call.phone.inDialog(call.dialog, "BYE");
  });

  it("a key to a user with no phone: 'not available', and the menu goes on", { timeout: 60000 }, async () => {
    await api("POST", "/users", { name: "104", password: "secret-104" });
    await api("POST", "/auto-attendant/menus", {
      name: "away",
      greeting: ["welcome"],
      directDial: false,
      keys: { "6": { kind: "user", target: "104" } },
    });
    await api("PUT", "/auto-attendant/entries/line/5550009", { menu: "away" });
    const call = await callIn(parley, "5550009", closers);
    await sleep(1500);
    const before = call.rtp.inbox.length;
    await keys(call, "6");
    await sleep(4500);
    const said = call.rtp.audio(before);
    const match = envelopeMatch(rmsEnvelope(said), rmsEnvelope(reference("en", ["not-available"])), 60);
    assert.ok(match.r > 0.7, `"the number you dialled is not available" (r=${match.r.toFixed(3)})`);
    assert.equal(call.phone.received.filter((m) => m.method === "BYE").length, 0, "the caller stays");
    await call.phone.inDialog(call.dialog, "BYE");
  });

  it("a key to a user's voicemail: the caller moves onto the voicemail greeting", {
    timeout: 60000,
  }, async () => {
    await api("POST", "/auto-attendant/menus", {
      name: "vm",
      greeting: ["welcome"],
      directDial: false,
      keys: { "4": { kind: "voicemail", target: "101" } },
    });
    await api("PUT", "/auto-attendant/entries/line/5550008", { menu: "vm" });
    const call = await callIn(parley, "5550008", closers);
    await greeted(call);
    await keys(call, "4");
    assert.ok((await handedOff(call)) > 0, "re-INVITEd onto the voicemail endpoint");
    const before = call.rtp.inbox.length;
    await sleep(2500);
    const greeting = reference("en", ["vm-person-at-extension"]);
    const match = envelopeMatch(rmsEnvelope(call.rtp.audio(before)), rmsEnvelope(greeting), 40);
    assert.ok(match.r > 0.7, `"the person at extension..." (r=${match.r.toFixed(3)})`);
    await call.phone.inDialog(call.dialog, "BYE");
    const cdr = await cdrOf(parley, "101");
    assert.ok(
      ((cdr?.legs ?? []) as Array<{ peer: string }>).some((l) => l.peer === "parley:voicemail"),
      JSON.stringify(cdr),
    );
  });

  it("a dial plan route of type auto-attendant: a local user dialling 850 hears the number's menu", {
    timeout: 30000,
  }, async () => {
    await api("POST", "/dialplan/analyze", { prefix: "85", routeType: "auto-attendant" });
    await api("PUT", "/auto-attendant/entries/number/850", { menu: "quick" });
    const rtp = await RtpPeer.open();
    const phone = await ScriptedPhone.open("100", parley.sipPort, rtp.port);
    closers.push(
      () => rtp.close(),
      () => phone.close(),
    );
    const dialog = await phone.call("850");
    await sleep(2500);
    const heardMenu = envelopeMatch(rmsEnvelope(rtp.audio()), rmsEnvelope(reference("en", ["welcome"])), 40);
    assert.ok(heardMenu.r > 0.8, `the "quick" menu's greeting (r=${heardMenu.r.toFixed(3)})`);
    await phone.inDialog(dialog, "BYE");
  });

  it("office hours: on a holiday the out-of-hours user rings at once; in hours the menu answers", {
    timeout: 60000,
  }, async () => {
    const member = await ScriptedPhone.open("102", parley.sipPort);
    closers.push(() => member.close());
    assert.equal((await member.register()).status, 200);
    const today = new Date().toISOString().slice(0, 10);
    await api("POST", "/auto-attendant/time-conditions", {
      name: "office",
      timeZone: "UTC",
      schedule: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "24:00" }],
      holidays: [today],
      inHours: { kind: "menu", target: "default" },
      outOfHours: { kind: "user", target: "102" },
    });
    await api("PUT", "/auto-attendant/entries/line/5550006", { timeCondition: "office" });
    assert.equal((await api("GET", "/auto-attendant/time-conditions/office/now")).period, "holiday");
    const closed = await callIn(parley, "5550006", closers);
    // 102 answered the caller's own INVITE: its SDP (port = its SIP port + 2), not Parley's.
    assert.equal(closed.port, member.port + 2);
    await closed.phone.inDialog(closed.dialog, "BYE");
    await api("PATCH", "/auto-attendant/time-conditions/office", { holidays: [] });
    const seen = member.received.length;
    await api("PUT", "/auto-attendant/entries/line/5550007", { timeCondition: "office" });
    const open = await callIn(parley, "5550007", closers).catch((e: unknown) => {
      throw new Error(`${e}\n${parley.output().slice(-3000)}`);
    });
    assert.notEqual(open.port, member.port + 2, "Parley's auto-attendant answered");
    await sleep(1000);
    assert.equal(member.received.slice(seen).filter((m) => m.method === "INVITE").length, 0);
    await open.phone.inDialog(open.dialog, "BYE");
  });
});

describe("auto-attendant in Chinese (--language zh)", () => {
  let parley: ParleyProcess;
  const closers: Array<() => void> = [];
  before(async () => {
    parley = await startParley(["--rtp-ports", "36500-36599", "--language", "zh"]);
  });
  after(async () => {
    for (const close of closers) close();
    await parley.stop();
  });

  it("the greeting is the Chinese prompt set", { timeout: 30000 }, async (t) => {
    const call = await callIn(parley, "5550010", closers);
    await sleep(4500);
    const greeting = call.rtp.audio();
    const zh = envelopeMatch(
      rmsEnvelope(greeting),
      rmsEnvelope(reference("zh", ["welcome", "enter-extension"])),
      40,
    );
    const en = envelopeMatch(
      rmsEnvelope(greeting),
      rmsEnvelope(reference("en", ["welcome", "enter-extension"])),
      40,
    );
    const span = soundSpan(greeting);
    const zhSpan = soundSpan(reference("zh", ["welcome", "enter-extension"]));
    t.diagnostic(
      `zh r=${zh.r.toFixed(3)}, en r=${en.r.toFixed(3)}, ${span.toFixed(2)} s (zh prompts ${zhSpan.toFixed(2)} s)`,
    );
    assert.ok(
      zh.r > 0.8 && zh.r > en.r + 0.1,
      `Chinese prompts: zh r=${zh.r.toFixed(3)}, en r=${en.r.toFixed(3)}`,
    );
    assert.ok(Math.abs(span - zhSpan) < 0.5, `greeting length ${span} s`);
    await call.phone.inDialog(call.dialog, "BYE");
  });
});
