/**
 * End to end with real phones: an attended transfer made by linphonec (belle-sip), the only
 * Debian softphone with a headless attended transfer ("transfer <call> --to-call <call>": REFER
 * with Replaces, RFC 5589 7). 100 (a scripted phone with an RTP ear, sending 440 Hz) calls 101
 * (linphonec, auto-answer); 101 holds it, calls 102 (baresip, 660 Hz, auto-answer), then joins 100
 * to 102. Parley must end up with one call 100 <-> 102 with audio both ways (102's recording
 * carries 100's tone; 100's ear, after the join, 102's tone), and the consultation call recorded
 * as transferred. 100 is scripted because baresip's recorder stops at a re-INVITE (the hold).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BaresipPhone, presetAccount, soxStat, toneWav } from "../helpers/baresip-phone.js";
import { type Linphonec, startLinphonec } from "../helpers/linphonec.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { toneShare } from "../helpers/rtp-peer.js";
import { missingTool } from "../helpers/run-tool.js";
import { TonePhone } from "../helpers/tone-phone.js";

const skip = missingTool("baresip") || missingTool("sox") || missingTool("linphonec");

async function until(what: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe("attended transfer by linphonec between a scripted phone and baresip", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  const phones: BaresipPhone[] = [];
  let b: Linphonec | undefined;
  let a: TonePhone | undefined;
  before(async () => {
    parley = await startParley();
    work = mkdtempSync(join(tmpdir(), "parley-atx-"));
  });
  after(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    await b?.quit();
    a?.close();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("101 consults 102 then joins 100 to 102; 102 hears 100 and 100 hears 102", {
    timeout: 90000,
  }, async (t) => {
    await toneWav(join(work, "440.wav"), 440, 40);
    await toneWav(join(work, "660.wav"), 660, 40);
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
    const c = await phone("102", "660.wav", "27000-27049", true);
    const caller = await TonePhone.open("100", parley.sipPort);
    a = caller;
    const linphone = startLinphonec(-1, "27100-27149");
    b = linphone;
    const diag = () =>
      `\n--- 100: ${caller.phone.received.map((m) => m.method).join(" ")}\n--- 101:\n${linphone.output()}\n--- 102:\n${c.output()}\n--- parley:\n${parley
        .output()
        .slice(-4000)}`;
    linphone.command(`register sip:101@${server} sip:${server} 101`);
    linphone.command("autoanswer enable");
    assert.equal((await caller.phone.register()).status, 200, `100 registered${diag()}`);
    assert.ok(await c.waitForOutput(/200 OK \(Parley[^)]*\) \[1 binding\]/, 10000), `registered${diag()}`);
    assert.ok(
      await until(async () => (await parley.api("GET", "/api/v1/users/101")).body.state === "online", 10000),
      `101 registered${diag()}`,
    );

    const call = await caller.phone.call("101");
    caller.startTone(call, 440);
    // Each step waits for what linphonec (or 100) reports, not for a fixed time.
    const linphoneSays = (re: RegExp) => until(() => re.test(linphone.output()), 10000);
    assert.ok(
      await linphoneSays(/Media streams established with \S+ for call 1/),
      `101 talks to 100${diag()}`,
    );
    // linphonec calls again only with the first call on hold (a re-INVITE relayed to 100).
    linphone.command("pause 1");
    assert.ok(await linphoneSays(/Call 1 with \S+ is now paused/), `101 held 100${diag()}`);
    const holdOffer = (m: { method: string; body: Buffer }) =>
      m.method === "INVITE" && /^a=(sendonly|inactive)/m.test(m.body.toString());
    assert.ok(await caller.phone.waitFor(holdOffer, 0, 10000), `the hold reached 100${diag()}`);
    linphone.command(`call sip:102@${server}`);
    assert.ok(await c.waitForEvent("CALL_ESTABLISHED", 10000), `102 answered 101${diag()}`);
    const consulting = async () => (await parley.api("GET", "/api/v1/calls")).body.items.length === 2;
    assert.ok(await until(consulting, 5000), `two calls up${diag()}`);
    assert.ok(
      await linphoneSays(/Media streams established with \S+ for call 2/),
      `101 talks to 102${diag()}`,
    );
    linphone.command("transfer 1 --to-call 2");
    const joined = async () => {
      const items = (await parley.api("GET", "/api/v1/calls")).body.items;
      return items.length === 1 && items[0].caller === "100" && items[0].callee === "102";
    };
    assert.ok(await until(joined, 10000), `one call 100 <-> 102${diag()}`);
    const joinedAt = performance.now();
    // The stretch of 100 <-> 102 whose audio is measured below, both ways (a fixed window on purpose).
    await new Promise((r) => setTimeout(r, 4000));
    const endAt = performance.now();
    assert.equal((await caller.phone.inDialog(call, "BYE")).status, 200, `100 hung up${diag()}`);
    assert.ok(await c.waitForEvent("CALL_CLOSED", 5000), `102: BYE received${diag()}`);
    await c.stop();

    const wav = c.received();
    assert.ok(wav, `102: a recording${diag()}`);
    const st = await soxStat(wav);
    t.diagnostic(`102 heard: ${st.seconds}s, RMS ${st.rms}, rough frequency ${st.freq} Hz`);
    // 102 heard 101 (silence: linphonec has no sound card here) then 100's tone.
    assert.ok(st.rms > 0.03, `RMS ${st.rms} (silent?)\n${st.text}`);
    assert.ok(
      Math.abs(st.freq - 440) < 440 * 0.2,
      `rough frequency ${st.freq} Hz, expected ~440\n${st.text}`,
    );

    // The other direction: after the join, 100's ear hears 102's tone.
    const after = caller.heardBetween(joinedAt + 700, endAt);
    const share = toneShare(after, 660);
    t.diagnostic(`100 heard after the join: ${after.length / 8} ms, 660 Hz ${(share * 100).toFixed(0)}%`);
    assert.ok(
      after.length >= 8000 * 2,
      `100 heard 102 for ${after.length / 8} ms of ${endAt - joinedAt - 700}`,
    );
    assert.ok(share > 0.5, `100 heard 102's 660 Hz (${(share * 100).toFixed(0)}%)`);

    const cdrs = (await parley.api("GET", "/api/v1/cdrs?limit=10")).body.items;
    // biome-ignore lint/suspicious/noExplicitAny: the API's JSON
    const main = cdrs.find((x: any) => x.caller === "100");
    // biome-ignore lint/suspicious/noExplicitAny: the API's JSON
    const consult = cdrs.find((x: any) => x.caller === "101");
    assert.equal(main?.callee, "102", JSON.stringify(cdrs));
    assert.equal(consult?.sipReason, "Transferred", JSON.stringify(cdrs));
  });
});
