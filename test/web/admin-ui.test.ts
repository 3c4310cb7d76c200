/**
 * The admin web UI in headless Chromium against a real `parley start`, with real sipp phones:
 * sign in with the generated administrator password, create a user (an API error shown beside its
 * field without losing input), watch it register and go online, ringing and talking on the live
 * dashboard without a reload, hang up from the dashboard, edit a dial plan record and dry-run a
 * number, filter call records and export CSV, switch to Chinese, and the phone-sized layout.
 * Screenshots of every page (desktop and phone) go to test-artifacts/web/.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";
import { rememberPassword } from "../helpers/user-passwords.js";
import { CHROMIUM, DESKTOP, generatedAdminPassword, launchChromium, PHONE, screenshot } from "./browser.js";

const RING_THEN_ANSWER = "../../web/scenarios/uas-ring-then-answer.xml";
const PAGES = [
  "dashboard",
  "users",
  "lines",
  "trunks",
  "dialplan",
  "cdrs",
  "registrations",
  "settings",
] as const;

const skip =
  missingTool("sipp") || (missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)");

describe("the admin web UI", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;
  let adminPassword: string;
  let base: string;

  before(async () => {
    parley = await startParley();
    adminPassword = await generatedAdminPassword(parley);
    base = `http://127.0.0.1:${parley.httpPort}/`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: DESKTOP, locale: "en-US", acceptDownloads: true });
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const field = (path: string) => page.locator(`[data-field="${path}"]`);
  const errorOf = (path: string) =>
    page.locator(`.field:has([data-field="${path}"]) [data-testid="field-error"]`);

  it("is served at / with a content security policy, and signs in with the generated password", async () => {
    const res = await fetch(base);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    await page.goto(base);
    await page.getByTestId("sign-in").waitFor();
    await screenshot(page, "sign-in-desktop");
    await field("password").fill("not-the-password");
    await page.getByTestId("submit").click();
    await errorOf("password").waitFor();
    // What the user typed is still there.
    assert.equal(await field("password").inputValue(), "not-the-password");
    await field("password").fill(adminPassword);
    await page.getByTestId("submit").click();
    await page.getByTestId("page-dashboard").waitFor();
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    await page.locator('[data-testid="user-state-100"][data-state="offline"]').waitFor();
  });

  it("creates a user: an API error is shown beside its field and nothing typed is lost", async () => {
    await page.getByTestId("nav-users").click();
    await page.getByTestId("users-table").waitFor();
    await page.getByTestId("new-user").click();
    await page.getByTestId("user-form").waitFor();
    await field("name").fill("200");
    await field("password").fill("200-secret");
    await field("displayName").fill("Web Test");
    await field("forwarding.busy.enabled").check();
    await field("forwarding.busy.number").fill("not a number");
    await field("maxConcurrentCalls").fill("lots");
    await page.getByTestId("submit").click();
    await errorOf("forwarding.busy.number").waitFor();
    await errorOf("maxConcurrentCalls").waitFor();
    assert.equal(await errorOf("maxConcurrentCalls").textContent(), "Enter a whole number.");
    // The rule, not a bare "not in the expected format" (issue 23).
    assert.equal(
      await errorOf("forwarding.busy.number").textContent(),
      "Digits, *, # and + only, at most 32 characters.",
    );
    assert.equal(await errorOf("name").count(), 0);
    assert.equal(await field("name").inputValue(), "200");
    assert.equal(await field("displayName").inputValue(), "Web Test");
    assert.equal(await field("forwarding.busy.number").inputValue(), "not a number");
    await screenshot(page, "user-form-errors-desktop");
    await field("forwarding.busy.number").fill("101");
    await field("maxConcurrentCalls").fill("4");
    await page.getByTestId("submit").click();
    await page.waitForURL(/#\/users\/200$/);
    rememberPassword(parley, "200", "200-secret"); // its phone (sipp) registers with it
    const created = await parley.api("GET", "/api/v1/users/200");
    assert.equal(created.status, 200);
    assert.equal(created.body.displayName, "Web Test");
    assert.deepEqual(created.body.forwarding.busy, { enabled: true, number: "101" });
    await screenshot(page, "user-edit-desktop");
    // Editing sends only what changed.
    assert.equal(await field("doNotDisturb").isChecked(), false);
    await field("displayName").fill("Web Test 2");
    await field("doNotDisturb").check();
    await page.getByTestId("submit").click();
    await page.getByTestId("notice").filter({ hasText: "Saved." }).waitFor();
    const edited = await parley.api("GET", "/api/v1/users/200");
    assert.equal(edited.body.displayName, "Web Test 2");
    assert.equal(edited.body.doNotDisturb, true);
    assert.deepEqual(edited.body.forwarding.busy, { enabled: true, number: "101" });
    // Off again: the next test calls 200.
    await field("doNotDisturb").uncheck();
    await page.getByTestId("submit").click();
    let dnd = true;
    for (let i = 0; i < 50 && dnd; i++) {
      await new Promise((r) => setTimeout(r, 100));
      dnd = (await parley.api("GET", "/api/v1/users/200")).body.doNotDisturb;
    }
    assert.equal(dnd, false, "unchecked and saved");
    await page.getByTestId("nav-users").click();
    await page.getByTestId("user-search").fill("Web Test");
    await page.getByTestId("user-row-200").waitFor();
    await page.getByTestId("user-row-100").waitFor({ state: "detached" });
  });

  it("shows the user online, ringing and talking on the dashboard without a reload; hangs up from it", async () => {
    await page.getByTestId("nav-dashboard").click();
    await page.locator('[data-testid="user-state-200"][data-state="offline"]').waitFor();
    // A marker that a reload would wipe.
    await page.evaluate("window.noReload = true");
    const callee = await registeredUas(parley, "200", RING_THEN_ANSWER);
    await page.locator('[data-testid="user-state-200"][data-state="online"]').waitFor();
    const caller = uac(parley, "100", "200", "call-uac-wait-bye.xml");
    await page.locator('[data-testid="user-state-200"][data-state="ringing"]').waitFor();
    await page.locator('[data-testid="call-row"]').waitFor();
    await screenshot(page, "dashboard-ringing-desktop");
    await page.locator('[data-testid="user-state-200"][data-state="talking"]').waitFor();
    await page.locator('[data-testid="user-state-100"][data-state="talking"]').waitFor();
    await page.locator('[data-testid="call-state"][data-state="answered"]').waitFor();
    await screenshot(page, "dashboard-talking-desktop");
    await page.locator('[data-testid="call-row"] button.danger').click();
    await page.getByTestId("confirm-ok").click();
    passed(await caller, "caller (BYE from the dashboard's hang-up)", parley);
    passed(await callee.done, "callee (BYE from the dashboard's hang-up)", parley);
    await page.locator('[data-testid="user-state-200"][data-state="online"]').waitFor();
    await page.locator('[data-testid="call-row"]').waitFor({ state: "detached" });
    assert.equal(await page.evaluate("window.noReload"), true);
    await screenshot(page, "dashboard-desktop");
  });

  it("filters call records and exports the same selection as CSV", async () => {
    // A second record, not answered: 100 calls an unknown number.
    passed(await uac(parley, "100", "555", "call-uac-404.xml"), "caller (404)", parley);
    await page.getByTestId("nav-cdrs").click();
    await page.locator('[data-testid="cdr-row"]').first().waitFor();
    await field("number").fill("200");
    await field("disposition").selectOption("answered");
    await page.getByTestId("apply-filters").click();
    await page.locator('[data-testid="cdr-row"][data-disposition="answered"]').first().waitFor();
    await page
      .locator('[data-testid="cdr-row"]:not([data-disposition="answered"])')
      .waitFor({ state: "detached" });
    const rows = page.locator('[data-testid="cdr-row"]');
    assert.equal(await rows.count(), 1);
    assert.match((await rows.first().textContent()) ?? "", /200/);
    await screenshot(page, "cdrs-desktop");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("export-csv").click(),
    ]);
    const csv = readFileSync(await download.path(), "utf8");
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines.length, 2, csv);
    assert.match(lines[1]!, /answered/);
    // The filtered-out call to 555 is not exported (its number as a field, not inside a random id).
    assert.doesNotMatch(csv, /,555,/);
  });

  it("creates an external line and a SIP trunk (errors beside their fields); the dashboard lists them", async () => {
    await page.getByTestId("nav-lines").click();
    await page.getByTestId("lines-new").click();
    await field("account").fill("line1");
    await field("server").fill("127.0.0.1");
    await field("serverPort").fill("port five");
    // A line Parley need not register (no traffic leaves the test).
    await field("doNotRegister").check();
    await page.getByTestId("submit").click();
    await errorOf("serverPort").waitFor();
    assert.equal(await field("account").inputValue(), "line1");
    await field("serverPort").fill("5099");
    await page.getByTestId("submit").click();
    await page.getByTestId("lines-row-line1").waitFor();
    await screenshot(page, "lines-desktop");
    await page.getByTestId("nav-trunks").click();
    await page.getByTestId("trunks-new").click();
    await field("trunkId").fill("office2");
    await page.getByTestId("submit").click();
    await errorOf("address").waitFor();
    assert.equal(await field("trunkId").inputValue(), "office2");
    await field("address").fill("127.0.0.1");
    await field("description").fill("Office 2");
    await page.getByTestId("submit").click();
    await page.getByTestId("trunks-row-office2").waitFor();
    await screenshot(page, "trunks-desktop");
    await page.getByTestId("nav-dashboard").click();
    // The dashboard shows the state the API reports (a line Parley need not register is online).
    const line = await parley.api("GET", "/api/v1/external-lines/line1");
    assert.equal(line.status, 200);
    await page.locator(`[data-testid="line-state-line1"][data-state="${line.body.state}"]`).waitFor();
    // A trunk's state comes from OPTIONS to its peer: the dashboard shows what the API reports.
    let shown = "";
    let reported = "";
    for (let i = 0; i < 50 && (shown === "" || shown !== reported); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      reported = (await parley.api("GET", "/api/v1/sip-trunks/office2")).body.state;
      shown = (await page.getByTestId("line-state-office2").getAttribute("data-state")) ?? "";
    }
    assert.equal(shown, reported);
    assert.match(shown, /^(online|offline|unknown)$/);
  });

  it("edits a dial plan record and dry-runs a number, step by step", async () => {
    // The dial plan API is part of Parley (issue 5): a 404 is a failure, never a skip.
    const available = await parley.api("GET", "/api/v1/dialplan/analyze");
    assert.equal(available.status, 200, "GET /api/v1/dialplan/analyze");
    await page.getByTestId("nav-dialplan").click();
    await page.getByTestId("analyze-new").click();
    await field("prefix").fill("8");
    await field("routeType").selectOption("local-user");
    await page.getByTestId("submit").click();
    const row = page.locator('[data-testid^="analyze-row-"]').first();
    await row.waitFor();
    await row.getByTestId("edit-row").click();
    await field("prefix").fill("7");
    await page.getByTestId("submit").click();
    await page.locator('[data-testid^="analyze-row-"]', { hasText: "7" }).first().waitFor();
    await screenshot(page, "dialplan-desktop");
    await page.getByTestId("tab-tester").click();
    await field("caller").fill("100");
    await field("number").fill("7200");
    await page.getByTestId("run-test").click();
    await page.getByTestId("test-steps").locator('li[data-step="analyze"]').first().waitFor();
    assert.match((await page.getByTestId("test-steps").textContent()) ?? "", /7200/);
    await screenshot(page, "dialplan-tester-desktop");
  });

  it("has a screenshot of every page, desktop and phone-sized (menu instead of the sidebar)", async () => {
    for (const name of PAGES) {
      await page.goto(`${base}#/${name}`);
      await page.getByTestId(`page-${name}`).waitFor();
      await screenshot(page, `${name}-desktop`);
    }
    const phone = await browser.newPage({ viewport: PHONE, locale: "en-US", isMobile: true, hasTouch: true });
    try {
      // The session lives in sessionStorage, per tab: sign in on the phone too.
      await phone.goto(base);
      await phone.getByTestId("sign-in").waitFor();
      await screenshot(phone, "sign-in-phone");
      await phone.locator('[data-field="password"]').fill(adminPassword);
      await phone.getByTestId("submit").click();
      await phone.getByTestId("page-dashboard").waitFor();
      assert.equal(await phone.getByTestId("nav-users").isVisible(), false);
      await phone.getByTestId("menu-button").click();
      await phone.getByTestId("nav-users").click();
      await phone.getByTestId("page-users").waitFor();
      for (const name of PAGES) {
        await phone.goto(`${base}#/${name}`);
        await phone.getByTestId(`page-${name}`).waitFor();
        const overflow = await phone.evaluate<number>(
          "document.documentElement.scrollWidth - window.innerWidth",
        );
        assert.ok(overflow <= 0, `${name} is wider than the phone by ${overflow}px`);
        await screenshot(phone, `${name}-phone`);
      }
      await phone.goto(`${base}#/users/200`);
      await phone.locator('[data-field="displayName"]').waitFor();
      await screenshot(phone, "user-edit-phone");
    } finally {
      await phone.close();
    }
  });

  it("switches to Simplified Chinese and back", async () => {
    await page.goto(`${base}#/dashboard`);
    await page.getByTestId("language").click();
    await page.getByTestId("nav-users").getByText("本地用户").waitFor();
    assert.equal(await page.evaluate("document.documentElement.lang"), "zh-CN");
    assert.equal(await page.title(), "总览 · Parley");
    assert.equal(await page.getByTestId("sign-out").textContent(), "退出登录");
    await page.locator('[data-testid="user-state-200"]', { hasText: "在线" }).waitFor();
    await screenshot(page, "dashboard-zh-desktop");
    await page.getByTestId("nav-users").click();
    await page.getByTestId("new-user").click();
    await page.locator("legend", { hasText: "呼叫前转" }).waitFor();
    await screenshot(page, "user-form-zh-desktop");
    await page.getByTestId("language").click();
    await page.getByTestId("nav-users").getByText("Local users").waitFor();
  });

  it("changes the administrator password on the settings page (wrong current password named)", async () => {
    await page.getByTestId("nav-settings").click();
    await page.getByTestId("version").waitFor();
    await field("currentPassword").fill("wrong-password");
    await field("newPassword").fill("a much better passphrase");
    // The page has two forms (the password, the system settings): this one's submit.
    const submit = page.getByTestId("password-form").getByTestId("submit");
    await submit.click();
    await errorOf("currentPassword").waitFor();
    assert.equal(await errorOf("newPassword").count(), 0);
    assert.equal(await field("newPassword").inputValue(), "a much better passphrase");
    await field("currentPassword").fill(adminPassword);
    await submit.click();
    await page.getByTestId("notice").filter({ hasText: "Password changed" }).waitFor();
    assert.equal(await field("newPassword").inputValue(), "");
    const old = await fetch(`${base}api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ password: adminPassword }),
    });
    assert.equal(old.status, 401);
    adminPassword = "a much better passphrase";
  });

  it("deletes a user after confirmation", async () => {
    await page.getByTestId("nav-users").click();
    await page.getByTestId("user-row-200").waitFor();
    // The list shows the live state too (200 is still registered).
    await page.locator('[data-testid="user-list-state-200"][data-state="online"]').waitFor();
    await page.getByTestId("delete-user-200").click();
    await page.getByTestId("confirm-cancel").click();
    assert.equal((await parley.api("GET", "/api/v1/users/200")).status, 200);
    await page.getByTestId("delete-user-200").click();
    await page.getByTestId("confirm-ok").click();
    await page.getByTestId("user-row-200").waitFor({ state: "detached" });
    assert.equal((await parley.api("GET", "/api/v1/users/200")).status, 404);
  });

  it("an expired session brings back the sign-in page, saying why", async () => {
    const token = await page.evaluate<string | null>('sessionStorage.getItem("parley.session")');
    // The server forgets the session (as after its idle time): the UI's next request is refused.
    const revoked = await fetch(`${base}api/v1/session`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(revoked.status, 204);
    // The next request is refused: going to another page, or a live update of the page shown
    // (which may already have brought the sign-in page back, so no click on the menu).
    await page.goto(`${base}#/registrations`);
    await page.getByTestId("sign-in-reason").waitFor();
    await page.locator('[data-field="password"]').fill(adminPassword);
    await page.getByTestId("submit").click();
    await page.getByTestId("page-registrations").waitFor();
  });

  it("signs out (the session token no longer works) and signs in with the API token", async () => {
    const token = await page.evaluate<string | null>('sessionStorage.getItem("parley.session")');
    assert.ok(token);
    await page.getByTestId("sign-out").click();
    await page.getByTestId("sign-in-reason").waitFor();
    const res = await fetch(`${base}api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401);
    // The API token signs in too.
    await page.getByRole("button", { name: "Sign in with the API token instead" }).click();
    await page.locator('[data-field="token"]').fill(parley.apiToken);
    await page.getByTestId("submit").click();
    // Back on the page it was showing (the address keeps it).
    await page.getByTestId("page-registrations").waitFor();
  });
});
