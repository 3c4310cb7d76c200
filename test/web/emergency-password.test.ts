/**
 * Issue 23 in headless Chromium against a real `parley start` (fresh: the preset users 100, 101,
 * 102 seeded with their names as passwords). Proven: the dashboard warns of the users whose
 * password equals their extension number, and drops one once its password is changed in the user
 * form; the user form shows the password rule, and a refused password's rule beside the field
 * ("At least 8 characters. Must not equal the extension number."), nothing typed lost; a user 112
 * is refused beside its name, naming the emergency numbers table; the dial plan page's emergency
 * numbers tab lists 112, 911, 999, adds one, names a bad field; the warning in Chinese.
 * Screenshots go to test-artifacts/web/.
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
  type PageDocument,
  screenshot,
  signedInPage,
} from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

describe("emergency numbers and the password policy in the web UI", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;
  let adminPassword: string;

  before(async () => {
    parley = await startParley(["--rtp-ports", "38800-38849"]);
    adminPassword = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const field = (path: string) => page.locator(`[data-field="${path}"]`);
  const errorOf = (path: string) =>
    page.locator(`.field:has([data-field="${path}"]) [data-testid="field-error"]`);
  const hintOf = (path: string) => page.locator(`.field:has([data-field="${path}"]) .hint`);
  const weakUsers = async () =>
    (await page.locator('[data-testid="weak-passwords"] li').allTextContents()).map((s) => s.trim());

  it("the dashboard warns of the preset users' passwords", async () => {
    const banner = page.getByTestId("weak-passwords");
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? "", /passwords equal their extension numbers/);
    assert.deepEqual(await weakUsers(), ["100", "101", "102"]);
    await screenshot(page, "dashboard-weak-passwords");
  });

  it("the new user form shows the rule, and names the broken rules beside the password", async () => {
    await page.getByTestId("nav-users").click();
    await page.getByTestId("new-user").click();
    await page.getByTestId("user-form").waitFor();
    assert.equal(
      await hintOf("password").textContent(),
      "At least 8 characters, and not the extension number.",
    );
    await field("name").fill("300");
    await field("password").fill("300");
    await field("displayName").fill("Weak");
    await page.getByTestId("submit").click();
    await errorOf("password")
      .waitFor({ timeout: 10_000 })
      .catch(async (error: Error) => {
        await screenshot(page, "user-form-password-rule-failed");
        const shown = await page.locator(".field, [data-testid='form-failure']").allTextContents();
        throw new Error(`${error.message}\nURL ${page.url()}\nshown: ${JSON.stringify(shown.slice(0, 4))}`);
      });
    assert.equal(
      await errorOf("password").textContent(),
      "At least 8 characters. Must not equal the extension number.",
    );
    assert.equal(await field("name").inputValue(), "300");
    assert.equal(await field("displayName").inputValue(), "Weak");
    await screenshot(page, "user-form-password-rule");
    await field("password").fill("300-long-secret");
    await page.getByTestId("submit").click();
    await page.waitForURL(/#\/users\/300$/, { timeout: 10_000 }).catch(async (error: Error) => {
      const shown = await page
        .locator('[data-testid="field-error"], [data-testid="form-failure"]')
        .allTextContents();
      throw new Error(`${error.message}\nshown: ${JSON.stringify(shown)}`);
    });
  });

  it("a user 112 is refused beside its name, naming the emergency numbers table", async () => {
    await page.goto(`http://127.0.0.1:${parley.httpPort}/#/users`);
    await page.getByTestId("new-user").click();
    await page.getByTestId("user-form").waitFor();
    await field("name").fill("112");
    await field("password").fill("a-good-secret");
    await page.getByTestId("submit").click();
    await errorOf("name").waitFor();
    assert.equal(
      await errorOf("name").textContent(),
      "112 is an emergency number (emergency numbers table).",
    );
  });

  it("changing 101's password in its form takes it off the dashboard's warning", async () => {
    await page.goto(`http://127.0.0.1:${parley.httpPort}/#/users/101`);
    await page.getByTestId("user-form").waitFor();
    assert.match((await hintOf("password").textContent()) ?? "", /Leave blank.*at least 8 characters/);
    await field("password").fill("101-new-secret");
    await page.getByTestId("submit").click();
    await page.getByText("Saved").first().waitFor();
    await page.getByTestId("nav-dashboard").click();
    await page.getByTestId("weak-passwords").waitFor();
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { document: PageDocument }).document.querySelectorAll(
          '[data-testid="weak-passwords"] li',
        ).length === 2,
    );
    assert.deepEqual(await weakUsers(), ["100", "102"]);
  });

  it("the dial plan page's emergency numbers: the defaults, a new one, a bad one named", async () => {
    await page.getByTestId("nav-dialplan").click();
    await page.getByTestId("tab-emergency").click();
    await page.getByTestId("emergency-row-112").waitFor();
    for (const n of ["911", "999"]) await page.getByTestId(`emergency-row-${n}`).waitFor();
    await page.getByTestId("emergency-new").click();
    await field("number").fill("11x");
    await page.getByTestId("submit").click();
    await errorOf("number").waitFor();
    await field("number").fill("118");
    await field("description").fill("sea rescue");
    await page.getByTestId("submit").click();
    await page.getByTestId("emergency-row-118").waitFor();
    assert.match((await page.getByTestId("emergency-row-118").textContent()) ?? "", /sea rescue/);
    await screenshot(page, "dialplan-emergency-numbers");
    const listed = await parley.api("GET", "/api/v1/emergency-numbers");
    assert.deepEqual(
      listed.body.items.map((e: { number: string }) => e.number),
      ["112", "118", "911", "999"],
    );
  });

  it("the warning reads in Chinese", async () => {
    const zh = await signedInPage(browser, parley, adminPassword, { locale: "zh-CN" });
    try {
      const banner = zh.getByTestId("weak-passwords");
      await banner.waitFor();
      assert.match((await banner.textContent()) ?? "", /密码与分机号相同/);
    } finally {
      await zh.close();
    }
  });
});
