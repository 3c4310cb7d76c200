/**
 * End to end (issue 17, call recording) against a real `parley start` (default --media-relay
 * auto: phones on 127.0.0.1 would talk phone to phone, so recording is what anchors the media):
 * - "always": two baresip phones, 100 sending 440 Hz and 101 1000 Hz; 100 records always. The WAV
 *   in <dataDir>/recordings/calls/yyyy/mm/dd/<callId>.wav holds both tones (Goertzel) and lasts
 *   the call (answer to hang-up); the CDR links it and says the media was relayed to record;
 *   /api/v1/recordings lists it.
 * - on demand: scripted phones through the relay; 100 records on demand and keys `*1#` as RFC 4733
 *   events two seconds into the call: the recording starts there (it is shorter than the call by
 *   that much) and holds both tones; a user without the right keying it records nothing.
 * - a recording folder that cannot be written at start: a warning in the log, and calls go on
 *   (answered, hung up) unrecorded.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { recordingFile } from "../../src/services/recording/recording-files.js";
import { wavSamples } from "../helpers/audio-measure.js";
import { PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { RtpPeer, toneShare } from "../helpers/rtp-peer.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RecordingItem {
  id: string;
  callId: string;
  caller: string;
  callee: string;
  startedAt: string;
  durationSeconds: number;
  bytes: number;
}

async function recordings(parley: ParleyProcess, count: number, ms = 8000): Promise<RecordingItem[]> {
  const end = Date.now() + ms;
  for (;;) {
    const items = (await parley.api("GET", "/api/v1/recordings")).body.items as RecordingItem[];
    if (items.length >= count || Date.now() > end) return items;
    await sleep(200);
  }
}

function samplesOf(parley: ParleyProcess, r: RecordingItem): Int16Array {
  return wavSamples(join(parley.dataDir, "recordings", recordingFile(r.id, Date.parse(r.startedAt))));
}

/** Each tone's share of a window of the recording (seconds). */
function shares(pcm: Int16Array, from: number, to: number): { 440: number; 1000: number } {
  const w = pcm.subarray(Math.round(from * 8000), Math.round(to * 8000));
  return { 440: toneShare(w, 440), 1000: toneShare(w, 1000) };
}

describe("call recording: always (baresip)", { skip: missingTool("baresip") || missingTool("sox") }, () => {
  let parley: ParleyProcess;
  let work: string;
  let phones: PresetPhones;
  before(async () => {
    parley = await startParley(["--rtp-ports", "36200-36299"]);
    work = mkdtempSync(join(tmpdir(), "parley-recording-"));
    for (const hz of [440, 1000]) await toneWav(join(work, `${hz}.wav`), hz, 60);
    phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 29000);
  });
  after(async () => {
    await phones.stopAll();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("records both parties from answer to hang-up into one WAV the CDR links", {
    timeout: 60000,
  }, async (t) => {
    assert.equal((await parley.api("PATCH", "/api/v1/users/100", { recording: "always" })).status, 200);
    const a = await phones.phone("100", join(work, "440.wav"));
    const b = await phones.phone("101", join(work, "1000.wav"), { autoAnswer: true });
    a.command("dial", `sip:101@127.0.0.1:${parley.sipPort}`);
    assert.ok(await a.waitForNth("CALL_ESTABLISHED", 1), `answered\n${a.output().slice(-2000)}`);
    const answered = Date.now();
    // A five-second call, on purpose: the recording's length and content are measured.
    await sleep(5000);
    a.command("hangup");
    const hungUp = Date.now();
    assert.ok(await b.waitForNth("CALL_CLOSED", 1), "101 released");
    const [r] = await recordings(parley, 1);
    assert.ok(r, `a recording is listed\n${parley.output().slice(-3000)}`);
    assert.deepEqual([r.caller, r.callee], ["100", "101"]);
    const callSeconds = (hungUp - answered) / 1000;
    assert.ok(
      Math.abs(r.durationSeconds - callSeconds) < 0.8,
      `recording ${r.durationSeconds} s vs call ${callSeconds} s`,
    );
    const pcm = samplesOf(parley, r);
    assert.ok(Math.abs(pcm.length / 8000 - r.durationSeconds) < 0.05, "the WAV's length is the listed one");
    const mid = shares(pcm, 1, r.durationSeconds - 1);
    t.diagnostic(
      `call ${callSeconds} s, recording ${r.durationSeconds} s, tone shares ${JSON.stringify(mid)}`,
    );
    assert.ok(mid[440] > 0.15 && mid[1000] > 0.15, `both tones in the recording: ${JSON.stringify(mid)}`);
    const cdr = (await parley.api("GET", "/api/v1/cdrs")).body.items[0];
    assert.equal(cdr.recording, r.id);
    assert.equal(cdr.callId, r.callId);
    assert.equal(cdr.media?.reason, "record", "relayed because it is recorded");
    const audio = await fetch(
      `http://127.0.0.1:${parley.httpPort}/api/v1/recordings/${r.id}/audio?download=true`,
      { headers: { authorization: `Bearer ${parley.apiToken}` } },
    );
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get("content-type"), "audio/wav");
    assert.equal((await audio.arrayBuffer()).byteLength, r.bytes);
  });
});

