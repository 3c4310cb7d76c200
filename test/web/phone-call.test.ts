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
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, launchChromium, screenshot } from "./browser.js";
import {
  acceptsSipWebSocket,
  heardPeak,
  MEDIA_FLAGS,
  type PhoneGlobal,
  registeredPhone,
} from "./phone-helpers.js";

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
    a = await registeredPhone(browser, parley.httpPort, "100");
    b = await registeredPhone(browser, parley.httpPort, "101");
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
    const peak = await heardPeak(a);
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
