/**
 * The Voicemail page and the user form's voicemail fields in headless Chromium against a real
 * `parley start` (issue 15: "messages are listed, played in the browser and deleted in the web UI";
 * "a mail that cannot be sent is retried with back-off and reported in the UI"; "browser tests
 * cover the new pages"). Two messages are left in the data dir through Mailboxes.deposit before
 * Parley starts (a call's deposit path; the e2e tests leave them by real calls), so their mails
 * wait in the outbox with no SMTP server; the SMTP form, refused then accepted, sends them to a
 * real SMTP server run here. A greeting is uploaded, played, refused and deleted; the page in
 * Chinese; the voicemail fields of the user form. Screenshots go to test-artifacts/web/.
 * Not covered here: the page reloading by itself when a call leaves a message (the API test shows
 * the live event; this page reloads on each).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import wavefile from "wavefile";
import { writeParleyWav } from "../../src/media/audio/wav.js";
import { MailQueue } from "../../src/services/voicemail/mail-queue.js";
import { Mailboxes } from "../../src/services/voicemail/mailboxes.js";
import { storeFromUrl } from "../../src/store/index.js";
import { BaresipPhone } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { type Inbox, smtpInbox } from "../helpers/smtp-inbox.js";
import { addUser, passwordOf } from "../helpers/user-passwords.js";
import { CHROMIUM, DESKTOP, generatedAdminPassword, launchChromium, screenshot } from "./browser.js";

/** A WAV file to upload: mono 16-bit PCM, a 440 Hz sine. */
function wavUpload(name: string, rate: number, ms: number) {
  const wav = new wavefile.WaveFile();
  const samples = Array.from({ length: Math.round((rate * ms) / 1000) }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)),
  );
  wav.fromScratch(1, rate, "16", samples);
  return { name, mimeType: "audio/wav", buffer: Buffer.from(wav.toBuffer()) };
}

/** Leaves two messages for 200 (mailed to alice@) the way a call does, with Parley not running. */
async function seed(dataDir: string): Promise<number[]> {
  const store = await storeFromUrl(undefined, dataDir);
  await store.migrate();
  const domainId = (await store.domains.getDefault()).id;
  await store.users.create(domainId, { name: "200", password: "pw-200", email: "alice@example.test" });
  await store.users.create(domainId, { name: "201", password: "pw-201", displayName: "Bob" });
  let clock = Date.UTC(2027, 2, 1, 9, 30);
  const mailboxes = new Mailboxes({
    dir: join(dataDir, "voicemail"),
    repository: store.voicemail,
    // Not started: the mails stay in the outbox folder for Parley's own queue to load.
    mail: new MailQueue({ dir: join(dataDir, "outbox"), smtp: () => undefined }),
    outboxDir: join(dataDir, "outbox", "attachments"),
    emailOf: async (domainId, name) => (await store.users.get(domainId, name))?.email,
    now: () => clock,
  });
  const ids: number[] = [];
  for (const [caller, callerName, seconds] of [
    ["201", "Bob", 2],
    ["0123456789", "", 3],
  ] as const) {
    const file = await mailboxes.temporaryFile();
    await writeFile(file, writeParleyWav(new Int16Array(8000 * seconds)));
    const left = await mailboxes.deposit({
      domainId,
      mailbox: "200",
      caller,
      callerName,
      callId: `seed-${caller}`,
      file,
      durationMs: seconds * 1000,
    });
    ids.push(left.id);
    clock += 60_000;
  }
  await store.close();
  return ids;
}

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

