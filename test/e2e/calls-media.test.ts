/**
 * End to end (issue 4 acceptance): two baresip phones register to a real `parley start` as 100
 * and 101; 100 calls 101, which auto-answers. Each sends its own tone (100: 440 Hz, 101: 1 kHz,
 * 8 kHz WAVs made with sox) and records what it receives; 100 hangs up after ~4 s. Each
 * recording must be non-silent and at the other side's pitch (media flows phone to phone:
 * Parley relays the SDP, not the RTP), and the CDR must tell the call.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BaresipPhone, presetAccount, soxStat, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";

const skip = missingTool("baresip") || missingTool("sox");

describe("two baresip phones call each other through Parley, with audio", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  const phones: BaresipPhone[] = [];
  before(async () => {
    parley = await startParley();
    work = mkdtempSync(join(tmpdir(), "parley-media-"));
  });
  after(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("100 calls 101, each hears the other's tone, 100 hangs up, the CDR is right", {
    timeout: 60000,
  }, async (t) => {
    // Longer than the call: aufile ends the call when its file ends.
    await toneWav(join(work, "440.wav"), 440, 30);
    await toneWav(join(work, "1000.wav"), 1000, 30);
    const server = `127.0.0.1:${parley.sipPort}`;
    const b = await BaresipPhone.start({
      account: presetAccount("101", server),
      source: join(work, "1000.wav"),
      autoAnswer: true,
      rtpPorts: "26700-26749",
    });
    phones.push(b);
    const a = await BaresipPhone.start({
      account: presetAccount("100", server),
      source: join(work, "440.wav"),
      rtpPorts: "26750-26799",
    });
    phones.push(a);
    const diag = () =>
      `\n--- 100:\n${a.output()}\n--- 101:\n${b.output()}\n--- parley:\n${parley.output().slice(-3000)}`;
    assert.ok(
      await b.waitForOutput(/200 OK \(Parley[^)]*\) \[1 binding\]/, 10000),
      `101 registered${diag()}`,
    );
    assert.ok(
      await a.waitForOutput(/200 OK \(Parley[^)]*\) \[1 binding\]/, 10000),
      `100 registered${diag()}`,
    );

    a.command("dial", `sip:101@${server}`);
    assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `100: call established${diag()}`);
    assert.ok(await b.waitForEvent("CALL_ESTABLISHED", 5000), `101: auto-answered${diag()}`);
    const live = await parley.api("GET", "/api/v1/calls");
    assert.equal((live.body.items ?? live.body).length, 1, "one active call listed");

    // Four seconds of the call, on purpose: the audio both ways is measured in the recordings.
    await new Promise((r) => setTimeout(r, 4000));
    a.command("hangup");
    assert.ok(await b.waitForEvent("CALL_CLOSED", 5000), `101: BYE received${diag()}`);
    assert.ok(await a.waitForEvent("CALL_CLOSED", 5000), `100: call closed${diag()}`);
    await Promise.all([a.stop(), b.stop()]);

    // What each phone received: non-silent, at the other side's pitch.
    for (const [phone, who, hz] of [
      [a, "100 (hearing 101's 1 kHz)", 1000],
      [b, "101 (hearing 100's 440 Hz)", 440],
    ] as const) {
      const wav = phone.received();
      assert.ok(wav, `${who}: a recording of the received audio${diag()}`);
      const st = await soxStat(wav);
      t.diagnostic(`${who}: ${st.seconds}s, RMS ${st.rms}, rough frequency ${st.freq} Hz`);
      assert.ok(st.seconds >= 3, `${who}: ${st.seconds}s recorded\n${st.text}`);
      // A full-scale sine at vol 0.3 has RMS ~0.21; silence (or comfort noise) is ~0.
      assert.ok(st.rms > 0.05, `${who}: RMS ${st.rms} (silent?)\n${st.text}`);
      assert.ok(
        Math.abs(st.freq - hz) < hz * 0.15,
        `${who}: rough frequency ${st.freq} Hz, expected ~${hz}\n${st.text}`,
      );
    }

    // One CDR: answered, 100 -> 101, lasting about the 4 s of talk.
    let cdr: Record<string, unknown> | undefined;
    for (let i = 0; i < 30 && !cdr; i++) {
      const res = await parley.api("GET", "/api/v1/cdrs?number=101&limit=5");
      assert.equal(res.status, 200);
      cdr = res.body.items[0];
      if (!cdr) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(cdr, "a CDR for the call");
    assert.equal(cdr.disposition, "answered", JSON.stringify(cdr));
    assert.equal(cdr.caller, "100");
    assert.equal(cdr.callee, "101");
    assert.equal(cdr.dialed, "101");
    assert.equal(cdr.sipStatus, 200);
    const talkTime = Number(cdr.talkTime);
    t.diagnostic(`CDR: ${cdr.caller} -> ${cdr.callee}, ${cdr.disposition}, ${talkTime} s`);
    assert.ok(
      talkTime >= 3 && talkTime <= 8,
      `talk time ${talkTime}s, expected ~4 s: ${JSON.stringify(cdr)}`,
    );
    const calls = await parley.api("GET", "/api/v1/calls");
    assert.deepEqual(calls.body.items ?? calls.body, [], "no call left active");
  });
});
