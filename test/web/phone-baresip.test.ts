/**
 * Issue 20's acceptance: the web phone in headless Chromium (a fake microphone playing a 1000 Hz
 * tone from a WAV) against a real baresip phone (sending 600 Hz) through a real `parley start`,
 * SIP over WebSocket at /sip, DTLS-SRTP on the browser's side and plain RTP on baresip's, bridged
 * in Parley's media worker. Measured, not assumed: baresip's recording of the call is the
 * browser's 1000 Hz; a Web Audio analyser in the page finds 600 Hz in what it hears; the page
 * answers a call from baresip and hears it too; the echo test (*43) sends the page's tone back,
 * and digits pressed on the page's keypad reach it as RFC 4733 events, in order.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { toneShare, wavSamples } from "../helpers/audio-measure.js";
import { type BaresipPhone, PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool, runTool } from "../helpers/run-tool.js";
import { CHROMIUM, launchChromium } from "./browser.js";
import { MEDIA_FLAGS, type PhoneGlobal, registeredPhone } from "./phone-helpers.js";

const skip =
  (missingTool(CHROMIUM) && "chromium not installed") ||
  (missingTool("baresip") && "baresip not installed") ||
  (missingTool("sox") && "sox not installed");

/** Runs in the page: the strongest frequency (Hz) of the remote stream between 100 and 3500 Hz. */
async function remoteFrequency(): Promise<number> {
  type Analyser = {
    fftSize: number;
    frequencyBinCount: number;
    getFloatFrequencyData(a: Float32Array): void;
  };
  type Ctx = {
    sampleRate: number;
    createMediaStreamSource(s: unknown): { connect(a: Analyser): void };
    createAnalyser(): Analyser;
    close(): Promise<void>;
  };
  const g = globalThis as unknown as PhoneGlobal & { AudioContext: new () => Ctx };
  const stream = g.parleyPhone?.remoteStream;
  if (stream === undefined || stream.getAudioTracks().length === 0) return -1;
  const ctx = new g.AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const sum = new Float32Array(analyser.frequencyBinCount);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 100));
    analyser.getFloatFrequencyData(bins);
    for (let b = 0; b < bins.length; b++) sum[b] += Number.isFinite(bins[b]) ? bins[b] : -200;
  }
  const hz = ctx.sampleRate / analyser.fftSize;
  let best = -1;
  for (let b = Math.ceil(100 / hz); b < 3500 / hz; b++) if (best < 0 || sum[b] > sum[best]) best = b;
  await ctx.close();
  return best * hz;
}

