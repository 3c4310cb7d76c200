/**
 * The dashboard's parked calls panel (issue 16, call park in the web UI) in headless Chromium
 * against a real `parley start`. Proven: with nothing parked, the panel says so; from a live
 * snapshot carrying a parked call (the browser's /api/v1/events answered by the test), a row with
 * its slot, parked party, parker, a ticking time parked and the "ringing back" badge; the panel
 * in Chinese. Not here: a call really parked by phones (test/e2e/park.test.ts parks one and reads
 * GET /parked; test/api/parked.test.ts proves the snapshot's `parked` is the same list).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { ParkedCallItemType } from "../../src/api/routes/parked.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

/** 100 (Alice) parked in slot 5 by 101 (Bob) 75 s ago; Parley rings Bob back for the second time. */
const PARKED: ParkedCallItemType = {
  slot: 5,
  callId: "call-1",
  parked: { user: "100", displayName: "Alice" },
  parker: { user: "101", displayName: "Bob" },
  parkedAt: new Date(Date.now() - 75_000).toISOString(),
  parkedSeconds: 75,
  ringingBack: true,
  ringBacks: 2,
};
/** A whole snapshot as GET /events sends it (web/src/lib/api-types.ts's LiveSnapshot). */
const SNAPSHOT = {
  at: new Date().toISOString(),
  users: [],
  calls: [],
  registrations: 0,
  lines: [],
  parked: [PARKED],
};

describe("the dashboard's parked calls", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    parley = await startParley();
    const adminPassword = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const panel = () => page.getByTestId("parked-panel");

  it("says there are no parked calls when the lot is empty", { timeout: 30000 }, async () => {
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    await panel().getByText("No parked calls.").waitFor();
    assert.equal(await page.getByTestId("parked-table").count(), 0);
  });

  it("lists a parked call from the live snapshot: slot, parties, time parked, ringing back", {
    timeout: 30000,
  }, async () => {
    // The stream answers one snapshot and ends; the reconnections fail, so the UI keeps that one
    // snapshot: whatever changes on the page from then on is the page's own doing.
    let served = false;
    await page.route("**/api/v1/events", (route) => {
      if (served) return route.abort();
      served = true;
      return route.fulfill({
        status: 200,
        contentType: "text/event-stream",
        body: `event: snapshot\ndata: ${JSON.stringify(SNAPSHOT)}\n\n`,
      });
    });
    await page.reload();
    const row = page.getByTestId("parked-row-5");
    await row.waitFor();
    const cells = (await row.locator("th, td").allTextContents()).map((c) => c.trim());
    assert.equal(cells[0], "5");
    assert.equal(cells[1], "100 Alice");
    assert.equal(cells[2], "101 Bob");
    assert.match(cells[3]!, /^1:(1[5-9]|[2-5]\d)$/, "75 s and counting");
    assert.equal(cells[4], "Ringing back ring-backs: 2");
    assert.equal(await row.getByTestId("parked-status").getAttribute("data-state"), "ringing-back");
    // Between snapshots the time parked still runs.
    const time = row.locator("td").nth(2);
    for (const deadline = Date.now() + 5000; (await time.textContent())?.trim() === cells[3]; ) {
      assert.ok(Date.now() < deadline, "the time parked ticks");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await screenshot(page, "dashboard-parked-desktop");
  });

  it("shows the panel in Chinese", { timeout: 30000 }, async () => {
    await page.getByTestId("language").click();
    await panel().getByRole("heading", { name: "驻留的呼叫" }).waitFor();
    await page.getByTestId("parked-row-5").getByText("正在回呼").waitFor();
    await screenshot(page, "dashboard-parked-zh-desktop");
    await page.getByTestId("language").click();
    await page.unroute("**/api/v1/events");
  });
});
