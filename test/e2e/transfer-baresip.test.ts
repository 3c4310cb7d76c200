/**
 * End to end with real phones: a blind transfer between three baresip phones through a real
 * `parley start` (issue 4). 100 (440 Hz tone) calls 101, which auto-answers; 101 transfers the call
 * to 102 (660 Hz) with baresip's own REFER; 102 auto-answers Parley's offerless INVITE, 101 hangs
 * up on NOTIFY 200, and 100 then talks to 102, both ways: 102's recording must carry 100's tone,
 * and the end of 100's recording 102's tone (before the transfer, 100 heard 101's).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BaresipPhone, presetAccount, soxStat, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { describeHeard, heard, heardBeforeEnd } from "../helpers/phone-audio.js";
import { missingTool } from "../helpers/run-tool.js";

const skip = missingTool("baresip") || missingTool("sox");

describe("blind transfer between baresip phones", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  const phones: BaresipPhone[] = [];
  before(async () => {
    parley = await startParley();
    work = mkdtempSync(join(tmpdir(), "parley-xfer-"));
  });
  after(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("101 transfers 100 to 102; 102 hears 100 and 100 hears 102; the CDR ends with 102", {
    timeout: 60000,
  }, async (t) => {
    await toneWav(join(work, "440.wav"), 440, 30);
    await toneWav(join(work, "1000.wav"), 1000, 30);
    await toneWav(join(work, "660.wav"), 660, 30);
    const server = `127.0.0.1:${parley.sipPort}`;
    const phone = async (user: string, tone: string, rtpPorts: string, autoAnswer: boolean) => {
      const p = await BaresipPhone.start({
        account: presetAccount(user, server),
        source: join(work, tone),
        autoAnswer,
        rtpPorts,
      });
      phones.push(p);
      return p;
    };
    const c = await phone("102", "660.wav", "26800-26849", true);
    const b = await phone("101", "1000.wav", "26850-26899", true);
    const a = await phone("100", "440.wav", "26900-26949", false);
    const diag = () =>
      `\n--- 100:\n${a.output()}\n--- 101:\n${b.output()}\n--- 102:\n${c.output()}\n--- parley:\n${parley
        .output()
        .slice(-3000)}`;
    for (const p of [a, b, c])
      assert.ok(await p.waitForOutput(/200 OK \(Parley[^)]*\) \[1 binding\]/, 10000), `registered${diag()}`);

    a.command("dial", `sip:101@${server}`);
    assert.ok(await b.waitForEvent("CALL_ESTABLISHED", 10000), `101 answered${diag()}`);
    assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `100 connected${diag()}`);
    // A stretch of 100 <-> 101 (measured below: 100 hears 101's tone), on purpose.
    await new Promise((r) => setTimeout(r, 1500));
    b.command("transfer", `sip:102@${server}`);
    assert.ok(await c.waitForEvent("CALL_ESTABLISHED", 10000), `102 answered the transferred call${diag()}`);
    assert.ok(await b.waitForEvent("CALL_CLOSED", 10000), `101 left after the transfer${diag()}`);
    const live = await parley.api("GET", "/api/v1/calls");
    const calls = live.body.items;
    assert.equal(calls.length, 1, JSON.stringify(calls));
    assert.equal(calls[0].caller, "100");
    assert.equal(calls[0].callee, "102");
    assert.equal(calls[0].state, "answered");

    // The stretch of 100 <-> 102 whose audio is measured below, both ways (a fixed window on purpose).
    await new Promise((r) => setTimeout(r, 4000));
    a.command("hangup");
    assert.ok(await c.waitForEvent("CALL_CLOSED", 5000), `102: BYE received${diag()}`);
    await Promise.all([a.stop(), b.stop(), c.stop()]);

    const wav = c.received();
    assert.ok(wav, `102: a recording${diag()}`);
    const st = await soxStat(wav);
    t.diagnostic(`102 heard: ${st.seconds}s, RMS ${st.rms}, rough frequency ${st.freq} Hz`);
    assert.ok(st.seconds >= 3, `${st.seconds}s recorded\n${st.text}`);
    assert.ok(st.rms > 0.05, `RMS ${st.rms} (silent?)\n${st.text}`);
    assert.ok(
      Math.abs(st.freq - 440) < 440 * 0.15,
      `rough frequency ${st.freq} Hz, expected ~440\n${st.text}`,
    );

    // The other direction: 100 heard 101 before the transfer and 102 at its end.
    const before = heard(a, 0.3, 1.3, [440, 660, 1000]);
    t.diagnostic(`100 heard before the transfer: ${describeHeard(before)}`);
    assert.ok((before.shares[1000] ?? 0) > 0.5, `100 heard 101's 1000 Hz first: ${describeHeard(before)}`);
    const after = heardBeforeEnd(a, 3, 0.5, [440, 660, 1000]);
    t.diagnostic(`100 heard at the end: ${describeHeard(after)}`);
    assert.ok(after.rms > 0.05, `100 heard 102 (silent?): ${describeHeard(after)}`);
    assert.ok((after.shares[660] ?? 0) > 0.5, `100 heard 102's 660 Hz: ${describeHeard(after)}`);
    assert.ok((after.shares[1000] ?? 0) < 0.1, `not 101's 1000 Hz any more: ${describeHeard(after)}`);

    let cdr: Record<string, unknown> | undefined;
    for (let i = 0; i < 30 && !cdr; i++) {
      const res = await parley.api("GET", "/api/v1/cdrs?number=101&limit=5");
      cdr = res.body.items.find((x: Record<string, unknown>) => x.caller === "100");
      if (!cdr) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(cdr, "a CDR for the call");
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.dialed, "101");
    assert.equal(cdr.callee, "102");
  });
});
