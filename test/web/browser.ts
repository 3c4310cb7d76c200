/**
 * Headless Chromium for the web UI tests: Debian's /usr/bin/chromium driven by playwright-core
 * (which never downloads a browser), a fresh temporary profile per launch, and screenshots saved
 * under test-artifacts/web/ (gitignored).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { ParleyProcess } from "../helpers/parley-process.js";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = new URL("../../test-artifacts/web/", import.meta.url).pathname;

/** Without the background-networking flags Chromium's own connections get refused here. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** `extraArgs`: e.g. the fake microphone flags of the web phone's test. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  // launch() runs Chromium on a fresh temporary --user-data-dir of its own, removed on close.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extraArgs] });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The administrator password a fresh `parley start` generated and showed once (its stderr banner). */
export async function generatedAdminPassword(parley: ParleyProcess): Promise<string> {
  await parley.waitForLog(
    (l) => typeof l.msg === "string" && l.msg.includes("administrator password generated"),
  );
  for (let i = 0; i < 50; i++) {
    const password = /Web UI administrator password: (\S+)/.exec(parley.output())?.[1];
    if (password !== undefined) return password;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no administrator password in the start-up banner:\n${parley.output().slice(0, 3000)}`);
}

/** A new desktop page of `browser` signed in to Parley's admin UI, on the dashboard. */
export async function signedInPage(
  browser: Browser,
  parley: ParleyProcess,
  password: string,
  options: { locale?: string } = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport: DESKTOP, locale: options.locale ?? "en-US" });
  await page.goto(`http://127.0.0.1:${parley.httpPort}/`);
  await page.locator('[data-field="password"]').fill(password);
  await page.getByTestId("submit").click();
  await page.getByTestId("page-dashboard").waitFor();
  return page;
}

/** The parts of the page's `document` these tests read; the test tsconfig has no DOM library. */
export interface PageDocument {
  activeElement: { getAttribute(name: string): string | null } | null;
  querySelectorAll(selector: string): { length: number };
  querySelector(selector: string): { duration?: number } | null;
}

/**
 * Waits until the form field named `dataField` has the keyboard focus. The predicate is a function,
 * not a string: Playwright evaluates a string predicate with eval(), which the admin UI's
 * Content-Security-Policy (script-src 'self') forbids. The function runs in the page, so it may
 * use nothing from this module.
 */
export async function waitForFocusedField(page: Page, dataField: string): Promise<void> {
  await page.waitForFunction(
    (name) =>
      (globalThis as unknown as { document: PageDocument }).document.activeElement?.getAttribute(
        "data-field",
      ) === name,
    dataField,
  );
}
