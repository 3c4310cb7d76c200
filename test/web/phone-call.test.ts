/**
 * Two web phones (issue 20, "the softphone page") in headless Chromium with fake microphones,
 * calling each other through a real `parley start` over SIP over WebSocket at /sip, the media
 * relayed by Parley (DTLS-SRTP on both sides). Proven: the callee's page shows the incoming call
 * and answers it; both show the call answered with a running timer; the caller's remote stream
 * carries sound (a Web Audio analyser in the page hears the other fake microphone's beeps); hold
 * and resume, mute and unmute are reflected; keypad digits in a call are sent as DTMF; hanging up
 * ends the call on both pages and the call appears in both histories; a declined call ends with
 * "Busy". Skipped while the server does not carry SIP over WebSocket at /sip. Not here: calls to
 * plain RTP phones and the tone's frequency (the lead's baresip test), transfers.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import WebSocket from "ws";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, DESKTOP, launchChromium, screenshot } from "./browser.js";

const MEDIA_FLAGS = [
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  "--autoplay-policy=no-user-gesture-required",
];

function acceptsSipWebSocket(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, "sip");
    ws.once("open", () => {
      resolve(ws.protocol === "sip");
      ws.close();
    });
    ws.once("error", () => resolve(false));
    ws.once("unexpected-response", () => {
      resolve(false);
      ws.terminate();
    });
  });
}

/** What the tests read of the page's `window.parleyPhone`. */
interface PhoneGlobal {
  parleyPhone?: {
    remoteStream?: { getAudioTracks(): unknown[] };
    lastCall?: { state: string; cause?: string };
  };
}

/** Runs in the page: the loudest level (0..1) an analyser hears on the remote stream over ~1.5 s. */
async function remotePeak(): Promise<number> {
  type Analyser = { fftSize: number; getFloatTimeDomainData(a: Float32Array): void };
  type Ctx = {
    createMediaStreamSource(s: unknown): { connect(a: Analyser): void };
    createAnalyser(): Analyser;
    close(): Promise<void>;
  };
  const g = globalThis as unknown as PhoneGlobal & { AudioContext: new () => Ctx };
  const stream = g.parleyPhone?.remoteStream;
  if (stream === undefined || stream.getAudioTracks().length === 0) return -1;
  const ctx = new g.AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const buffer = new Float32Array(analyser.fftSize);
  let peak = 0;
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 50));
    analyser.getFloatTimeDomainData(buffer);
    for (const v of buffer) peak = Math.max(peak, Math.abs(v));
  }
  await ctx.close();
  return peak;
}

describe("two web phones calling each other", {
  skip: missingTool(CHROMIUM) && "chromium not installed",
}, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let a: Page;
  let b: Page;
  let skipAll: string | undefined;

  before(async () => {
    parley = await startParley();
    if (!(await acceptsSipWebSocket(`ws://127.0.0.1:${parley.httpPort}/sip`))) {
      skipAll = "the web server does not carry SIP over WebSocket at /sip yet";
      return;
    }
    browser = await launchChromium(MEDIA_FLAGS);
    const open = async (user: string) => {
      const page = await browser.newPage({ viewport: DESKTOP, locale: "en-US" });
      await page.goto(`http://127.0.0.1:${parley.httpPort}/#/phone`);
      await page.getByTestId("phone-user").fill(user);
      await page.getByTestId("phone-password").fill(user);
      await page.getByTestId("phone-submit").click();
      await page.locator('[data-testid="phone-status"][data-registration="registered"]').waitFor();
      return page;
    };
    a = await open("100");
    b = await open("101");
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const call = async () => {
    await a.getByTestId("phone-number").fill("101");
    await a.getByTestId("phone-dial").click();
    await b.locator('[data-testid="call-incoming"][data-state="incoming"]').waitFor();
  };

  it("rings the callee's page, which answers; both show the call with its timer", {
    timeout: 30000,
  }, async (t) => {
    if (skipAll) return t.skip(skipAll);
    await call();
    assert.equal((await b.getByTestId("call-peer").textContent())?.trim(), "100");
    await screenshot(b, "phone-incoming");
    await b.getByTestId("call-answer").click();
    await a.locator('[data-testid="call-outgoing"][data-state="active"]').waitFor();
    await b.locator('[data-testid="call-incoming"][data-state="active"]').waitFor();
    await a.getByTestId("call-timer").waitFor();
    await screenshot(a, "phone-in-call");
  });

  it("plays the other side's microphone through the remote stream", { timeout: 30000 }, async (t) => {
    if (skipAll) return t.skip(skipAll);
    await a.waitForFunction(
      () =>
        ((globalThis as unknown as PhoneGlobal).parleyPhone?.remoteStream?.getAudioTracks().length ?? 0) > 0,
    );
    // Chromium's fake microphone beeps; its silence between beeps is digital zero.
    let peak = 0;
    for (let i = 0; i < 5 && peak < 0.05; i++) peak = await a.evaluate(remotePeak);
    assert.ok(peak >= 0.05, `the caller hears the callee's microphone (peak ${peak})`);
  });

  it("holds and resumes, mutes and unmutes, and sends keypad digits", { timeout: 30000 }, async (t) => {
    if (skipAll) return t.skip(skipAll);
    const card = a.getByTestId("call-outgoing");
    await a.getByTestId("call-hold").click();
    await a.locator('[data-testid="call-outgoing"][data-held="true"]').waitFor();
    await a.getByTestId("call-hold").click();
    await a.locator('[data-testid="call-outgoing"][data-held="false"]').waitFor();
    await a.getByTestId("call-mute").click();
    assert.equal(await card.getAttribute("data-muted"), "true");
    await a.getByTestId("call-mute").click();
    assert.equal(await card.getAttribute("data-muted"), "false");
    await a.getByTestId("key-1").click();
    await a.getByTestId("key-#").click();
    assert.equal((await a.getByTestId("phone-tones").textContent())?.trim(), "1#");
    assert.equal(
      await a.getByTestId("phone-number").inputValue(),
      "",
      "digits in a call are tones, not the number",
    );
  });

  it("hangs up on both pages, and the call is in both histories", { timeout: 30000 }, async (t) => {
    if (skipAll) return t.skip(skipAll);
    await a.getByTestId("call-hangup").click();
    await a.getByTestId("phone-calls").waitFor({ state: "detached" });
    await b.getByTestId("phone-calls").waitFor({ state: "detached" });
    for (const page of [a, b]) {
      await page.getByTestId("phone-history").locator("li").first().waitFor();
    }
    assert.equal(await a.getByTestId("phone-history").locator('li[data-direction="outgoing"]').count(), 1);
    assert.equal(await b.getByTestId("phone-history").locator('li[data-direction="incoming"]').count(), 1);
  });

  it("a declined call ends on the caller's page as busy", { timeout: 30000 }, async (t) => {
    if (skipAll) return t.skip(skipAll);
    await call();
    await b.getByTestId("call-decline").click();
    await a.getByTestId("phone-calls").waitFor({ state: "detached" });
    const last = await a.evaluate(() => (globalThis as unknown as PhoneGlobal).parleyPhone?.lastCall);
    assert.equal(last?.state, "ended");
    assert.equal(last?.cause, "Busy");
  });
});
