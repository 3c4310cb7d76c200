/**
 * What the web phone's browser tests share (issue 20): Chromium's fake-microphone flags, the probe
 * for SIP over WebSocket at /sip, signing a page in as a user, and measuring in the page what the
 * remote stream carries.
 */
import type { Browser, Page } from "playwright-core";
import WebSocket from "ws";
import { DESKTOP } from "./browser.js";

export const MEDIA_FLAGS = [
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  "--autoplay-policy=no-user-gesture-required",
];

export function acceptsSipWebSocket(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, "sip");
    ws.once("open", () => {
      resolve(ws.protocol === "sip");
      ws.close();
    });
    ws.once("error", () => resolve(false));
    ws.once("unexpected-response", () => {
      resolve(false);
      ws.terminate();
    });
  });
}

/** What the tests read of the page's `window.parleyPhone`. */
export interface PhoneGlobal {
  parleyPhone?: {
    remoteStream?: { getAudioTracks(): unknown[] };
    lastCall?: { state: string; cause?: string };
    state?: { calls: Array<{ id: string }> };
    phone?: { hangup(id: string): void };
  };
}

/** Runs in the page: the loudest level (0..1) an analyser hears on the remote stream over ~1.5 s. */
export async function remotePeak(): Promise<number> {
  type Analyser = { fftSize: number; getFloatTimeDomainData(a: Float32Array): void };
  type Ctx = {
    createMediaStreamSource(s: unknown): { connect(a: Analyser): void };
    createAnalyser(): Analyser;
    close(): Promise<void>;
  };
  const g = globalThis as unknown as PhoneGlobal & { AudioContext: new () => Ctx };
  const stream = g.parleyPhone?.remoteStream;
  if (stream === undefined || stream.getAudioTracks().length === 0) return -1;
  const ctx = new g.AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const buffer = new Float32Array(analyser.fftSize);
  let peak = 0;
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 50));
    analyser.getFloatTimeDomainData(buffer);
    for (const v of buffer) peak = Math.max(peak, Math.abs(v));
  }
  await ctx.close();
  return peak;
}

/** A page of the web phone signed in as `user` (password = name, the defaults) and registered. */
export async function registeredPhone(browser: Browser, httpPort: number, user: string): Promise<Page> {
  const page = await browser.newPage({ viewport: DESKTOP, locale: "en-US" });
  await page.goto(`http://127.0.0.1:${httpPort}/#/phone`);
  await page.getByTestId("phone-user").fill(user);
  await page.getByTestId("phone-password").fill(user);
  await page.getByTestId("phone-submit").click();
  await page.locator('[data-testid="phone-status"][data-registration="registered"]').waitFor();
  return page;
}

/** The loudest level the page's remote stream reaches, tried a few times (the fake microphone beeps). */
export async function heardPeak(page: Page): Promise<number> {
  await page.waitForFunction(
    () =>
      ((globalThis as unknown as PhoneGlobal).parleyPhone?.remoteStream?.getAudioTracks().length ?? 0) > 0,
  );
  let peak = 0;
  for (let i = 0; i < 5 && peak < 0.05; i++) peak = await page.evaluate(remotePeak);
  return peak;
}
