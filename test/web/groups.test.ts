/**
 * The Groups page in headless Chromium against a real `parley start` (issue 16: "web UI page, nav
 * entry, en/zh i18n; live state (which members are ringing)"): the ringing groups the users'
 * ringing group IDs make, each member with its live state, a member ringing while a call to its
 * group rings; the dial plan page offers the ringing-group route type with its group ID; the page
 * in Chinese. Not here: the hunt group editors, served only once the composition root hands the
 * API the hunt group service (test/api/hunt-groups.test.ts covers those routes).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip =
  (missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)") || missingTool("sipp");

describe("the Groups page", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    parley = await startParley();
    const adminPassword = await generatedAdminPassword(parley);
    for (const name of ["101", "102"]) {
      const r = await parley.api("PATCH", `/api/v1/users/${name}`, { ringingGroupId: 7 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    await parley.api("PATCH", "/api/v1/users/102", { suppressRingGroupOnDirectCall: true });
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
    await page.getByTestId("nav-groups").click();
    await page.getByTestId("page-groups").waitFor();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const stateOf = (user: string) =>
    page.getByTestId(`ringing-member-${user}`).locator("[data-state]").getAttribute("data-state");

  it("lists ringing group 7 with its members, their live state and who suppresses on a direct call", {
    timeout: 30000,
  }, async () => {
    await page.getByTestId("ringing-group-7").waitFor();
    assert.equal(await stateOf("101"), "offline");
    assert.match((await page.getByTestId("ringing-member-102").textContent()) ?? "", /rings alone/);
    assert.equal(await page.getByTestId("ringing-member-100").count(), 0, "100 is in no group");
    await screenshot(page, "groups-desktop");
  });

  it("shows members ringing while a call to the group rings", { timeout: 60000 }, async () => {
    const b = await registeredUas(parley, "101", "call-uas-slow-answer.xml");
    const c = await registeredUas(parley, "102", "call-uas-cancelled-elsewhere.xml");
    const caller = uac(parley, "100", "101", "call-uac-bye.xml");
    await page.locator('[data-testid="ringing-member-102"] [data-state="ringing"]').waitFor();
    await screenshot(page, "groups-ringing");
    passed(await caller, "caller", parley);
    passed(await b.done, "101 answered", parley);
    passed(await c.done, "102 was cancelled", parley);
  });

  it("offers the ringing-group route type, with its group ID, on the dial plan page", async () => {
    await page.getByTestId("nav-dialplan").click();
    await page.getByTestId("analyze-new").click();
    const form = page.getByTestId("analyze-editor");
    await form.locator('[data-field="prefix"]').fill("700");
    await form.locator('[data-field="routeType"]').selectOption("ringing-group");
    await form.locator('[data-field="ringingGroupId"]').fill("7");
    await form.getByTestId("submit").click();
    let records: Array<{ prefix: string; routeType: string; ringingGroupId?: number }> = [];
    for (let i = 0; i < 50 && records.length === 0; i++) {
      records = (await parley.api("GET", "/api/v1/dialplan/analyze")).body.items;
      if (records.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(
      records.map((r) => [r.prefix, r.routeType, r.ringingGroupId]),
      [["700", "ringing-group", 7]],
    );
    await page.getByTestId("nav-groups").click();
  });

  it("shows the page in Chinese", async () => {
    await page.getByTestId("language").click();
    await page.locator("h1:has-text('振铃组与寻线组')").waitFor();
    await page.locator("text=直接呼叫时单独振铃").first().waitFor();
    await screenshot(page, "groups-zh");
    await page.getByTestId("language").click();
  });
});
