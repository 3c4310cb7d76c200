/**
 * The dashboard shows presence (issue 19) in headless Chromium against a real `parley start`.
 * Proven, each live (no reload: the page follows /events): do-not-disturb set through the API puts
 * a "Do not disturb" badge on 101's tile and taking it off removes it; a device of 102 PUBLISHing
 * "in a meeting" with its own note shows the activity and the note, and its removal clears them;
 * unconditional forwarding shows "Away" with the forwarding number; a user with nothing beyond its
 * state shows no presence; the badges and Parley's forwarding note in Chinese. Not here: what
 * presence composes (test/presence, test/api/presence-snapshot.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

/** A PIDF document (RFC 3863) with one RPID activity (RFC 4480) and a note. */
function pidf(user: string, activity: string, note: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:${user}@127.0.0.1">` +
    `<tuple id="d1"><status><basic>open</basic></status><note>${note}</note></tuple>` +
    `<dm:person id="p1"><rpid:activities><rpid:${activity}/></rpid:activities></dm:person>` +
    "</presence>"
  );
}

type BrowserGlobals = { getComputedStyle(element: unknown): { backgroundColor: string } };

describe("the dashboard shows presence", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;
  let phone: ScriptedPhone | undefined;

  before(async () => {
    parley = await startParley();
    const adminPassword = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
  });
  after(async () => {
    phone?.close();
    await browser?.close();
    await parley?.stop();
  });

  const presenceOf = (user: string) => page.getByTestId(`user-presence-${user}`);
  const patch = async (user: string, body: unknown) =>
    assert.equal((await parley.api("PATCH", `/api/v1/users/${user}`, body)).status, 200);

  it("shows a user with nothing beyond its state without presence", { timeout: 30000 }, async () => {
    await page.getByTestId("user-state-101").waitFor();
    assert.equal(await presenceOf("101").count(), 0);
  });

  it("puts a do-not-disturb badge on 101 once DND is set through the API", { timeout: 30000 }, async () => {
    await patch("101", { doNotDisturb: true });
    const badge = presenceOf("101").locator('[data-presence="dnd"]');
    await badge.waitFor();
    assert.equal((await badge.textContent())?.trim(), "Do not disturb");
    // Its own colour (#fdecea), not the neutral badge's: presence.css wins over styles.css.
    const background = await badge.evaluate(
      // Runs in the page, where the DOM's getComputedStyle exists (this file's types have no DOM).
      (e) => (globalThis as unknown as BrowserGlobals).getComputedStyle(e).backgroundColor,
    );
    assert.equal(background, "rgb(253, 236, 234)");
    // Parley's own note says no more than the badge: no second line.
    assert.equal(await page.getByTestId("user-presence-101-note").count(), 0);
    // The state badge stays beside it.
    assert.equal(await page.getByTestId("user-state-101").getAttribute("data-state"), "offline");
    await screenshot(page, "dashboard-presence-dnd-desktop");
  });

  it("shows a device's published activity and note, and clears them when it is removed", {
    timeout: 30000,
  }, async () => {
    phone = await ScriptedPhone.open("102", parley.sipPort);
    assert.equal((await phone.register()).status, 200);
    const published = await phone.publish("102", pidf("102", "meeting", "Quarterly review"));
    assert.equal(published.status, 200);
    const badge = presenceOf("102").locator('[data-presence="meeting"]');
    await badge.waitFor();
    assert.equal((await badge.textContent())?.trim(), "In a meeting");
    assert.equal(
      (await page.getByTestId("user-presence-102-note").textContent())?.trim(),
      "Quarterly review",
    );
    assert.equal(await presenceOf("102").getAttribute("title"), "Quarterly review");
    await screenshot(page, "dashboard-presence-meeting-desktop");

    const removed = await phone.publish("102", "", { ifMatch: published.get("sip-etag")!, expires: 0 });
    assert.equal(removed.status, 200);
    await presenceOf("102").waitFor({ state: "detached" });
  });

  it("shows unconditional forwarding as away, with the number", { timeout: 30000 }, async () => {
    await patch("100", { forwarding: { unconditional: { enabled: true, number: "102" } } });
    await presenceOf("100").locator('[data-presence="away"]').getByText("Away").waitFor();
    await page.getByTestId("user-presence-100-note").getByText("Calls forwarded to 102").waitFor();
  });

  it("says it in Chinese", { timeout: 30000 }, async () => {
    await page.getByTestId("language").click();
    await presenceOf("101").getByText("免打扰").waitFor();
    await presenceOf("100").getByText("离开").waitFor();
    await page.getByTestId("user-presence-100-note").getByText("来电已转移到 102").waitFor();
    await screenshot(page, "dashboard-presence-zh-desktop");
    await page.getByTestId("language").click();
  });

  it("takes the badge off when DND is turned off", { timeout: 30000 }, async () => {
    await patch("101", { doNotDisturb: false });
    await presenceOf("101").waitFor({ state: "detached" });
    await patch("100", { forwarding: { unconditional: { enabled: false } } });
    await presenceOf("100").waitFor({ state: "detached" });
  });
});
