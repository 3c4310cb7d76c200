/**
 * Issue 23, the web UI in headless Chromium against a real `parley start` with sipp phones:
 * - a validation error names its rule ("Digits, *, # and + only, at most 32 characters.", in
 *   Chinese too) instead of a generic "not in the expected format", and after a failed save the
 *   first field in error is scrolled into view and focused;
 * - on a phone-sized screen (390 x 844) the dashboard's calls list shows every column, its hang-up
 *   button inside the screen without scrolling sideways, and it hangs up; the CDR list shows its
 *   main columns; the users list shows each user's devices (a sipp phone that registered with a
 *   User-Agent: its address and user agent).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool, type ToolResult } from "../helpers/run-tool.js";
import { portWasTaken, startSipp } from "../helpers/sipp.js";
import { credentials, passed, sipp, uac } from "../helpers/sipp-phones.js";
import {
  CHROMIUM,
  generatedAdminPassword,
  launchChromium,
  PHONE,
  screenshot,
  waitForFocusedField,
} from "./browser.js";

const REGISTER_WITH_AGENT = "../../web/scenarios/register-with-agent.xml";
const RING_THEN_ANSWER = "../../web/scenarios/uas-ring-then-answer.xml";
const AGENT = "Parley UI Test Phone 1.0";

const skip =
  missingTool("sipp") || (missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)");

/** `user` registers with a User-Agent from a free port, then answers calls there. */
async function phoneWithAgent(
  parley: ParleyProcess,
  user: string,
): Promise<{ done: Promise<ToolResult>; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const reg = await sipp(parley, REGISTER_WITH_AGENT, port, ["-inf", credentials(parley, user)]);
    if (portWasTaken(reg) && attempt < 3) continue;
    passed(reg, `${user} registers`, parley);
    const uas = await startSipp({ scenario: RING_THEN_ANSWER, port, remotePort: parley.sipPort });
    if (!uas.bound && attempt < 3 && portWasTaken(await uas.done)) continue;
    return { done: uas.done, port: uas.port };
  }
}

/** Where an element is on the screen, and how far its table scrolls sideways. */
async function placement(locator: Locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const wrap = el.closest(".table-wrap");
    // The browser's window (the test's tsconfig has no DOM types).
    const screen = globalThis as unknown as { innerWidth: number; innerHeight: number };
    return {
      left: r.left,
      right: r.right,
      top: r.top,
      bottom: r.bottom,
      screenWidth: screen.innerWidth,
      screenHeight: screen.innerHeight,
      sideways: wrap === null ? 0 : wrap.scrollWidth - wrap.clientWidth,
    };
  });
}

