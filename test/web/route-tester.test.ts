/**
 * The dial plan page's route tester in headless Chromium against a real `parley start` (issue 23's
 * route explainer): with an external line that is offline (its provider never answers), dry-running
 * 9555 for user 100 shows every candidate in order (no analyze record, the out-group rule tried, the
 * line skipped as "line offline" with the server's reason "offline (not registered)") and the
 * outcome the real call gets: refused, 503 No External Line Available, and why; in Chinese too.
 * Before: the tester showed the steps only, no candidate, no reason and no outcome.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

describe("the route tester explains each candidate and the outcome", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    parley = await startParley();
    const adminPassword = await generatedAdminPassword(parley);
    const created = await parley.api("POST", "/api/v1/external-lines", {
      account: "5550001",
      server: "127.0.0.1",
      serverPort: await freePort(),
      password: "secret",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
    await page.getByTestId("nav-dialplan").click();
    await page.getByTestId("tab-tester").click();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const field = (path: string) => page.locator(`[data-field="${path}"]`);

  it("an offline line: the line skipped with its reason, and the 503 the call gets", {
    timeout: 60000,
  }, async () => {
    await field("caller").fill("100");
    await field("number").fill("9555");
    await page.getByTestId("run-test").click();
    const outcome = page.locator('[data-testid="test-outcome"][data-status="503"]');
    await outcome.waitFor();
    assert.match((await outcome.textContent()) ?? "", /Refused: 503 No External Line Available/);
    assert.equal(
      await page.getByTestId("test-outcome-detail").textContent(),
      "no line available: line 5550001 offline (not registered)",
    );
    const line = page.getByTestId("candidate-line-5550001");
    assert.equal(await line.getAttribute("data-tried"), "false");
    assert.equal(await line.getAttribute("data-skip"), "line-offline");
    assert.match(
      (await line.textContent()) ?? "",
      /External line 5550001.*line offline.*offline \(not registered\)/,
    );
    const rows = page.getByTestId("test-candidates").locator("tbody tr");
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid"))), [
      "candidate-route-analyze",
      "candidate-route-out-group",
      "candidate-line-5550001",
    ]);
    assert.equal(await page.getByTestId("test-not-live").count(), 0, "the server knows the line's state");
    await screenshot(page, "dialplan-tester-explained-desktop");
  });

  it("in Chinese: the reasons and the outcome in words of the language", { timeout: 60000 }, async () => {
    await page.getByTestId("language").click();
    await page.getByTestId("run-test").click();
    const line = page.getByTestId("candidate-line-5550001");
    await page.getByText("线路离线").waitFor();
    assert.match((await line.textContent()) ?? "", /外线 5550001.*线路离线/);
    assert.match((await page.getByTestId("test-outcome").textContent()) ?? "", /拒绝：503/);
    await screenshot(page, "dialplan-tester-explained-zh");
  });
});
