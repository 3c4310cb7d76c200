/**
 * Transfers from the web phone (issue 20, "the softphone page"): three web phones in headless
 * Chromium through a real `parley start` over SIP over WebSocket at /sip. 100 calls 101 and
 * transfers it to 102: blind (REFER, RFC 3515) and attended (a consultation call, then REFER with
 * Replaces, RFC 5589 section 7). Proven for each: 100's page ends its calls, 101 and 102 are left
 * in a call with each other, and 101 hears 102's microphone. Skipped while the server does not
 * carry SIP over WebSocket at /sip. Not here: transfers to plain RTP phones.
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

describe("transfers from the web phone", { skip: missingTool(CHROMIUM) && "chromium not installed" }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let a: Page;
  let b: Page;
  let c: Page;
  let skipAll: string | undefined;

  before(async () => {
    parley = await startParley();
    if (!(await acceptsSipWebSocket(`ws://127.0.0.1:${parley.httpPort}/sip`))) {
      skipAll = "the web server does not carry SIP over WebSocket at /sip yet";
      return;
    }
    browser = await launchChromium(MEDIA_FLAGS);
    [a, b, c] = await Promise.all(
      ["100", "101", "102"].map((u) => registeredPhone(browser, parley.httpPort, u)),
    );
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  /** 100 calls 101, 101 answers, 100 opens the transfer form with 102 in it. */
  async function callAndOpenTransfer(): Promise<void> {
    // A test that failed half-way leaves calls up: end them first.
    for (const page of [a, b, c]) {
      await page.evaluate(() => {
        const exposed = (globalThis as unknown as PhoneGlobal).parleyPhone;
        for (const call of exposed?.state?.calls ?? []) exposed?.phone?.hangup(call.id);
      });
      await page.getByTestId("phone-calls").waitFor({ state: "detached" });
    }
    await a.getByTestId("phone-number").fill("101");
    await a.getByTestId("phone-dial").click();
    await b.getByTestId("call-answer").click();
    await a.locator('[data-testid="call-outgoing"][data-state="active"]').waitFor();
    await a.getByTestId("call-transfer").click();
    await a.getByTestId("transfer-target").fill("102");
  }

  /** 101 and 102 talk, 100 has no call; then both hang up. */
  async function joined(): Promise<void> {
    await a.getByTestId("phone-calls").waitFor({ state: "detached" });
    await b.locator('[data-testid="call-incoming"][data-state="active"]').waitFor();
    await c.locator('[data-testid="call-incoming"][data-state="active"]').waitFor();
    assert.equal(await b.getByTestId("phone-calls").locator("article").count(), 1);
    assert.equal(await c.getByTestId("phone-calls").locator("article").count(), 1);
    const peak = await heardPeak(b);
    assert.ok(peak >= 0.05, `101 hears 102 after the transfer (peak ${peak})`);
    await b.getByTestId("call-hangup").click();
    await b.getByTestId("phone-calls").waitFor({ state: "detached" });
    await c.getByTestId("phone-calls").waitFor({ state: "detached" });
  }

  it("blind: REFER sends 101 to 102, whose page rings; 100's call ends", {
    timeout: 45000,
  }, async (t) => {
    if (skipAll) return t.skip(skipAll);
    await callAndOpenTransfer();
    await a.getByTestId("transfer-blind").click();
    await c.locator('[data-testid="call-incoming"][data-state="incoming"]').waitFor();
    await c.getByTestId("call-answer").click();
    await joined();
  });

  it("attended: 100 consults 102 with 101 on hold, then joins them", { timeout: 45000 }, async (t) => {
    if (skipAll) return t.skip(skipAll);
    await callAndOpenTransfer();
    await a.getByTestId("transfer-consult").click();
    await a.locator('[data-testid="call-outgoing"][data-held="true"]').waitFor();
    await c.getByTestId("call-answer").click();
    const consultation = a.locator('[data-testid="call-outgoing"][data-state="active"][data-held="false"]');
    await consultation.waitFor();
    assert.match((await consultation.textContent()) ?? "", /Consulting for 101/);
    await screenshot(a, "phone-attended-transfer");
    await a.getByTestId("call-complete-transfer").click();
    await joined();
  });
});