describe("web UI polish (issue 23)", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;
  let base: string;
  let password: string;

  before(async () => {
    parley = await startParley(["--rtp-ports", "42700-42749"]);
    password = await generatedAdminPassword(parley);
    base = `http://127.0.0.1:${parley.httpPort}/`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  async function signIn(viewport: { width: number; height: number }, phone = false): Promise<Page> {
    const p = await browser.newPage({ viewport, locale: "en-US", isMobile: phone, hasTouch: phone });
    await p.goto(base);
    await p.locator('[data-field="password"]').fill(password);
    await p.getByTestId("submit").click();
    await p.getByTestId("page-dashboard").waitFor();
    return p;
  }

  describe("a failed save", () => {
    before(async () => {
      page = await signIn({ width: 1280, height: 700 });
    });
    after(async () => page?.close());

    const field = (path: string) => page.locator(`[data-field="${path}"]`);
    const errorOf = (path: string) =>
      page.locator(`.field:has([data-field="${path}"]) [data-testid="field-error"]`);

    it("names the rule beside the field, scrolls to the first field in error and focuses it", async () => {
      await page.goto(`${base}#/users/new`);
      await field("name").fill("300");
      await field("password").fill("a-good-secret-300");
      // Far down the form, out of sight from its top (and above the submit button at its end).
      await field("followMe.destinations[0]").fill("12x");
      await field("ringingGroupId").fill("lots");
      await page.getByTestId("submit").click();
      await errorOf("followMe.destinations[0]").waitFor();
      assert.equal(
        await errorOf("followMe.destinations[0]").textContent(),
        "Digits, *, # and + only, at most 32 characters.",
      );
      await waitForFocusedField(page, "followMe.destinations[0]");
      const where = await placement(field("followMe.destinations[0]"));
      assert.ok(where.top >= 0 && where.bottom <= where.screenHeight, `in view: ${JSON.stringify(where)}`);
      // What was typed stays.
      assert.equal(await field("followMe.destinations[0]").inputValue(), "12x");
      await screenshot(page, "rule-error-desktop");
    });

    it("says the same rule in Chinese, and a rule the store wrote too", async () => {
      await page.getByTestId("language").click();
      await page.getByTestId("submit").click();
      await page
        .locator('.field:has([data-field="followMe.destinations[0]"]) [data-testid="field-error"]', {
          hasText: "只能包含数字、*、# 和 +，最多 32 个字符。",
        })
        .waitFor();
      await waitForFocusedField(page, "followMe.destinations[0]");
      // An external line whose dial plan does not exist: the store's rule, in Chinese.
      await page.goto(`${base}#/lines`);
      await page.getByTestId("lines-new").click();
      await field("account").fill("5550100");
      await field("server").fill("sip.provider.example");
      await field("dialPlan").fill("nowhere");
      await page.getByTestId("submit").click();
      await errorOf("dialPlan").waitFor();
      assert.equal(await errorOf("dialPlan").textContent(), "没有拨号方案 “nowhere”。");
      await waitForFocusedField(page, "dialPlan");
      await screenshot(page, "rule-error-zh-desktop");
      await page.getByTestId("language").click();
    });
  });

  describe("on a phone-sized screen (390 x 844)", () => {
    let callee: { done: Promise<ToolResult>; port: number };

    before(async () => {
      page = await signIn(PHONE, true);
      callee = await phoneWithAgent(parley, "101");
    });
    after(async () => page?.close());

    it("the users list shows the registered device's address and user agent", async () => {
      await page.goto(`${base}#/users`);
      const device = page.getByTestId("devices-101").getByTestId("device");
      await device.waitFor();
      assert.equal(await device.getByTestId("device-address").textContent(), `127.0.0.1:${callee.port}`);
      assert.equal(await device.getByTestId("device-agent").textContent(), AGENT);
      const where = await placement(device);
      assert.ok(where.right <= where.screenWidth && where.left >= 0, JSON.stringify(where));
      assert.match((await page.getByTestId("user-row-100").textContent()) ?? "", /none registered/);
      await screenshot(page, "users-devices-phone");
    });

    it("the dashboard's live call shows its hang-up button on the screen, and it hangs up", async () => {
      await page.goto(`${base}#/dashboard`);
      const caller = uac(parley, "100", "101", "call-uac-wait-bye.xml");
      const row = page.getByTestId("call-row");
      await row.locator('[data-testid="call-state"][data-state="answered"]').waitFor();
      // Stacked as a card: each cell labelled with its column (data-label, drawn by the style sheet).
      for (const column of ["Caller", "Dialed", "Callee", "State", "Started", "Duration"])
        assert.ok(
          await row.locator(`td[data-label="${column}"]`).isVisible(),
          `the call shows its ${column}`,
        );
      const hangup = row.getByRole("button", { name: "Hang up" });
      await hangup.evaluate((el) => el.scrollIntoView({ block: "center", inline: "nearest" }));
      const where = await placement(hangup);
      assert.equal(where.sideways, 0, "the calls list needs no sideways scrolling");
      assert.ok(where.left >= 0 && where.right <= where.screenWidth, `on screen: ${JSON.stringify(where)}`);
      await screenshot(page, "dashboard-call-phone");
      await hangup.click();
      await page.getByTestId("confirm-ok").click();
      passed(await caller, "caller (BYE from the phone-sized dashboard)", parley);
      passed(await callee.done, "callee (BYE from the phone-sized dashboard)", parley);
      await row.waitFor({ state: "detached" });
    });

    it("the CDR list shows its main columns without sideways scrolling", async () => {
      await page.goto(`${base}#/cdrs`);
      const row = page.getByTestId("cdr-row").first();
      await row.waitFor();
      for (const column of ["Started", "Caller", "Dialed", "Callee", "Duration (s)", "Disposition"]) {
        const cell = row.locator(`td[data-label="${column}"]`);
        assert.ok(await cell.isVisible(), `the record shows its ${column}`);
        const where = await placement(cell);
        assert.ok(where.left >= 0 && where.right <= where.screenWidth, `${column}: ${JSON.stringify(where)}`);
      }
      assert.match((await row.locator('td[data-label="Caller"]').textContent()) ?? "", /100/);
      assert.match((await row.locator('td[data-label="Dialed"]').textContent()) ?? "", /101/);
      const where = await placement(row);
      assert.equal(where.sideways, 0);
      assert.ok(where.right <= where.screenWidth, JSON.stringify(where));
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      assert.ok(overflow <= 0, `the page is wider than the phone by ${overflow}px`);
      await screenshot(page, "cdrs-phone");
    });
  });
});
