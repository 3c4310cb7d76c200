/**
 * The Call records page in headless Chromium against a real `parley start` (issue 23: "the web
 * CDR page shows talk time and hang-up cause"). Three records are put in the store before Parley
 * starts: an answered call the callee hung up (66 s in all, 62 s of talk), a busy one and one
 * refused with 404. Proven: each row shows the duration, the talk time and the cause in words
 * (`rejected 404` as "Rejected (404)"), the cause's token in its title; the same in Chinese.
 * Screenshots go to test-artifacts/web/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { storeFromUrl } from "../../src/store/index.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { MIN, sampleCdr, T0, unanswered } from "../store/cdr-fixtures.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

async function seed(dataDir: string): Promise<void> {
  const store = await storeFromUrl(undefined, dataDir);
  await store.migrate();
  const domainId = (await store.domains.getDefault()).id;
  await store.cdrs.insert(sampleCdr({ domainId, hangupCause: "callee-bye" }));
  await store.cdrs.insert(unanswered("busy", { domainId, startedAt: T0 + MIN }));
  await store.cdrs.insert(unanswered("failed", { domainId, startedAt: T0 + 2 * MIN, dialed: "999" }));
  await store.close();
}

describe("the Call records page: talk time and hang-up cause", { skip }, () => {
  let dataDir: string;
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-web-cdrs-"));
    await seed(dataDir);
    parley = await startParley([], {}, { dataDir });
    const password = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, password);
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Each row's [disposition, talk time, cause in words, cause token], newest first. */
  async function rows(): Promise<string[][]> {
    await page.getByTestId("cdr-row").first().waitFor();
    return page.getByTestId("cdr-row").evaluateAll((trs) =>
      trs.map((tr) => {
        const cause = tr.querySelector('[data-testid="cdr-hangup-cause"]');
        return [
          tr.getAttribute("data-disposition") ?? "",
          tr.querySelector('[data-testid="cdr-talk-time"]')?.textContent ?? "",
          cause?.textContent ?? "",
          cause?.getAttribute("title") ?? "",
        ];
      }),
    );
  }

  it("shows each record's talk time and its hang-up cause in words", { timeout: 30000 }, async () => {
    await page.getByTestId("nav-cdrs").click();
    assert.deepEqual(await rows(), [
      ["failed", "0", "Rejected (404)", "rejected 404"],
      ["busy", "0", "Busy", "busy"],
      ["answered", "62", "Callee hung up", "callee-bye"],
    ]);
    const headers = await page.getByTestId("cdrs-table").locator("th").allTextContents();
    for (const label of ["Duration (s)", "Talk time (s)", "Hang-up cause"])
      assert.ok(headers.includes(label), label);
    await screenshot(page, "cdrs-talk-time-desktop");
  });

  it("says the causes in Chinese", { timeout: 30000 }, async () => {
    await page.getByTestId("language").click();
    await page.getByText("被叫挂断").first().waitFor();
    assert.deepEqual(
      (await rows()).map((r) => r[2]),
      ["被拒绝（404）", "忙", "被叫挂断"],
    );
    await screenshot(page, "cdrs-talk-time-zh-desktop");
    await page.getByTestId("language").click();
  });
});
