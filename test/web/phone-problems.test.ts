/**
 * The web phone explains what goes wrong (issue 20, "microphone permission errors and network loss
 * are explained to the user, with reconnect"), in headless Chromium against a real `parley start`:
 * a browser that refuses the microphone gets the "not allowed to use the microphone" banner when
 * it dials; when Parley goes away the page says it is reconnecting, and once Parley is back on the
 * same address the page registers again by itself and stays signed in (its forgotten phone token
 * is renewed with the credentials it holds).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, launchChromium } from "./browser.js";
import { registeredPhone } from "./phone-helpers.js";

describe("the web phone's problems, explained", {
  skip: missingTool(CHROMIUM) && "chromium not installed",
}, () => {
  let parley: ParleyProcess;
  let browser: Browser;

  before(async () => {
    parley = await startParley();
    // A fake microphone exists, but without --use-fake-ui-for-media-stream nobody grants it: the
    // permission request is refused (NotAllowedError), as when a user clicks "Block".
    browser = await launchChromium(["--use-fake-device-for-media-stream"]);
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  it("a refused microphone is explained when the user dials", { timeout: 30000 }, async () => {
    const page = await registeredPhone(browser, parley.httpPort, "100");
    await page.getByTestId("phone-number").fill("101");
    await page.getByTestId("phone-dial").click();
    const problem = page.locator('[data-testid="phone-problem"][data-problem="micDenied"]');
    await problem.waitFor({ timeout: 10000 });
    assert.match((await problem.textContent()) ?? "", /not allowed to use the microphone/);
    await page.close();
  });

  it("says it is reconnecting while Parley is away, and registers again when it is back", {
    timeout: 90000,
  }, async () => {
    const page = await registeredPhone(browser, parley.httpPort, "101");
    const ports = { sip: parley.sipPort, tls: parley.tlsPort, http: parley.httpPort };
    const dataDir = parley.dataDir;
    await parley.stop();
    await page
      .locator('[data-testid="phone-status"][data-connection="reconnecting"]')
      .waitFor({ timeout: 15000 });
    parley = await startParley([], {}, { dataDir, ports });
    await page
      .locator('[data-testid="phone-status"][data-registration="registered"]')
      .waitFor({ timeout: 45000 });
    // The restarted Parley forgot the page's phone token: the page's next poll (colleagues, every
    // 10 s) signs in again with the credentials it holds instead of signing the user out.
    await new Promise((r) => setTimeout(r, 11000));
    assert.equal(await page.getByTestId("phone-sign-in").count(), 0, "still signed in");
    await page.getByTestId("page-phone").waitFor();
    const registrations = await parley.api("GET", "/api/v1/registrations");
    const items: Array<{ user: string }> = registrations.body.items ?? registrations.body;
    assert.ok(
      items.some((b) => b.user === "101"),
      `101 registered again: ${JSON.stringify(items)}`,
    );
    await page.close();
  });
});
