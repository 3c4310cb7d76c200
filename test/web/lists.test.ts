/**
 * The Black and white lists page in headless Chromium against a real `parley start` (issue 16:
 * "web UI page, nav entry, en/zh i18n, errors naming the field"): a call list record created, its
 * bad caller prefix refused beside the field, changed and deleted; the answer of a blocked call
 * set; an IP list entry created; each change served by the API at once; the page in Chinese.
 * Screenshots go to test-artifacts/web/. Not here: calls and packets the lists act on
 * (test/e2e/call-lists.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

interface CallListRecord {
  id: number;
  callerPrefix: string;
  calledPrefix: string;
  kind: string;
  rate: number;
}

describe("the Black and white lists page", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    parley = await startParley();
    const adminPassword = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
    await page.getByTestId("nav-lists").click();
    await page.getByTestId("page-lists").waitFor();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const records = async () => (await parley.api("GET", "/api/v1/call-lists")).body.items as CallListRecord[];
  const editor = () => page.getByTestId("call-lists-editor");

  it("creates a call list record, served by the API at once", async () => {
    await page.getByTestId("call-lists-new").click();
    await editor().locator('[data-field="callerPrefix"]').fill("0086");
    await editor().locator('[data-field="kind"]').selectOption("black");
    await editor().locator('[data-field="rate"]').fill("50");
    await editor().getByTestId("submit").click();
    const [record] = await waitFor(async () => {
      const items = await records();
      return items.length > 0 ? items : undefined;
    });
    assert.deepEqual(record && [record.callerPrefix, record.calledPrefix, record.kind, record.rate], [
      "0086",
      "*",
      "black",
      50,
    ]);
    await page.getByTestId(`call-lists-row-${record!.id}`).waitFor();
    await screenshot(page, "lists-desktop");
  });

  it("refuses a bad caller prefix beside the field, keeping what was typed", async () => {
    await page.getByTestId("call-lists-new").click();
    await editor().locator('[data-field="callerPrefix"]').fill("12x");
    await editor().getByTestId("submit").click();
    const error = editor().getByTestId("field-error");
    await error.waitFor();
    assert.equal(await editor().locator('[data-field="callerPrefix"]').getAttribute("aria-invalid"), "true");
    assert.equal(await editor().locator('[data-field="callerPrefix"]').inputValue(), "12x");
    assert.equal((await records()).length, 1);
    await screenshot(page, "lists-error");
    await editor().locator('[data-field="callerPrefix"]').fill("anonymous");
    await editor().getByTestId("submit").click();
    await waitFor(async () => ((await records()).length === 2 ? true : undefined));
  });

  it("changes a record to white and deletes it", async () => {
    const anonymous = (await records()).find((r) => r.callerPrefix === "anonymous")!;
    const row = page.getByTestId(`call-lists-row-${anonymous.id}`);
    await row.getByTestId("edit-row").click();
    await editor().locator('[data-field="kind"]').selectOption("white");
    await editor().getByTestId("submit").click();
    await row.locator("text=White").waitFor();
    assert.equal((await records()).find((r) => r.id === anonymous.id)?.kind, "white");
    await row.locator("button.danger").click();
    await page.getByTestId("confirm-ok").click();
    await row.waitFor({ state: "detached" });
    assert.equal((await records()).length, 1);
  });

  it("sets the answer of a blocked call", async () => {
    await page.getByTestId("call-list-response-select").selectOption("486");
    await page.getByTestId("call-list-response-save").click();
    await waitFor(async () =>
      (await parley.api("GET", "/api/v1/call-list-settings")).body.response === 486 ? true : undefined,
    );
  });

  it("creates an IP list entry", async () => {
    await page.getByTestId("ip-lists-new").click();
    const form = page.getByTestId("ip-lists-editor");
    await form.locator('[data-field="address"]').fill("192.0.2.0/24");
    await form.locator('[data-field="kind"]').selectOption("reject");
    await form.getByTestId("submit").click();
    const entries = await waitFor(async () => {
      const items = (await parley.api("GET", "/api/v1/ip-lists")).body.items as Array<{ id: number }>;
      return items.length > 0 ? items : undefined;
    });
    await page.getByTestId(`ip-lists-row-${entries[0]!.id}`).waitFor();
  });

  it("shows the page in Chinese", async () => {
    await page.getByTestId("language").click();
    await page.locator("h1:has-text('黑白名单')").waitFor();
    await page.locator("text=拒绝（丢弃）").first().waitFor();
    await screenshot(page, "lists-zh");
    await page.getByTestId("language").click();
  });
});

/** Polls `probe` until it gives a value (5 s at most). */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out");
}
