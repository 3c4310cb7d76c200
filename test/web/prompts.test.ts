/**
 * The Prompts page in headless Chromium against a real `parley start` (issue 14: "an administrator
 * can replace any prompt through the API and the web UI"): sign in, open Prompts, play a prompt
 * (the WAV fetched with the session token and played from a blob: URL the page's CSP allows),
 * upload a WAV for one prompt and see it marked replaced, see a refused upload's error beside its
 * row, restore the prompt; upload and delete a music-on-hold track. Screenshots go to
 * test-artifacts/web/.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import {
  CHROMIUM,
  generatedAdminPassword,
  launchChromium,
  type PageDocument,
  screenshot,
  signedInPage,
} from "./browser.js";

/** A mono 16-bit PCM WAV of a 440 Hz sine (the header written field by field). */
function pcmSineWav(sampleRate: number, ms: number): Buffer {
  const samples = Math.round((sampleRate * ms) / 1000);
  const out = Buffer.alloc(44 + samples * 2);
  out.write("RIFFxxxxWAVEfmt ", 0, "ascii");
  out.writeUInt32LE(36 + samples * 2, 4);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), 44 + i * 2);
  return out;
}

const wavFile = (name: string, sampleRate: number, ms: number) => ({
  name,
  mimeType: "audio/wav",
  buffer: pcmSineWav(sampleRate, ms),
});

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

describe("the Prompts page", { skip }, () => {
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

  const row = (name: string, replaced: boolean) =>
    page.locator(`[data-testid="prompt-row-${name}"][data-replaced="${replaced}"]`);
  const promptState = async (name: string) => {
    const res = await parley.api("GET", "/api/v1/prompts?lang=en");
    return (res.body.items as Array<{ name: string; replaced: boolean; durationMs: number }>).find(
      (p) => p.name === name,
    );
  };
  const uploadFor = async (name: string, file: ReturnType<typeof wavFile>) => {
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByTestId(`upload-${name}`).click(),
    ]);
    await chooser.setFiles(file);
  };

  it("plays a prompt, replaces it by an upload, shows a refusal beside its row, restores it", async () => {
    await page.getByTestId("nav-prompts").click();
    await page.getByTestId("prompt-lang-en").click();
    await row("goodbye", false).waitFor();

    await page.getByTestId("play-goodbye").click();
    const player = page.getByTestId("player-en-goodbye");
    await player.waitFor();
    assert.match((await player.getAttribute("src")) ?? "", /^blob:/);
    // The browser decoded it (the CSP let the blob: URL play): it knows its length.
    await page.waitForFunction(
      () =>
        ((globalThis as unknown as { document: PageDocument }).document.querySelector(
          '[data-testid="player-en-goodbye"]',
        )?.duration ?? 0) > 0,
    );

    await uploadFor("goodbye", wavFile("goodbye.wav", 16000, 1500));
    await row("goodbye", true).waitFor();
    assert.equal(await page.getByTestId("prompt-source-goodbye").textContent(), "Replaced");
    assert.match((await row("goodbye", true).textContent()) ?? "", /1\.5 s/);
    assert.deepEqual(await promptState("goodbye"), {
      name: "goodbye",
      lang: "en",
      text: "Goodbye.",
      replaced: true,
      durationMs: 1500,
    });
    await screenshot(page, "prompts-desktop");

    await uploadFor("welcome", wavFile("cd.wav", 44100, 200));
    const error = page.getByTestId("prompt-error-welcome");
    await error.waitFor();
    assert.match((await error.textContent()) ?? "", /44100 Hz/);
    assert.equal((await promptState("welcome"))?.replaced, false);

    await page.getByTestId("restore-goodbye").click();
    await row("goodbye", false).waitFor();
    assert.equal((await promptState("goodbye"))?.replaced, false);
    assert.equal(await page.getByTestId("restore-goodbye").count(), 0);
  });

  it("uploads a music-on-hold track and deletes it", async () => {
    await page.getByTestId("music-row-default").waitFor();
    await page.getByTestId("music-name").fill("lobby");
    await page.getByTestId("music-file").setInputFiles(wavFile("lobby.wav", 8000, 2000));
    await page.getByTestId("music-upload").click();
    await page.getByTestId("music-row-lobby").waitFor();
    const res = await parley.api("GET", "/api/v1/music");
    assert.deepEqual(
      res.body.items.find((m: { name: string }) => m.name === "lobby"),
      { name: "lobby", shipped: false, durationMs: 2000 },
    );
    await page.getByTestId("delete-music-lobby").click();
    await page.getByTestId("confirm-ok").click();
    await page.getByTestId("music-row-lobby").waitFor({ state: "detached" });
    // The shipped default cannot be deleted: no button for it.
    assert.equal(await page.getByTestId("delete-music-default").count(), 0);
  });
});