describe("the web phone with a baresip phone (issue 20 acceptance)", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;
  let work: string;
  let baresip: BaresipPhone;
  const phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 26000);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "parley-web-baresip-"));
    parley = await startParley(["--rtp-ports", "38900-38999"]);
    // Chromium's fake microphone plays this file in a loop: a steady 1000 Hz.
    const browserTone = join(work, "browser-1000.wav");
    await runTool("sox", [
      "-n",
      "-r",
      "48000",
      "-c",
      "1",
      "-b",
      "16",
      browserTone,
      "synth",
      "30",
      "sine",
      "1000",
    ]);
    await toneWav(join(work, "baresip-600.wav"), 600, 60);
    baresip = await phones.phone("101", join(work, "baresip-600.wav"), { autoAnswer: true });
    browser = await launchChromium([...MEDIA_FLAGS, `--use-file-for-fake-audio-capture=${browserTone}`]);
    page = await registeredPhone(browser, parley.httpPort, "100");
  });
  after(async () => {
    await browser?.close();
    await phones.stopAll();
    await parley?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function hangUp(): Promise<void> {
    await page.getByTestId("call-hangup").click();
    await page.getByTestId("phone-calls").waitFor({ state: "detached" });
  }

  it("the page calls baresip: each hears the other's tone", { timeout: 60000 }, async (t) => {
    await page.getByTestId("phone-number").fill("101");
    await page.getByTestId("phone-dial").click();
    assert.ok(await baresip.waitForEvent("CALL_ESTABLISHED", 15000), `baresip answered\n${baresip.output()}`);
    await page.locator('[data-testid="call-outgoing"][data-state="active"]').waitFor({ timeout: 15000 });
    await page.waitForFunction(
      () =>
        ((globalThis as unknown as PhoneGlobal).parleyPhone?.remoteStream?.getAudioTracks().length ?? 0) > 0,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const heard = await page.evaluate(remoteFrequency);
    t.diagnostic(`the page hears ${heard.toFixed(0)} Hz`);
    assert.ok(Math.abs(heard - 600) < 30, `the page hears baresip's 600 Hz (strongest: ${heard} Hz)`);
    await new Promise((r) => setTimeout(r, 2000));
    await hangUp();
    assert.ok(await baresip.waitForEvent("CALL_CLOSED", 10000), "baresip's call ends");
    const recorded = wavSamples(baresip.received()!);
    t.diagnostic(`baresip received ${(recorded.length / 8000).toFixed(1)} s`);
    assert.ok(recorded.length > 8000 * 3, "baresip recorded the call");
    // Past the first half second (DTLS and the browser's capture starting), the browser's tone.
    const share = toneShare(recorded.subarray(8000, recorded.length - 2000), 1000);
    t.diagnostic(`1000 Hz share at baresip ${share.toFixed(2)}`);
    assert.ok(share > 0.5, `baresip hears the browser's 1000 Hz (share ${share.toFixed(2)})`);
    const cdr = (await parley.api("GET", "/api/v1/cdrs?number=101&limit=1")).body.items?.[0];
    assert.equal(cdr?.caller, "100");
    assert.equal(cdr?.disposition, "answered");
  });

  it("the page answers baresip's call and hears it", { timeout: 60000 }, async (t) => {
    baresip.command("dial", `sip:100@127.0.0.1:${parley.sipPort}`);
    await page.locator('[data-testid="call-incoming"][data-state="incoming"]').waitFor({ timeout: 15000 });
    await page.getByTestId("call-answer").click();
    assert.ok(await baresip.waitForEvent("CALL_ESTABLISHED", 15000), `established\n${baresip.output()}`);
    await page.waitForFunction(
      () =>
        ((globalThis as unknown as PhoneGlobal).parleyPhone?.remoteStream?.getAudioTracks().length ?? 0) > 0,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const heard = await page.evaluate(remoteFrequency);
    t.diagnostic(`the page hears ${heard.toFixed(0)} Hz`);
    assert.ok(Math.abs(heard - 600) < 30, `the page hears baresip's 600 Hz (strongest: ${heard} Hz)`);
    await hangUp();
    assert.ok(await baresip.waitForEvent("CALL_CLOSED", 10000), "baresip's call ends");
  });

  it("the echo test sends the page's tone back; keypad digits reach it as RFC 4733 events", {
    timeout: 60000,
  }, async (t) => {
    const digits = () =>
      parley.logs
        .filter((l) => l.msg === "digit received" && l.peer === "parley:echo-test")
        .map((l) => `${String(l.digit)}/${String(l.source)}`);
    await page.getByTestId("phone-number").fill("*43");
    await page.getByTestId("phone-dial").click();
    await page.locator('[data-testid="call-outgoing"][data-state="active"]').waitFor({ timeout: 15000 });
    // The announcement first, then the echo of the page's own 1000 Hz (Parley's media endpoint
    // answering a browser: DTLS-SRTP on an endpoint port).
    let echoed = -1;
    const until = Date.now() + 20000;
    while (Math.abs(echoed - 1000) >= 30 && Date.now() < until) echoed = await page.evaluate(remoteFrequency);
    t.diagnostic(`the page hears ${echoed.toFixed(0)} Hz from the echo test`);
    assert.ok(
      Math.abs(echoed - 1000) < 30,
      `the echo test returns the page's 1000 Hz (strongest: ${echoed} Hz)`,
    );
    for (const key of ["1", "5", "9", "0"]) {
      await page.getByTestId(`key-${key}`).click();
      await new Promise((r) => setTimeout(r, 400));
    }
    const deadline = Date.now() + 5000;
    while (digits().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(digits(), ["1/rfc4733", "5/rfc4733", "9/rfc4733", "0/rfc4733"]);
    await hangUp();
  });
});
