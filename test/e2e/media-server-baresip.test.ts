/**
 * End to end (issue 14 acceptance) with real baresip phones against a real `parley start`:
 * the echo test (*43) sends back the tone the phone sends; the prompt test (*44) plays the
 * prompt (the phone's recording has its length and RMS envelope); the record test (*45) keeps a
 * 1 kHz tone the phone sends, of the right length, and plays it back; digits sent by baresip in
 * RFC 4733 (sndcode) and as in-band tones (a sox-made WAV) reach Parley once each, in order;
 * three phones in one conference room (*6*7001) each hear the other two tones and not their own.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SHIPPED_PROMPTS_DIR } from "../../src/media/prompts/prompt-library.js";
import { envelopeMatch, rmsEnvelope, toneShare, wavSamples } from "../helpers/audio-measure.js";
import { type BaresipPhone, PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool, runTool } from "../helpers/run-tool.js";

const skip = missingTool("baresip") || missingTool("sox");
const KEYS = "0123456789*#";

describe("Parley's media server with baresip phones", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  const phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 27000);

  const phone = (user: string, source: string) => phones.phone(user, source);

  function digitsLogged(peer: string): Array<{ digit: string; source: string }> {
    return parley.logs
      .filter((l) => l.msg === "digit received" && l.peer === peer)
      .map((l) => ({ digit: String(l.digit), source: String(l.source) }));
  }

  before(async () => {
    parley = await startParley(["--rtp-ports", "31000-31199"]);
    work = mkdtempSync(join(tmpdir(), "parley-media-server-"));
  });

  after(async () => {
    await phones.stopAll();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("the echo test sends back the tone the phone sends", { timeout: 60000 }, async (t) => {
    await toneWav(join(work, "1000.wav"), 1000, 40);
    const a = await phone("100", join(work, "1000.wav"));
    a.command("dial", `sip:*43@127.0.0.1:${parley.sipPort}`);
    assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `established\n${a.output()}`);
    // An 11 s call, on purpose: the announcement, then the echo measured in the last 3 s.
    await new Promise((r) => setTimeout(r, 11000));
    a.command("hangup");
    assert.ok(await a.waitForEvent("CALL_CLOSED", 5000));
    await a.stop();
    const heard = wavSamples(a.received()!);
    t.diagnostic(`received ${(heard.length / 8000).toFixed(1)} s`);
    assert.ok(heard.length >= 8000 * 9, "about 11 s received");
    // The last 3 s: past the announcement, the echo of the phone's own 1 kHz.
    const tail = heard.subarray(heard.length - 3 * 8000);
    const share = toneShare(tail, 1000);
    assert.ok(share > 0.7, `the echo is the 1 kHz tone (share ${share.toFixed(2)})`);
  });

  it("the prompt test plays the prompt: same length and RMS envelope, then Parley hangs up", {
    timeout: 60000,
  }, async (t) => {
    const silence = join(work, "silence.wav");
    await runTool("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", silence, "trim", "0", "40"]);
    const a = await phone("101", silence);
    a.command("dial", `sip:*44@127.0.0.1:${parley.sipPort}`);
    assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `established\n${a.output()}`);
    assert.ok(await a.waitForEvent("CALL_CLOSED", 20000), "Parley hangs up after the prompt");
    await a.stop();
    const prompt = wavSamples(join(SHIPPED_PROMPTS_DIR, "en", "prompt-test.wav"));
    const heard = wavSamples(a.received()!);
    const promptS = prompt.length / 8000;
    const heardS = heard.length / 8000;
    t.diagnostic(`prompt ${promptS.toFixed(2)} s, received ${heardS.toFixed(2)} s`);
    assert.ok(
      heardS >= promptS - 0.3 && heardS <= promptS + 1.5,
      `received ${heardS} s for a ${promptS} s prompt`,
    );
    const match = envelopeMatch(rmsEnvelope(heard), rmsEnvelope(prompt), 30);
    t.diagnostic(`envelope correlation ${match.r.toFixed(3)} at lag ${match.lag * 50} ms`);
    assert.ok(match.r > 0.9, `the phone heard the prompt (envelope r=${match.r.toFixed(3)})`);
    // The call record names Parley's endpoint as the callee leg.
    let cdr: Record<string, unknown> | undefined;
    for (let i = 0; i < 30 && cdr === undefined; i++) {
      cdr = (await parley.api("GET", "/api/v1/cdrs?number=*44&limit=1")).body.items?.[0];
      if (cdr === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(cdr?.disposition, "answered", JSON.stringify(cdr));
    assert.equal(cdr?.caller, "101");
    const legs = cdr?.legs as Array<{ peer: string }>;
    assert.equal(legs[1]?.peer, "parley:prompt-test");
  });

  it("the record test records the phone's 1 kHz tone, of the right length, and plays it back", {
    timeout: 60000,
  }, async (t) => {
    await toneWav(join(work, "1000.wav"), 1000, 40);
    const a = await phone("101", join(work, "1000.wav"));
    a.command("dial", `sip:*45@127.0.0.1:${parley.sipPort}`);
    assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `established\n${a.output()}`);
    const intro = wavSamples(join(SHIPPED_PROMPTS_DIR, "en", "record-test.wav")).length / 8000;
    // The announcement and the 0.4 s beep, then 3 s of the tone, then #.
    await new Promise((r) => setTimeout(r, (intro + 0.4 + 3) * 1000));
    a.command("sndcode", "#");
    assert.ok(await a.waitForEvent("CALL_CLOSED", 15000), "Parley plays it back and hangs up");
    await a.stop();
    const recorded = wavSamples(join(parley.dataDir, "recordings", "record-test-101.wav"));
    const seconds = recorded.length / 8000;
    t.diagnostic(`recorded ${seconds.toFixed(2)} s`);
    assert.ok(seconds >= 2.6 && seconds <= 3.6, `about 3 s recorded (${seconds} s)`);
    const share = toneShare(recorded.subarray(4000, recorded.length - 4000), 1000);
    assert.ok(share > 0.8, `a 1 kHz tone (share ${share.toFixed(2)})`);
    const heard = wavSamples(a.received()!);
    const back = heard.subarray(heard.length - 3 * 8000, heard.length - 1 * 8000);
    assert.ok(toneShare(back, 1000) > 0.3, "the phone heard its recording played back");
  });

  it("digits from baresip (RFC 4733) arrive once each, in order", { timeout: 60000 }, async () => {
    const silence = join(work, "silence.wav");
    const a = await phone("102", silence);
    a.command("dial", `sip:*43@127.0.0.1:${parley.sipPort}`);
    // Keys once the call is up and Parley's audio arrives (not after a fixed time).
    assert.ok(await a.waitForTalking(1), `established\n${a.output()}`);
    for (const key of KEYS) {
      a.command("sndcode", key);
      // The spacing of a person keying, on purpose (each key a separate event).
      await new Promise((r) => setTimeout(r, 400));
    }
    assert.ok(await a.waitForEvent("CALL_CLOSED", 10000), "# ends the echo test");
    await a.stop();
    const got = digitsLogged("parley:echo-test");
    assert.equal(got.map((d) => d.digit).join(""), KEYS, JSON.stringify(got));
    assert.ok(
      got.every((d) => d.source === "rfc4733"),
      JSON.stringify(got),
    );
  });

  it("in-band DTMF tones in the phone's audio arrive once each, in order", { timeout: 60000 }, async () => {
    const rows = [697, 770, 852, 941];
    const cols = [1209, 1336, 1477];
    const pad = "123456789*0#";
    const parts: string[] = [];
    for (const [i, key] of [...KEYS].entries()) {
      const at = pad.indexOf(key);
      const file = join(work, `dtmf-${i}.wav`);
      await runTool("sox", [
        "-n",
        "-r",
        "8000",
        "-c",
        "1",
        "-b",
        "16",
        file,
        "synth",
        "0.12",
        "sine",
        String(rows[Math.floor(at / 3)]),
        "sine",
        String(cols[at % 3]),
        "gain",
        "-8",
        "pad",
        "0",
        "0.3",
      ]);
      parts.push(file);
    }
    const lead = join(work, "lead.wav");
    await runTool("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", lead, "trim", "0", "1.5"]);
    const tail = join(work, "tail.wav");
    await runTool("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", tail, "trim", "0", "20"]);
    const source = join(work, "inband.wav");
    const made = await runTool("sox", [lead, ...parts, tail, source]);
    assert.equal(made.code, 0, made.stderr);
    // A fresh Parley log reader: this call's digits only.
    const before = digitsLogged("parley:echo-test").length;
    const a = await phone("100", source);
    a.command("dial", `sip:*43@127.0.0.1:${parley.sipPort}`);
    assert.ok(await a.waitForEvent("CALL_ESTABLISHED", 10000), `established\n${a.output()}`);
    assert.ok(await a.waitForEvent("CALL_CLOSED", 15000), "# ends the echo test");
    await a.stop();
    const got = digitsLogged("parley:echo-test").slice(before);
    assert.equal(got.map((d) => d.digit).join(""), KEYS, JSON.stringify(got));
    assert.ok(
      got.every((d) => d.source === "inband"),
      JSON.stringify(got),
    );
  });

  it("three phones in one conference room each hear the other two and not themselves", {
    timeout: 60000,
  }, async (t) => {
    const tones = [500, 800, 1100];
    const users = ["100", "101", "102"];
    const party: BaresipPhone[] = [];
    for (const [i, hz] of tones.entries()) {
      const file = join(work, `conf-${hz}.wav`);
      await toneWav(file, hz, 40);
      party.push(await phone(users[i], file));
    }
    for (const p of party) {
      p.command("dial", `sip:*6*7001@127.0.0.1:${parley.sipPort}`);
      assert.ok(await p.waitForEvent("CALL_ESTABLISHED", 10000), `joined\n${p.output()}`);
    }
    // Five seconds of the conference, on purpose: what each member heard is measured.
    await new Promise((r) => setTimeout(r, 5000));
    for (const p of party) p.command("hangup");
    for (const p of party) await p.stop();
    for (const [i, p] of party.entries()) {
      const heard = wavSamples(p.received()!);
      // The seconds when all three were in the room.
      const all = heard.subarray(heard.length - 4 * 8000, heard.length - 8000);
      const own = toneShare(all, tones[i]);
      const others = tones.filter((_, j) => j !== i).map((hz) => toneShare(all, hz));
      t.diagnostic(`phone ${users[i]}: own ${own.toFixed(3)}, others ${others.map((o) => o.toFixed(3))}`);
      for (const o of others) assert.ok(o > 0.2, `phone ${users[i]} hears the others (${others})`);
      assert.ok(own < 0.02, `phone ${users[i]} does not hear itself (${own})`);
    }
  });
});
