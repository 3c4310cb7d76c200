/**
 * The Recordings page and the Call records page's recording link in headless Chromium against a
 * real `parley start` (issue 17: "recordings are linked from the CDR, listed, played and
 * downloaded in the web UI"). Two recordings (WAVs of 2 s and 3 s) and the CDR of the first are
 * put in the data dir before Parley starts, as a recorded call leaves them (test/e2e/recording
 * records real calls). Proven: the list newest first with caller, callee, length and size; a
 * recording plays in the page (decoded from a blob: URL) and downloads as a WAV; deleting one
 * (confirmed) removes it; the call record plays and downloads its recording; the user form's
 * recording field; the page in Chinese. Screenshots go to test-artifacts/web/.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { writeParleyWav } from "../../src/media/audio/wav.js";
import { storeFromUrl } from "../../src/store/index.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { CHROMIUM, generatedAdminPassword, launchChromium, screenshot, signedInPage } from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";
const T0 = Date.UTC(2027, 2, 1, 9, 30);

function tone(seconds: number): Uint8Array {
  const pcm = new Int16Array(seconds * 8000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return writeParleyWav(pcm);
}

async function seed(dataDir: string): Promise<void> {
  const store = await storeFromUrl(undefined, dataDir);
  await store.migrate();
  const domainId = (await store.domains.getDefault()).id;
  await store.users.create(domainId, { name: "100", password: "pw-100" });
  for (const [id, caller, callee, seconds, at] of [
    ["call-a", "100", "101", 2, T0],
    ["call-b", "102", "100", 3, T0 + 60_000],
  ] as const) {
    const file = `calls/2027/03/01/${id}.wav`;
    const wav = tone(seconds);
    mkdirSync(join(dataDir, "recordings/calls/2027/03/01"), { recursive: true });
    writeFileSync(join(dataDir, "recordings", file), wav);
    await store.recordings.insert({
      id,
      domainId,
      callId: id,
      caller,
      callee,
      startedAt: at,
      durationMs: seconds * 1000,
      bytes: wav.length,
      channels: 1,
      file,
    });
  }
  await store.cdrs.insert({
    domainId,
    callId: "call-a",
    caller: "100",
    callerName: "",
    dialed: "101",
    callee: "101",
    startedAt: T0 - 3000,
    answeredAt: T0,
    endedAt: T0 + 2000,
    disposition: "answered",
    hangupCause: "caller-bye",
    sipStatus: 200,
    sipReason: "OK",
    legs: [],
    recording: "call-a",
  });
  await store.close();
}

describe("the Recordings page and the call records' link", { skip }, () => {
  let dataDir: string;
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-web-recordings-"));
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

  /** Waits until the player decoded audio longer than `seconds` (polled from here: the CSP). */
  const decodedLonger = async (testId: string, seconds: number) => {
    const player = page.getByTestId(testId);
    await player.waitFor();
    assert.match((await player.getAttribute("src")) ?? "", /^blob:/);
    const deadline = Date.now() + 5_000;
    for (;;) {
      const duration = await player.evaluate((el) => (el as unknown as { duration: number }).duration);
      if (duration > seconds) return;
      assert.ok(Date.now() < deadline, `${testId} decoded: duration ${duration}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it("lists recordings newest first, plays one, downloads it, deletes another", {
    timeout: 60000,
  }, async () => {
    await page.getByTestId("nav-recordings").click();
    await page.getByTestId("recording-row-call-a").waitFor();
    const ids = await page
      .locator('[data-testid^="recording-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.dataset.testid));
    assert.deepEqual(ids, ["recording-row-call-b", "recording-row-call-a"]);
    const text = (await page.getByTestId("recording-row-call-a").textContent()) ?? "";
    assert.match(text, /100/);
    assert.match(text, /101/);
    assert.match(text, /0:02/);
    assert.match(text, /16 kB/);
    await page.getByTestId("recording-play-call-a").click();
    await decodedLonger("player-call-a", 1.9);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("recording-download-call-a").click(),
    ]);
    assert.equal(download.suggestedFilename(), "recording-call-a.wav");
    await screenshot(page, "recordings-desktop");
    await page.getByTestId("recording-delete-call-b").click();
    await page.getByTestId("confirm-ok").click();
    await page.getByTestId("recording-row-call-b").waitFor({ state: "detached" });
    assert.equal((await parley.api("GET", "/api/v1/recordings/call-b")).status, 404);
  });

  it("the call record plays and downloads its recording", { timeout: 30000 }, async () => {
    await page.getByTestId("nav-cdrs").click();
    const link = page.getByTestId("cdr-recording-call-a");
    await link.waitFor();
    await link.getByRole("button", { name: "Play" }).click();
    await decodedLonger("player-call-a", 1.9);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      link.getByRole("button", { name: "Download" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "recording-call-a.wav");
    await screenshot(page, "cdrs-recording-desktop");
  });

  it("the user form sets a user's recording", { timeout: 30000 }, async () => {
    await page.goto(`http://127.0.0.1:${parley.httpPort}/#/users/100`);
    const select = page.locator('[data-field="recording"]');
    await select.waitFor();
    await select.selectOption("on-demand");
    await page.getByTestId("submit").click();
    for (const deadline = Date.now() + 5000; ; ) {
      if ((await parley.api("GET", "/api/v1/users/100")).body.recording === "on-demand") break;
      assert.ok(Date.now() < deadline, "saved");
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it("shows the page in Chinese", { timeout: 30000 }, async () => {
    await page.goto(`http://127.0.0.1:${parley.httpPort}/#/recordings`);
    await page.getByTestId("language").click();
    await page.getByRole("heading", { name: "通话录音" }).first().waitFor();
    await page.getByTestId("recording-row-call-a").getByText("播放").waitFor();
    await screenshot(page, "recordings-zh-desktop");
    await page.getByTestId("language").click();
  });
});
