/**
 * The Feature codes page in headless Chromium against a real `parley start` (issue 15: "Feature
 * codes: a table (code pattern, service, enabled) ... API (with OpenAPI), CLI and web UI (English
 * and Chinese)"; "bad values get errors naming the field"): every feature listed with its code,
 * default and how it is dialled; a code changed in place shows in GET /api/v1/feature-codes; a bad
 * code and a code another feature uses are refused with the error beside the code; a feature
 * turned off and on by its switch; the default restored; the page in Chinese (the services'
 * labels translated). Screenshots go to test-artifacts/web/. Not here: a phone dialling a moved
 * code (test/e2e/feature-codes.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import {
  CHROMIUM,
  generatedAdminPassword,
  launchChromium,
  PHONE,
  screenshot,
  signedInPage,
} from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

describe("the Feature codes page", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;
  let adminPassword: string;

  before(async () => {
    parley = await startParley();
    adminPassword = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
    await page.getByTestId("nav-feature-codes").click();
    await page.getByTestId("page-feature-codes").waitFor();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  /** The row of `service` once it shows `code` and on/off `enabled`. */
  const row = (service: string, code: string, enabled: boolean) =>
    page.locator(`[data-testid="fc-row-${service}"][data-code="${code}"][data-enabled="${enabled}"]`);
  const served = async (service: string) => {
    const res = await parley.api("GET", "/api/v1/feature-codes");
    assert.equal(res.status, 200);
    const found = (res.body.items as Array<{ service: string; code: string; enabled: boolean }>).find(
      (f) => f.service === service,
    );
    return found && { code: found.code, enabled: found.enabled };
  };
  const setCode = async (service: string, code: string) => {
    await page.getByTestId(`fc-code-${service}`).fill(code);
    await page.getByTestId(`fc-save-${service}`).click();
  };

  it("lists every feature with its code, default, switch and how it is dialled", async () => {
    await row("echo-test", "*43", true).waitFor();
    assert.equal(
      await page.getByTestId("fc-name-echo-test").textContent(),
      "Echo test: what you say comes back",
    );
    assert.equal(
      await page.getByTestId("fc-dial-user-codes.forwarding.busy").textContent(),
      "*90*<number># *90#",
    );
    assert.equal(await page.getByTestId("fc-enabled-echo-test").isChecked(), true);
    const services = await page
      .locator('[data-testid^="fc-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid")!.slice("fc-row-".length)));
    const api = await parley.api("GET", "/api/v1/feature-codes");
    assert.deepEqual(
      services,
      (api.body.items as Array<{ service: string }>).map((f) => f.service),
    );
    assert.ok(services.includes("voicemail-access.own") && services.includes("user-codes.dnd.on"));
    // Nothing to restore at the default.
    assert.equal(await page.getByTestId("fc-reset-echo-test").isDisabled(), true);
    await screenshot(page, "feature-codes-desktop");
  });

  it("moves a code in place: the API serves the new code at once", async () => {
    await setCode("echo-test", "*143");
    await row("echo-test", "*143", true).waitFor();
    assert.deepEqual(await served("echo-test"), { code: "*143", enabled: true });
    assert.equal(await page.getByTestId("fc-dial-echo-test").textContent(), "*143#");
    assert.match((await page.getByTestId("notice").textContent()) ?? "", /the code is now \*143/);
  });

  it("shows a bad code's error beside the code, and a code in use names the feature using it", async () => {
    await setCode("prompt-test", "12a");
    const error = page.getByTestId("fc-code-error-prompt-test");
    await error.waitFor();
    assert.equal(await error.textContent(), "Use 1 to 16 of the keys 0-9, * and #.");
    assert.equal(await page.getByTestId("fc-code-prompt-test").getAttribute("aria-invalid"), "true");
    assert.deepEqual(await served("prompt-test"), { code: "*44", enabled: true });

    await setCode("prompt-test", "*78");
    await page.locator('[data-testid="fc-code-error-prompt-test"]:has-text("Do not disturb on")').waitFor();
    assert.equal(await error.textContent(), "Already used by Do not disturb on.");
    assert.deepEqual(await served("prompt-test"), { code: "*44", enabled: true });
    // What was typed stays to be corrected.
    assert.equal(await page.getByTestId("fc-code-prompt-test").inputValue(), "*78");
    await screenshot(page, "feature-codes-error");

    await setCode("prompt-test", "*144");
    await row("prompt-test", "*144", true).waitFor();
    assert.equal(await error.count(), 0);
  });

  it("turns a feature off and on with its switch", async () => {
    await page.getByTestId("fc-enabled-user-codes.dnd.on").click();
    await row("user-codes.dnd.on", "*78", false).waitFor();
    assert.deepEqual(await served("user-codes.dnd.on"), { code: "*78", enabled: false });
    // The switch follows the server: it shows what was saved, not just the click.
    assert.equal(await page.getByTestId("fc-enabled-user-codes.dnd.on").isChecked(), false);
    // Off, its code is free: another feature may take it.
    await setCode("record-test", "*78");
    await row("record-test", "*78", true).waitFor();
    // On again, the clash is refused beside the code.
    await page.getByTestId("fc-enabled-user-codes.dnd.on").click();
    await page.getByTestId("fc-code-error-user-codes.dnd.on").waitFor();
    assert.equal(
      await page.getByTestId("fc-code-error-user-codes.dnd.on").textContent(),
      "Already used by Record and playback test.",
    );
    assert.deepEqual(await served("user-codes.dnd.on"), { code: "*78", enabled: false });
  });

  it("restores the defaults", async () => {
    for (const service of ["record-test", "user-codes.dnd.on", "echo-test", "prompt-test"]) {
      await page.getByTestId(`fc-reset-${service}`).click();
      await page
        .locator(`[data-testid="fc-row-${service}"] [data-testid="fc-reset-${service}"]:disabled`)
        .waitFor();
    }
    await row("user-codes.dnd.on", "*78", true).waitFor();
    await row("echo-test", "*43", true).waitFor();
    assert.deepEqual(
      await Promise.all(["record-test", "user-codes.dnd.on", "echo-test", "prompt-test"].map(served)),
      [
        { code: "*45", enabled: true },
        { code: "*78", enabled: true },
        { code: "*43", enabled: true },
        { code: "*44", enabled: true },
      ],
    );
  });

  it("reads in Chinese, the services' names translated", async () => {
    await page.getByTestId("language").click();
    await page.locator("h1", { hasText: "功能码" }).waitFor();
    assert.equal(await page.getByTestId("nav-feature-codes").textContent(), "功能码");
    assert.equal(await page.getByTestId("fc-name-echo-test").textContent(), "回声测试：听到自己说的话");
    assert.equal(
      await page.getByTestId("fc-name-user-codes.forwarding.busy").textContent(),
      "遇忙呼叫转移：设置（*号码#）或取消（#）",
    );
    assert.equal(await page.getByTestId("fc-name-voicemail-access.own").textContent(), "语音信箱：本人信箱");
    assert.equal(
      await page.getByTestId("fc-dial-user-codes.forwarding.busy").textContent(),
      "*90*<号码># *90#",
    );
    await setCode("echo-test", "*4x");
    assert.equal(
      await page.getByTestId("fc-code-error-echo-test").textContent(),
      "请使用 1 到 16 个按键：0-9、* 和 #。",
    );
    await screenshot(page, "feature-codes-zh");
    await page.getByTestId("language").click();
  });

  it("fits a phone's width (each row a card)", async () => {
    const phone = await browser.newPage({ viewport: PHONE, locale: "en-US", isMobile: true, hasTouch: true });
    try {
      await phone.goto(`http://127.0.0.1:${parley.httpPort}/`);
      await phone.locator('[data-field="password"]').fill(adminPassword);
      await phone.getByTestId("submit").click();
      await phone.getByTestId("page-dashboard").waitFor();
      await phone.goto(`http://127.0.0.1:${parley.httpPort}/#/feature-codes`);
      await phone.locator('[data-testid="fc-row-echo-test"]').waitFor();
      const overflow = await phone.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      assert.ok(overflow <= 0, `the page is wider than the phone by ${overflow}px`);
      await screenshot(phone, "feature-codes-phone");
    } finally {
      await phone.close();
    }
  });
});
