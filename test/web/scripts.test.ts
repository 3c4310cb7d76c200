/**
 * The Scripts page in headless Chromium against a real `parley start` (issue 18: scripts "listed,
 * edited and validated (syntax checked on save) in the web UI", triggers as records in the UI):
 * a new script named and saved from the editor (on disk through the API at once); a syntax error
 * refused with its line, the line marked in the gutter, the old text kept; Check without saving;
 * a trigger added from the triggers table, refused naming the field when its prefix is bad;
 * a script deleted after a confirmation; a dial plan record of route type script made on the
 * Dial plan page (refused naming `script` without one); the page in Chinese. Screenshots in test-artifacts/web/.
 * Not here: calls running the scripts (test/e2e/service-scripts.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out");
}

describe("the Scripts page", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    parley = await startParley();
    const adminPassword = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
    await page.getByTestId("nav-scripts").click();
    await page.getByTestId("page-scripts").waitFor();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const source = async (name: string) => {
    const res = await parley.api("GET", `/api/v1/scripts/${name}`);
    return res.status === 200 ? (res.body.source as string) : undefined;
  };
  const editor = () => page.getByTestId("script-editor");

  it("names and saves a new script from the editor", async () => {
    // The scripts Parley ships are listed already (shipped-scripts.ts).
    await page.getByTestId("scripts-table").waitFor();
    await page.getByTestId("scripts-new").click();
    await editor().getByTestId("script-name").fill("greeter");
    await editor().getByTestId("script-source").fill('log("hello")\nreturn 1\n');
    assert.equal(await editor().getByTestId("script-gutter").locator("span").count(), 3);
    await editor().getByTestId("script-save").click();
    await page.getByTestId("script-row-greeter").waitFor();
    assert.equal(await waitFor(() => source("greeter")), 'log("hello")\nreturn 1\n');
    // The saved script is open under its name now (no name field any more).
    await page.locator('[data-testid="script-editor"][data-script="greeter"]').waitFor();
    await screenshot(page, "scripts-desktop");
  });

  it("refuses a syntax error with its line marked in the gutter, keeping the old text", async () => {
    await editor().getByTestId("script-source").fill("local a = 1\nif a then\n  a = = 2\nend\n");
    await editor().getByTestId("script-save").click();
    const error = editor().getByTestId("script-error");
    await error.waitFor();
    assert.equal(await error.getAttribute("data-line"), "3");
    assert.match((await error.textContent()) ?? "", /^Line 3: /);
    assert.equal(await editor().locator(".script-gutter .error-line").getAttribute("data-line"), "3");
    assert.equal(await source("greeter"), 'log("hello")\nreturn 1\n');
    await screenshot(page, "scripts-syntax-error");
  });

  it("Check compiles without saving", async () => {
    await editor().getByTestId("script-source").fill("return 2\n");
    await editor().getByTestId("script-check").click();
    await editor().locator("text=greeter compiles.").waitFor();
    assert.equal(await editor().getByTestId("script-error").count(), 0);
    assert.equal(await source("greeter"), 'log("hello")\nreturn 1\n');
  });

  it("adds a trigger, refusing a bad prefix beside the field", async () => {
    await page.getByTestId("script-triggers-new").click();
    const form = page.getByTestId("script-triggers-editor");
    await form.locator('[data-field="point"]').selectOption("answered");
    await form.locator('[data-field="script"]').fill("greeter");
    await form.locator('[data-field="prefix"]').fill("12x");
    await form.getByTestId("submit").click();
    await form.getByTestId("field-error").waitFor();
    assert.equal(await form.locator('[data-field="prefix"]').getAttribute("aria-invalid"), "true");
    await form.locator('[data-field="prefix"]').fill("*300*");
    await form.locator('[data-field="order"]').fill("7");
    await form.getByTestId("submit").click();
    const [trigger] = await waitFor(async () => {
      const items = (await parley.api("GET", "/api/v1/script-triggers")).body.items;
      return items.length > 0 ? items : undefined;
    });
    assert.deepEqual(
      [trigger.point, trigger.script, trigger.prefix, trigger.order, trigger.enabled, trigger.dialPlan],
      ["answered", "greeter", "*300*", 7, true, ""],
    );
    await page.getByTestId(`script-triggers-row-${trigger.id}`).waitFor();
    await screenshot(page, "scripts-triggers");
  });

  it("deletes a script after a confirmation", async () => {
    await editor().getByTestId("script-delete").click();
    await page.getByTestId("confirm-ok").click();
    await page.getByTestId("script-row-greeter").waitFor({ state: "detached" });
    assert.equal(await source("greeter"), undefined);
    assert.equal(await editor().count(), 0);
  });

  it('the Dial plan page takes route type "script", naming the field when the script is missing', async () => {
    await page.getByTestId("nav-dialplan").click();
    await page.getByTestId("page-dialplan").waitFor();
    await page.getByTestId("analyze-new").click();
    const form = page.getByTestId("analyze-editor");
    await form.locator('[data-field="prefix"]').fill("*77");
    await form.locator('[data-field="routeType"]').selectOption("script");
    await form.getByTestId("submit").click();
    await form.getByTestId("field-error").waitFor();
    assert.equal(await form.locator('[data-field="script"]').getAttribute("aria-invalid"), "true");
    await form.locator('[data-field="script"]').fill("time-router");
    await form.getByTestId("submit").click();
    const [record] = await waitFor(async () => {
      const items = (await parley.api("GET", "/api/v1/dialplan/analyze")).body.items;
      return items.length > 0 ? items : undefined;
    });
    assert.deepEqual([record.prefix, record.routeType, record.script], ["*77", "script", "time-router"]);
    await page.getByTestId(`analyze-row-${record.id}`).locator("text=time-router").waitFor();
    await page.getByTestId("nav-scripts").click();
    await page.getByTestId("page-scripts").waitFor();
  });

  it("shows the page in Chinese", async () => {
    await page.getByTestId("language").click();
    await page.locator("h1:has-text('业务脚本')").waitFor();
    await page.locator("text=触发器").first().waitFor();
    await screenshot(page, "scripts-zh");
    await page.getByTestId("language").click();
  });
});
