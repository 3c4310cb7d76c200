/**
 * Issue 23, the settings page in headless Chromium against a real `parley start`: every setting is
 * named in words (English and Chinese), never by its camelCase key; the run-time ones are a form
 * whose Save changes the running server (the API then reports the value with source "runtime"),
 * a bad value is refused beside its field, and the start-up ones are read-only with their source
 * (the test's --sip-port flag).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

describe("the settings page (issue 23)", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    parley = await startParley(["--rtp-ports", "37400-37449", "--no-answer-time", "40"]);
    const password = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await signedInPage(browser, parley, password);
    await page.goto(`http://127.0.0.1:${parley.httpPort}/#/settings`);
    await page.getByTestId("system-settings-form").waitFor();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  const form = () => page.getByTestId("system-settings-form");
  const field = (key: string) => form().locator(`[data-field="${key}"]`);
  const startupRow = (key: string) =>
    page.locator(`[data-testid="startup-settings-table"] [data-setting="${key}"]`);

  /** Every setting name on the page: the form's labels and the start-up table's row headers. */
  async function names(): Promise<string[]> {
    const labels = await form().locator(".field label").allTextContents();
    const rows = await page
      .locator('[data-testid="startup-settings-table"] th[scope="row"]')
      .allTextContents();
    return [...labels, ...rows].map((s) => s.trim());
  }

  it("names every setting in words in English, with its source", async () => {
    const shown = await names();
    for (const label of [
      "Out-group prefix",
      "Default no-answer time (seconds)",
      "Media relay",
      "Prompt language",
    ])
      assert.ok(shown.includes(label), `${label} in ${JSON.stringify(shown)}`);
    assert.ok(shown.includes("SMTP server") && shown.includes("CSV folder for call records"));
    // The server card's counters too.
    const counters = await page.locator("dl.facts li").allTextContents();
    assert.ok(
      counters.some((c) => c.startsWith("Calls in progress")),
      JSON.stringify(counters),
    );
    shown.push(...counters.map((c) => c.split(":")[0]!.trim()));
    const camel = shown.filter((s) => /[a-z][A-Z]/.test(s));
    assert.deepEqual(camel, [], "no camelCase key shown as a name");
    assert.ok(shown.length > 50, `every setting is shown (${shown.length})`);
    assert.match(
      (await startupRow("sipPort").textContent()) ?? "",
      /SIP port \(UDP\).*command-line flag --sip-port/,
    );
    assert.match((await startupRow("apiToken").textContent()) ?? "", /set \(hidden\)/);
    assert.ok(!(await page.content()).includes("e2e-test-token"), "the API token is not on the page");
    const hint = form().locator('.field:has([data-field="noAnswerTime"]) .hint');
    assert.equal((await hint.textContent())?.trim(), "In use: command-line flag --no-answer-time");
    assert.equal(await field("noAnswerTime").inputValue(), "40");
    await screenshot(page, "system-settings-en");
  });

  it("refuses a bad value beside its field", async () => {
    await field("noAnswerTime").fill("0");
    await form().getByTestId("submit").click();
    const error = form().locator('.field:has([data-field="noAnswerTime"]) [data-testid="field-error"]');
    await error.waitFor();
    const stored = await parley.api("GET", "/api/v1/system-settings");
    const item = stored.body.items.find((i: { key: string }) => i.key === "noAnswerTime");
    assert.deepEqual([item.value, item.source], [40, "flag"], "nothing saved");
  });

  it("saves run-time settings: the running server uses them, source 'set at run time'", async () => {
    await field("outGroupPrefix").fill("0");
    await field("noAnswerTime").fill("25");
    await field("mediaRelay").selectOption("always");
    await form().getByTestId("submit").click();
    const hint = form().locator('.field:has([data-field="outGroupPrefix"]) .hint');
    await page.waitForFunction(
      (el) => el?.textContent?.trim() === "In use: set at run time",
      await hint.elementHandle(),
    );
    const res = await parley.api("GET", "/api/v1/system-settings");
    const of = (key: string) => res.body.items.find((i: { key: string }) => i.key === key);
    assert.deepEqual([of("outGroupPrefix").value, of("outGroupPrefix").source], ["0", "runtime"]);
    assert.deepEqual([of("noAnswerTime").value, of("mediaRelay").value], [25, "always"]);
    // The language was not touched: not sent, still the start-up value.
    assert.equal(of("language").source, "default");
  });

  it("names every setting in words in Chinese", async () => {
    await page.getByTestId("language").click();
    await form().locator(".field label", { hasText: "出局字冠" }).waitFor();
    const shown = await names();
    for (const label of ["出局字冠", "默认无应答时间（秒）", "媒体中继", "语音提示语言", "SMTP 服务器"])
      assert.ok(shown.includes(label), `${label} in ${JSON.stringify(shown)}`);
    assert.deepEqual(
      shown.filter((s) => /[a-z][A-Z]/.test(s)),
      [],
    );
    assert.match((await startupRow("sipPort").textContent()) ?? "", /SIP 端口（UDP）.*命令行参数 --sip-port/);
    await screenshot(page, "system-settings-zh");
    await page.getByTestId("language").click();
  });
});
