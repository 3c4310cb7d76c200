/**
 * End to end (issue 16): joining a call in progress, with baresip phones against a real `parley
 * start`, each sending its own tone (100: 440 Hz, 101: 1000 Hz, 102: 660 Hz) and the audio each
 * hears measured from its recording.
 * - Operator break-in: 100 calls 101; 102 (break-in right) dials `*81*101`: all three hear the
 *   other two. When 102 hangs up, 100 and 101 go on talking.
 * - Operator overstep: 102 (overstep right) dials `*82*101`: 101 is released, 100 talks with 102.
 * - `*74`: a second device of 101 (multi-device right) joins 101's call: three-way.
 * Without the right, for an unknown extension or one not on a call, the caller hears a prompt
 * and is released (sipp).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BaresipPhone, PresetPhones, presetAccount, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { describeHeard, heard } from "../helpers/phone-audio.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";

const skip = missingTool("baresip") || missingTool("sox") || missingTool("sipp");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("operator break-in, overstep and *74 join (baresip)", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  let phones: PresetPhones;
  const tone = (hz: number) => join(work, `${hz}.wav`);
  before(async () => {
    parley = await startParley(["--rtp-ports", "35300-35399"]);
    work = mkdtempSync(join(tmpdir(), "parley-barge-"));
    for (const hz of [440, 660, 1000]) await toneWav(tone(hz), hz, 60);
    phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 27300);
  });
  after(async () => {
    await phones.stopAll();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const server = () => `127.0.0.1:${parley.sipPort}`;
  const diag = (...ps: BaresipPhone[]) =>
    `${ps.map((p, i) => `\n--- phone ${i}:\n${p.output().slice(-2000)}`).join("")}\n--- parley:\n${parley.output().slice(-4000)}`;

  /** 100 calls 101 (auto-answer); resolves with the time 100's call was answered. */
  async function call100to101(a: BaresipPhone, b: BaresipPhone): Promise<number> {
    a.command("dial", `sip:101@${server()}`);
    assert.ok(await a.waitForNth("CALL_ESTABLISHED", 1), `100's call answered${diag(a, b)}`);
    return Date.now();
  }

  /** Asserts the phone heard each tone of `tones` (a share of the mix) in a window of its call. */
  function hears(who: string, p: BaresipPhone, window: [number, number], tones: number[], call = 0): void {
    const w = heard(p, window[0], window[1], tones, call);
    for (const hz of tones)
      assert.ok(
        w.shares[hz] > (tones.length > 1 ? 0.2 : 0.5),
        `${who} should hear ${tones.join(" Hz and ")} Hz: ${describeHeard(w)}`,
      );
  }

  it("break-in: all three hear each other; the two go on when the operator leaves", {
    timeout: 90000,
  }, async () => {
    await parley.api("PATCH", "/api/v1/users/102", { operatorBreakIn: true });
    const a = await phones.phone("100", tone(440));
    const b = await phones.phone("101", tone(1000), { autoAnswer: true });
    const c = await phones.phone("102", tone(660));
    const t0 = await call100to101(a, b);
    // Fixed stretches of the call on purpose: each window's audio is measured below.
    await sleep(1500);
    c.command("dial", `sip:*81*101@${server()}`);
    assert.ok(await c.waitForNth("CALL_ESTABLISHED", 1), `the operator is in${diag(a, b, c)}`);
    const joined = (Date.now() - t0) / 1000;
    await sleep(4000);
    const left = (Date.now() - t0) / 1000;
    c.command("hangup");
    await sleep(3000);
    const end = (Date.now() - t0) / 1000;
    assert.equal(
      a.events.filter((e) => e.type === "CALL_CLOSED").length,
      0,
      `100 still talks${diag(a, b, c)}`,
    );
    a.command("hangup");
    assert.ok(await b.waitForNth("CALL_CLOSED", 1), `101 released when 100 hung up${diag(a, b, c)}`);
    const during: [number, number] = [joined + 1, left - 0.3];
    hears("100", a, during, [1000, 660]);
    hears("101", b, [during[0] - 0.2, during[1] - 0.2], [440, 660]);
    hears("102 (operator)", c, [1, left - joined - 0.5], [440, 1000]);
    hears("100 after the operator left", a, [left + 1, end - 0.3], [1000]);
  });

  it("overstep: the extension is released and the operator talks with the other party", {
    timeout: 90000,
  }, async () => {
    await phones.stopAll();
    await parley.api("PATCH", "/api/v1/users/102", { operatorBreakIn: false, operatorOverstep: true });
    const a = await phones.phone("100", tone(440));
    const b = await phones.phone("101", tone(1000), { autoAnswer: true });
    const c = await phones.phone("102", tone(660));
    const t0 = await call100to101(a, b);
    // Fixed stretches of the call on purpose: each window's audio is measured below.
    await sleep(1500);
    c.command("dial", `sip:*82*101@${server()}`);
    assert.ok(await c.waitForNth("CALL_ESTABLISHED", 1), `the operator is in${diag(a, b, c)}`);
    const joined = (Date.now() - t0) / 1000;
    assert.ok(await b.waitForNth("CALL_CLOSED", 1), `101 released${diag(a, b, c)}`);
    await sleep(4000);
    const end = (Date.now() - t0) / 1000;
    const live = (await parley.api("GET", "/api/v1/calls")).body.items as Array<{
      caller: string;
      callee: string;
    }>;
    assert.ok(
      live.some((x) => x.caller === "100" && x.callee === "102"),
      JSON.stringify(live),
    );
    c.command("hangup");
    assert.ok(await a.waitForNth("CALL_CLOSED", 1), `100 released with the operator${diag(a, b, c)}`);
    hears("100", a, [joined + 1, end - 0.3], [660]);
    hears("102 (operator)", c, [1, end - joined - 0.5], [440]);
  });

  it("*74: 101's second device joins 101's call", { timeout: 90000 }, async () => {
    await phones.stopAll();
    await parley.api("PATCH", "/api/v1/users/101", { multiDevice: true, maxDevices: 3 });
    const a = await phones.phone("100", tone(440));
    const b = await phones.phone("101", tone(1000), { autoAnswer: true });
    const second = await BaresipPhone.start({
      account: presetAccount("101", server()),
      source: tone(660),
      rtpPorts: "27900-27949",
    });
    try {
      assert.ok(
        await second.waitForOutput(/\[2 bindings\]/, 10000),
        `second device registered${diag(second)}`,
      );
      const t0 = await call100to101(a, b);
      // Fixed stretches of the call on purpose: each window's audio is measured below.
      await sleep(1500);
      second.command("dial", `sip:*74@${server()}`);
      assert.ok(
        await second.waitForNth("CALL_ESTABLISHED", 1),
        `the second device joined${diag(a, b, second)}`,
      );
      const joined = (Date.now() - t0) / 1000;
      await sleep(4000);
      const end = (Date.now() - t0) / 1000;
      a.command("hangup");
      assert.ok(await a.waitForNth("CALL_CLOSED", 1), `100 hung up${diag(a, b, second)}`);
      // 101's two devices go on talking to each other until one hangs up; then Parley releases the other.
      second.command("hangup");
      assert.ok(await b.waitForNth("CALL_CLOSED", 1), `101's first device released${diag(a, b, second)}`);
      hears("100", a, [joined + 1, end - 0.3], [1000, 660]);
      hears("101's first device", b, [joined + 0.8, end - 0.5], [440, 660]);
      hears("101's second device", second, [1, end - joined - 0.5], [440, 1000]);
    } finally {
      await second.stop();
    }
  });

  it("without the right, for an unknown extension or one not on a call: a prompt, then BYE", {
    timeout: 60000,
  }, async () => {
    await phones.stopAll();
    // 100 has none of the rights; 102 has overstep but 101 is not on a call; 999 does not exist.
    for (const [user, number] of [
      ["100", "*81*101"],
      ["102", "*82*101"],
      ["102", "*82*999"],
      ["100", "*74"],
    ]) {
      passed(await uac(parley, user, number, "call-uac-wait-bye.xml"), `${user} dialled ${number}`, parley);
    }
    const records = (await parley.api("GET", "/api/v1/cdrs?limit=4")).body.items as Array<{
      legs: Array<{ peer: string }>;
    }>;
    assert.ok(
      records.every((r) => r.legs.some((l) => l.peer === "parley:break-in")),
      JSON.stringify(records),
    );
  });
});
