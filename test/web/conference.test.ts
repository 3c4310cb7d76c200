/**
 * The Conference page in headless Chromium against a real `parley start` (issue 17: "the live
 * view shows rooms, members and talkers, and lets the administrator mute or remove a member";
 * a page with its nav entry, in English and Chinese): a room added through the page's editor;
 * two sipp callers in it listed live; Mute reaches the server (the member is muted) and Remove
 * hangs the member up (after a confirmation); the page in Chinese.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { uac } from "../helpers/sipp-phones.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip =
  (missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)") || missingTool("sipp");

interface Member {
  user: string;
  muted: boolean;
}

describe("the Conference page", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    parley = await startParley(["--rtp-ports", "36700-36799"]);
    const adminPassword = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
    await page.getByTestId("nav-conference").click();
    await page.getByTestId("page-conference").waitFor();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const members = async (): Promise<Member[]> =>
    (await parley.api("GET", "/api/v1/conference-rooms/7001/members")).body.items ?? [];

  it("adds a room through the editor", { timeout: 30000 }, async () => {
    await page.getByTestId("conference-none").waitFor();
    await page.getByTestId("conference-rooms-new").click();
    const form = page.getByTestId("conference-rooms-editor");
    await form.locator('[data-field="number"]').fill("7001");
    await form.locator('[data-field="name"]').fill("Board");
    await form.locator('[data-field="maxMembers"]').fill("8");
    await form.getByTestId("submit").click();
    await page.getByTestId("conference-rooms-row-7001").waitFor();
    const room = (await parley.api("GET", "/api/v1/conference-rooms/7001")).body;
    assert.equal(room.name, "Board");
    assert.equal(room.maxMembers, 8);
  });

  it("lists the members live; Mute mutes one, Remove hangs one up", { timeout: 60000 }, async () => {
    const callers = ["101", "102"].map((user) =>
      uac(parley, user, "*6*7001", "conference-uac-stay.xml", ["-d", "15000"]),
    );
    const card = page.getByTestId("conference-room-7001");
    await card.getByTestId("member-101").waitFor();
    await card.getByTestId("member-102").waitFor();
    assert.match((await card.locator("h3").textContent()) ?? "", /7001 Board \(2 of 8\)/);
    await screenshot(page, "conference-live");
    await card.getByTestId("member-101").getByTestId("member-mute").click();
    await card.locator('[data-testid="member-101"] [data-state="muted"]').waitFor();
    assert.equal((await members()).find((m) => m.user === "101")?.muted, true);
    await card.getByTestId("member-102").getByTestId("member-remove").click();
    await page.getByTestId("confirm-ok").click();
    await card.getByTestId("member-102").waitFor({ state: "detached" });
    assert.deepEqual(
      (await members()).map((m) => m.user),
      ["101"],
    );
    const [, removed] = await Promise.all(callers);
    // The removed caller got Parley's BYE in its pause: its own BYE then fails, as it should.
    assert.notEqual(removed.code, 0, "102 was hung up by Parley");
  });

  it("shows the page in Chinese", async () => {
    await page.getByTestId("language").click();
    await page.locator("h1:has-text('会议室')").waitFor();
    await page.locator("text=已配置的会议室").first().waitFor();
    await screenshot(page, "conference-zh");
    await page.getByTestId("language").click();
  });
});