describe("call recording: on demand by RFC 4733 keys (scripted phones)", () => {
  let parley: ParleyProcess;
  const closers: Array<() => void> = [];
  before(async () => {
    parley = await startParley(["--rtp-ports", "36300-36349"]);
  });
  after(async () => {
    for (const close of closers) close();
    await parley.stop();
  });

  /** 100 (keys as telephone-events) calls 101; both send their tone through the relay. */
  async function call(): Promise<{
    a: ScriptedPhone;
    rtpA: RtpPeer;
    rtpB: RtpPeer;
    relayA: number;
    relayB: number;
    dialog: Awaited<ReturnType<ScriptedPhone["call"]>>;
  }> {
    const rtpA = await RtpPeer.open();
    const rtpB = await RtpPeer.open();
    const a = await ScriptedPhone.open("100", parley.sipPort, rtpA.port, { telephoneEvent: true });
    const b = await ScriptedPhone.open("101", parley.sipPort, rtpB.port);
    closers.push(
      () => rtpA.close(),
      () => rtpB.close(),
      () => a.close(),
      () => b.close(),
    );
    assert.equal((await b.register()).status, 200);
    const dialog = await a.call("101");
    const relayA = Number(/^m=audio (\d+)/m.exec(dialog.answer ?? "")?.[1]);
    const invite = await b.waitFor((m) => m.method === "INVITE");
    const relayB = Number(/^m=audio (\d+)/m.exec(invite.body.toString())?.[1]);
    assert.ok(relayA > 0 && relayB > 0 && relayA !== rtpB.port, `relayed: ${dialog.answer}`);
    return { a, rtpA, rtpB, relayA, relayB, dialog };
  }

  it("*1# starts the recording at the key press, with both parties in it", { timeout: 60000 }, async (t) => {
    await parley.api("PATCH", "/api/v1/users/100", { recording: "on-demand" });
    const before = (await recordings(parley, 0, 0)).length;
    const { a, rtpA, rtpB, relayA, relayB, dialog } = await call();
    const started = Date.now();
    const callee = rtpB.sendTone(relayB, 1000, 6000);
    await rtpA.sendTone(relayA, 440, 2000);
    for (const key of "*1#") await rtpA.sendEvent(relayA, key);
    // The code is complete at the end of its "#".
    const keyed = Date.now();
    await rtpA.sendTone(relayA, 440, 3000);
    await callee;
    assert.equal((await a.inDialog(dialog, "BYE")).status, 200);
    const ended = Date.now();
    const items = await recordings(parley, before + 1);
    assert.equal(items.length, before + 1, parley.output().slice(-3000));
    const r = items[0];
    const expected = (ended - keyed) / 1000;
    assert.ok(
      Math.abs(r.durationSeconds - expected) < 0.6 && r.durationSeconds < (ended - started) / 1000 - 1.2,
      `recorded ${r.durationSeconds} s from the code (${expected} s before the end of a ${(ended - started) / 1000} s call)`,
    );
    const pcm = samplesOf(parley, r);
    const mid = shares(pcm, 0.8, Math.min(r.durationSeconds, 3) - 0.3);
    t.diagnostic(
      `from the code ${expected} s, recording ${r.durationSeconds} s, tone shares ${JSON.stringify(mid)}`,
    );
    assert.ok(mid[440] > 0.15 && mid[1000] > 0.15, `both tones: ${JSON.stringify(mid)}`);
    const cdr = (await parley.api("GET", "/api/v1/cdrs")).body.items[0];
    assert.equal(cdr.recording, r.id);
  });

  it("keyed by a user without the on-demand right, nothing is recorded", { timeout: 60000 }, async () => {
    await parley.api("PATCH", "/api/v1/users/100", { recording: "never" });
    await parley.api("PATCH", "/api/v1/users/101", { recording: "on-demand" });
    const count = (await recordings(parley, 0, 0)).length;
    const { a, rtpA, relayA, dialog } = await call();
    await rtpA.sendTone(relayA, 440, 500);
    for (const key of "*1#") await rtpA.sendEvent(relayA, key);
    await rtpA.sendTone(relayA, 440, 1000);
    assert.equal((await a.inDialog(dialog, "BYE")).status, 200);
    await parley.waitForLog(
      (l) => l.msg === "call recording code ignored: no on-demand right, or the call is always recorded",
    );
    // What is tested is that no recording appears: a window of half a second on purpose.
    await sleep(500);
    assert.equal((await recordings(parley, 0, 0)).length, count);
    await parley.api("PATCH", "/api/v1/users/101", { recording: "never" });
  });
});

describe("call recording: a folder that cannot be written", () => {
  let parley: ParleyProcess;
  let dataDir: string;
  const closers: Array<() => void> = [];
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-recording-ro-"));
    // A file where the calls folder should be: no recording can be written (even as root).
    mkdirSync(join(dataDir, "recordings"), { recursive: true });
    writeFileSync(join(dataDir, "recordings", "calls"), "not a folder");
    parley = await startParley(["--rtp-ports", "36350-36399"], {}, { dataDir });
  });
  after(async () => {
    for (const close of closers) close();
    await parley.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("warns at start, and calls go on unrecorded", { timeout: 30000 }, async () => {
    const warning = await parley.waitForLog((l) => String(l.msg).includes("not writable"));
    assert.equal(warning.level, 40, "a warning");
    await parley.api("PATCH", "/api/v1/users/100", { recording: "always" });
    const a = await ScriptedPhone.open("100", parley.sipPort);
    const b = await ScriptedPhone.open("101", parley.sipPort);
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    assert.equal((await b.register()).status, 200);
    const dialog = await a.call("101");
    // A call of half a second, on purpose (something to record).
    await sleep(500);
    assert.equal((await a.inDialog(dialog, "BYE")).status, 200);
    // Its CDR, once written (polled, not a fixed wait).
    let cdr: { disposition: string; recording?: unknown } | undefined;
    for (let i = 0; i < 100 && cdr === undefined; i++) {
      cdr = (await parley.api("GET", "/api/v1/cdrs")).body.items[0];
      if (cdr === undefined) await sleep(50);
    }
    assert.ok(cdr, "the call's CDR");
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.recording, undefined);
    assert.deepEqual((await parley.api("GET", "/api/v1/recordings")).body.items, []);
  });
});
