/**
 * The Auto-attendant page in headless Chromium against a real `parley start` (issue 17: "web UI
 * page (en + zh) for menus and time conditions; errors name the field"): the default menu listed;
 * a menu created with a key to a user and a sub-menu key; a key pointing at a user that does not
 * exist refused with the error at that key's field; office hours typed as "mon-fri 09:00-18:00"
 * lines saved as the API's schedule; an entry point set for a line; the page in Chinese.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

describe("the Auto-attendant page", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    parley = await startParley();
    const adminPassword = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
    await page.getByTestId("nav-auto-attendant").click();
    await page.getByTestId("page-auto-attendant").waitFor();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  async function until<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
    for (let i = 0; i < 50; i++) {
      const value = await read();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  it("lists the default menu", { timeout: 30000 }, async () => {
    await page.getByTestId("aa-menus-row-default").waitFor();
    assert.match(
      (await page.getByTestId("aa-menus-row-default").textContent()) ?? "",
      /welcome, enter-extension/,
    );
    await screenshot(page, "auto-attendant-desktop");
  });

  it("creates a menu with keys; a key at a missing user is refused at that key's field", {
    timeout: 30000,
  }, async () => {
    await page.getByTestId("aa-menus-new").click();
    const form = page.getByTestId("aa-menus-editor");
    await form.locator('[data-field="name"]').fill("main");
    await form.locator('[data-field="keys[1].kind"]').selectOption("user");
    await form.locator('[data-field="keys[1].target"]').fill("999");
    await form.locator('[data-field="keys.*.kind"]').selectOption("repeat");
    await form.getByTestId("submit").click();
    await form.getByTestId("field-error").first().waitFor();
    assert.match(
      (await form.getByTestId("field-error").first().textContent()) ?? "",
      /no local user is named "999"/,
    );
    await form.locator('[data-field="keys[1].target"]').fill("101");
    await form.getByTestId("submit").click();
    const menu = await until(async () => {
      const r = await parley.api("GET", "/api/v1/auto-attendant/menus/main");
      return r.status === 200 ? r.body : undefined;
    });
    assert.deepEqual(menu?.keys, {
      "1": { kind: "user", target: "101" },
      "*": { kind: "repeat", target: "" },
    });
    await page.getByTestId("aa-menus-row-main").waitFor();
  });

  it("saves office hours typed as lines, and an entry point", { timeout: 30000 }, async () => {
    await page.getByTestId("aa-times-new").click();
    const form = page.getByTestId("aa-times-editor");
    await form.locator('[data-field="name"]').fill("office");
    await form.locator('[data-field="timeZone"]').fill("Asia/Shanghai");
    await form.locator('[data-field="schedule"]').fill("mon-fri 09:00-18:00\nsat 9:00-12:00");
    await form.locator('[data-field="holidays"]').fill("10-01");
    await form.locator('[data-field="outOfHours.kind"]').selectOption("voicemail");
    await form.locator('[data-field="outOfHours.target"]').fill("101");
    await form.getByTestId("submit").click();
    const condition = await until(async () => {
      const r = await parley.api("GET", "/api/v1/auto-attendant/time-conditions/office");
      return r.status === 200 ? r.body : undefined;
    });
    assert.deepEqual(condition?.schedule, [
      { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" },
      { days: ["sat"], from: "09:00", to: "12:00" },
    ]);
    assert.deepEqual(condition?.outOfHours, { kind: "voicemail", target: "101" });
    await page.getByTestId("aa-entry-key").fill("123456");
    await page.getByTestId("aa-entry-by").selectOption("timeCondition");
    await page.getByTestId("aa-entry-name").fill("office");
    await page.getByTestId("aa-entry-save").click();
    await page.getByTestId("aa-entry-line-123456").waitFor();
    const entries = (await parley.api("GET", "/api/v1/auto-attendant/entries")).body.items;
    assert.deepEqual(
      entries.map((e: { kind: string; key: string; timeCondition: string }) => [
        e.kind,
        e.key,
        e.timeCondition,
      ]),
      [["line", "123456", "office"]],
    );
  });

  it("shows the page in Chinese", async () => {
    await page.getByTestId("language").click();
    await page.locator("h1:has-text('自动话务员')").waitFor();
    await page.locator("text=办公时间").first().waitFor();
    await screenshot(page, "auto-attendant-zh");
    await page.getByTestId("language").click();
  });
});