describe("the Voicemail page", { skip }, () => {
  let dataDir: string;
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;
  let inbox: Inbox | undefined;
  let fromBob: number;
  let fromNumber: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-web-vm-"));
    [fromBob, fromNumber] = (await seed(dataDir)) as [number, number];
    parley = await startParley([], {}, { dataDir });
    const password = await generatedAdminPassword(parley);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: DESKTOP, locale: "en-US" });
    await page.goto(`http://127.0.0.1:${parley.httpPort}/`);
    await page.locator('[data-field="password"]').fill(password);
    await page.getByTestId("submit").click();
    await page.getByTestId("page-dashboard").waitFor();
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
    await inbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const row = (id: number) => page.getByTestId(`vm-row-${id}`);
  /**
   * Waits until the browser has decoded the player's audio (the CSP let the blob: URL play) and
   * knows it to be longer than `seconds`. Polled from here: the page's CSP forbids Playwright's
   * in-page polling (it evaluates a string).
   */
  const decodedLonger = async (testId: string, seconds: number) => {
    const player = page.getByTestId(testId);
    assert.match((await player.getAttribute("src")) ?? "", /^blob:/);
    const deadline = Date.now() + 5_000;
    for (;;) {
      const duration = await player.evaluate((el) => (el as unknown as { duration: number }).duration);
      if (duration > seconds) return;
      assert.ok(Date.now() < deadline, `${testId} decoded: duration ${duration}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const field = (path: string) => page.locator(`[data-testid="smtp-form"] [data-field="${path}"]`);
  const errorOf = (form: string, path: string) =>
    page.locator(`[data-testid="${form}"] .field:has([data-field="${path}"]) [data-testid="field-error"]`);

  it("lists the messages newest first, plays one, marks it old and new, deletes one", async () => {
    await page.getByTestId("nav-voicemail").click();
    await row(fromBob).waitFor();
    const ids = await page
      .locator('[data-testid^="vm-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.dataset.testid));
    assert.deepEqual(ids, [`vm-row-${fromNumber}`, `vm-row-${fromBob}`]);
    const text = (await row(fromBob).textContent()) ?? "";
    assert.match(text, /Bob <201>/);
    assert.match(text, /2\.0 s/);
    assert.match(text, /New/);

    await page.getByTestId(`vm-play-${fromBob}`).click();
    await page.getByTestId(`player-${fromBob}`).waitFor();
    await decodedLonger(`player-${fromBob}`, 1.9);

    await page.getByTestId(`vm-move-${fromBob}`).click();
    await page.locator(`[data-testid="vm-row-${fromBob}"][data-folder="old"]`).waitFor();
    assert.equal((await parley.api("GET", `/api/v1/voicemail/${fromBob}`)).body.folder, "old");
    await page.getByTestId("vm-folder").selectOption("old");
    await row(fromNumber).waitFor({ state: "detached" });
    await page.getByTestId(`vm-move-${fromBob}`).click();
    await row(fromBob).waitFor({ state: "detached" });
    await page.getByTestId("vm-folder").selectOption("");

    await page.getByTestId(`vm-delete-${fromNumber}`).click();
    await page.getByTestId("confirm-ok").click();
    await row(fromNumber).waitFor({ state: "detached" });
    assert.equal((await parley.api("GET", `/api/v1/voicemail/${fromNumber}`)).status, 404);
    await screenshot(page, "voicemail-desktop");
  });

  it("uploads a greeting for the chosen mailbox, plays it, shows a refusal, deletes it", async () => {
    await page.getByTestId("vm-mailbox").selectOption("200");
    const greeting = page.getByTestId("vm-greeting");
    await page.locator('[data-testid="vm-greeting"][data-recorded="false"]').waitFor();
    assert.equal(await page.getByTestId("vm-greeting-state").textContent(), "System greeting");

    const upload = async (file: ReturnType<typeof wavUpload>) => {
      const [chooser] = await Promise.all([
        page.waitForEvent("filechooser"),
        page.getByTestId("vm-greeting-upload").click(),
      ]);
      await chooser.setFiles(file);
    };
    await upload(wavUpload("greeting.wav", 16000, 1200));
    await page.locator('[data-testid="vm-greeting"][data-recorded="true"]').waitFor();
    assert.match((await page.getByTestId("notice").textContent()) ?? "", /1\.2 s/);
    await page.getByTestId("vm-greeting-play").click();
    await page.getByTestId("player-greeting").waitFor();
    await decodedLonger("player-greeting", 1.1);

    await upload(wavUpload("cd.wav", 44100, 200));
    const refusal = greeting.getByTestId("form-failure");
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? "", /44100 Hz/);

    await page.getByTestId("vm-greeting-delete").click();
    await page.getByTestId("confirm-ok").click();
    await page.locator('[data-testid="vm-greeting"][data-recorded="false"]').waitFor();
    assert.equal((await parley.api("GET", "/api/v1/users/200/greeting")).status, 404);
  });

  it("shows the waiting mails and their error; the SMTP form names bad fields, then delivers them", async () => {
    const waiting = page.locator('[data-testid="vm-mail"][data-state="queued"]');
    await page.getByTestId("vm-outbox-refresh").click();
    await waiting.nth(1).waitFor();
    assert.match(
      (await waiting.first().textContent()) ?? "",
      /alice@example\.test.*no SMTP server configured/,
    );
    assert.match((await page.getByTestId("smtp-source").textContent()) ?? "", /none/);

    await field("host").fill("bad host!");
    await field("from").fill("nobody");
    await page.locator('[data-testid="smtp-form"] [data-testid="submit"]').click();
    await errorOf("smtp-form", "host").waitFor();
    assert.match((await errorOf("smtp-form", "from").textContent()) ?? "", /e-mail address/);
    assert.equal(await field("host").inputValue(), "bad host!", "the input is kept");

    const port = await freePort();
    inbox = await smtpInbox(port);
    await field("host").fill("127.0.0.1");
    await field("port").fill(String(port));
    await field("from").fill("PBX <pbx@parley.test>");
    await field("password").fill("not-shown");
    await page.locator('[data-testid="smtp-form"] [data-testid="submit"]').click();
    await page.locator('[data-testid="smtp-source"]:has-text("saved here")').waitFor();
    assert.equal(await errorOf("smtp-form", "host").count(), 0);
    assert.equal(await field("password").inputValue(), "");
    const smtp = (await parley.api("GET", "/api/v1/smtp")).body;
    assert.deepEqual(
      [smtp.host, smtp.port, smtp.passwordSet, smtp.source],
      ["127.0.0.1", port, true, "saved"],
    );

    // The queue retries after its first back-off step (5 s) with the new settings.
    const deadline = Date.now() + 30_000;
    while (inbox.mails.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(inbox.mails.length, 2);
    assert.match(String(inbox.mails[0]!.from?.text), /pbx@parley\.test/);
    await page.getByTestId("vm-outbox-refresh").click();
    await page.locator('[data-testid="vm-mail"][data-state="sent"]').nth(1).waitFor();
    await screenshot(page, "voicemail-outbox");

    await page.getByTestId("smtp-reset").click();
    await page.locator('[data-testid="smtp-source"]:has-text("none")').waitFor();
    assert.equal(await field("host").inputValue(), "");
  });

  it("reads in Chinese", async () => {
    await page.getByTestId("language").click();
    await page.locator("h1", { hasText: "语音信箱" }).waitFor();
    assert.equal(await page.getByTestId("nav-voicemail").textContent(), "语音信箱");
    assert.match((await page.getByTestId("vm-outbox").textContent()) ?? "", /邮件发件箱/);
    await screenshot(page, "voicemail-zh");
    await page.getByTestId("language").click();
  });

  it("the user form has voicemail on busy and the mailbox PIN, a bad PIN named beside its field", async () => {
    await page.goto(`http://127.0.0.1:${parley.httpPort}/#/users/200`);
    const pin = page.locator('[data-testid="user-form"] [data-field="voicemailPin"]');
    await pin.fill("12a4");
    await page.locator('[data-testid="user-form"] [data-field="voicemailOnBusy"]').check();
    await page.locator('[data-testid="user-form"] [data-testid="submit"]').click();
    await errorOf("user-form", "voicemailPin").waitFor();
    await pin.fill("1234");
    await page.locator('[data-testid="user-form"] [data-testid="submit"]').click();
    await page.getByTestId("notice").waitFor();
    await errorOf("user-form", "voicemailPin").waitFor({ state: "detached" });
    const user = (await parley.api("GET", "/api/v1/users/200")).body;
    assert.deepEqual([user.voicemailPin, user.voicemailOnBusy], ["1234", true]);
  });

  it("the Registrations page lists a phone's message-waiting subscription", {
    skip: missingTool("baresip") && "baresip not installed",
  }, async () => {
    const created = await addUser(parley, "300");
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const silence = join(dataDir, "silence.wav");
    await writeFile(silence, wavUpload("silence.wav", 8000, 500).buffer);
    const phone = await BaresipPhone.start({
      account: `<sip:300@127.0.0.1:${parley.sipPort}>;auth_pass=${passwordOf(parley, "300")};regint=60`,
      source: silence,
      rtpPorts: "26900-26949",
      mwi: true,
    });
    try {
      assert.ok(await phone.waitForOutput(/----- MWI for/, 10000), `subscribed\n${phone.output()}`);
      await page.goto(`http://127.0.0.1:${parley.httpPort}/#/registrations`);
      const subscription = page.getByTestId("subscription-300");
      await subscription.waitFor();
      assert.match((await subscription.textContent()) ?? "", /message-summary/);
    } finally {
      await phone.stop();
    }
  });
});
