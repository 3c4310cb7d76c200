/**
 * Issue 21 (virtual PBXs), the web UI in headless Chromium against a real `parley start`: the
 * provider creates a tenant on the Tenants page (each field the API refuses is marked beside it;
 * the tenant's API token is shown once), switches to it in the header bar and sees only its users
 * (and the live view's), back to the provider sees its own; edits a limit, gives a new token,
 * suspends the tenant; deletes another in two steps (the code shown, then confirmed). A tenant's
 * administrator signs in naming the tenant (an unknown one is marked beside the field), sees its
 * name in the header bar, no Tenants page, only its users. Not here: the API's rules
 * (test/api/tenant-*.test.ts), the CLI (test/cli/tenants.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import {
  CHROMIUM,
  DESKTOP,
  generatedAdminPassword,
  launchChromium,
  PHONE,
  screenshot,
  signedInPage,
} from "./browser.js";

const skip = missingTool(CHROMIUM) && "chromium not installed (apt-get install chromium)";

/** The user rows the Users page shows, by name. */
async function userRows(page: Page): Promise<string[]> {
  await page.getByTestId("users-table").waitFor();
  const ids = await page
    .getByTestId("users-table")
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((r) => (r as unknown as { dataset: { testid?: string } }).dataset.testid),
    );
  return ids.map((id) => String(id).replace(/^user-row-/, "")).sort();
}

/** Waits until the Users page lists exactly `names`. */
async function waitForUsers(page: Page, names: string[]): Promise<void> {
  let shown: string[] = [];
  for (let i = 0; i < 50; i++) {
    shown = await userRows(page);
    if (JSON.stringify(shown) === JSON.stringify(names)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(shown, names);
}

describe("tenants in the web UI (issue 21)", { skip }, () => {
  let parley: ParleyProcess;
  let browser: Browser;
  let page: Page;
  let udpPort: number;
  let adminPassword: string;
  const tenantRow = (name: string) => page.getByTestId(`tenant-row-${name}`);

  before(async () => {
    parley = await startParley();
    adminPassword = await generatedAdminPassword(parley);
    udpPort = await freePort();
    browser = await launchChromium();
    page = await signedInPage(browser, parley, adminPassword);
  });
  after(async () => {
    await browser?.close();
    await parley?.stop();
  });

  it("the provider creates a tenant on the Tenants page; refused fields are marked beside them", {
    timeout: 60000,
  }, async () => {
    await page.getByTestId("tenant-switcher").waitFor();
    await page.getByTestId("nav-tenants").click();
    await page.getByTestId("page-tenants").waitFor();
    await page.getByTestId("new-tenant").click();
    const form = page.getByTestId("tenant-form");
    await form.locator('[data-field="name"]').fill("Acme!");
    await form.locator('[data-field="domain"]').fill("acme.test");
    await form.locator('[data-field="admin.password"]').fill("short");
    await form.locator('[data-field="ports.udp"]').fill(String(udpPort));
    await form.locator('[data-field="limits.users"]').fill("5");
    await form.locator('[data-field="users"]').fill("200,acme-pass-200,Alice\n201,acme-pass-201\n");
    await form.getByTestId("submit").click();
    await form.locator('[data-field="name"][aria-invalid="true"]').waitFor();
    await form.locator('[data-field="admin.password"][aria-invalid="true"]').waitFor();
    assert.equal(await form.locator('[data-field="domain"][aria-invalid="true"]').count(), 0);
    await screenshot(page, "tenants-create-errors");

    await form.locator('[data-field="name"]').fill("acme");
    await form.locator('[data-field="admin.password"]').fill("acme-admin-password");
    await form.getByTestId("submit").click();
    const token = page.getByTestId("tenant-token");
    await token.waitFor();
    assert.match((await token.locator("code").textContent()) ?? "", /^pt\.acme\.\S+$/);
    await tenantRow("acme").waitFor();
    assert.equal(await tenantRow("acme").getAttribute("data-state"), "active");
    assert.match(
      (await tenantRow("acme").textContent()) ?? "",
      new RegExp(`acme\\.test.*UDP ${udpPort}.*5 users`),
    );
    assert.equal(await tenantRow("acme").getByTestId("tenant-totals").textContent(), "2 / 0 / 0");
    const users = (await fetch(`http://127.0.0.1:${parley.httpPort}/api/v1/tenants/acme`, {
      headers: { authorization: `Bearer ${parley.apiToken}` },
    }).then((r) => r.json())) as { limits: unknown; ports: unknown };
    assert.deepEqual(users.limits, { users: 5 });
    assert.deepEqual(users.ports, { udp: udpPort });
    await screenshot(page, "tenants-created");
  });

  it("switching to the tenant shows only its users; back to the provider, the provider's", {
    timeout: 30000,
  }, async () => {
    await page.getByTestId("tenant-switcher").selectOption("acme");
    await page.getByTestId("nav-users").click();
    await waitForUsers(page, ["200", "201"]);
    await page.getByTestId("nav-dashboard").click();
    await page.getByTestId("user-tile-200").waitFor();
    assert.equal(await page.getByTestId("user-tile-100").count(), 0, "the live view is the tenant's");
    await screenshot(page, "tenants-acting-dashboard");
    await page.getByTestId("nav-users").click();
    await page.getByTestId("tenant-switcher").selectOption("");
    await waitForUsers(page, ["100", "101", "102"]);
    await page.getByTestId("tenant-switcher").selectOption("acme");
    await waitForUsers(page, ["200", "201"]);
    await page.reload();
    await waitForUsers(page, ["200", "201"]);
    assert.equal(await page.getByTestId("tenant-switcher").inputValue(), "acme", "kept across a reload");
  });

  it("edits a limit, gives a new token and suspends the tenant", { timeout: 30000 }, async () => {
    await page.getByTestId("nav-tenants").click();
    await tenantRow("acme").getByTestId("edit-tenant").click();
    const form = page.getByTestId("tenant-form");
    assert.equal(await form.locator('[data-field="limits.users"]').inputValue(), "5");
    await form.locator('[data-field="limits.calls"]').fill("many");
    await form.getByTestId("submit").click();
    await form.locator('[data-field="limits.calls"][aria-invalid="true"]').waitFor();
    await form.locator('[data-field="limits.calls"]').fill("3");
    await form.getByTestId("submit").click();
    await page.locator('[data-testid="tenant-row-acme"]:has-text("5 users, 3 calls")').waitFor();

    await tenantRow("acme").getByTestId("token-tenant").click();
    await page.locator('[data-testid="tenant-token"]:has-text("acme")').waitFor();
    const fresh = (await page.getByTestId("tenant-token").locator("code").textContent()) ?? "";
    const status = await fetch(`http://127.0.0.1:${parley.httpPort}/api/v1/status`, {
      headers: { authorization: `Bearer ${fresh}` },
    });
    assert.equal(status.status, 200, "the new token works");

    await tenantRow("acme").getByTestId("suspend-tenant").click();
    await page.locator('[data-testid="tenant-row-acme"][data-state="suspended"]').waitFor();
    const shown = (await fetch(`http://127.0.0.1:${parley.httpPort}/api/v1/tenants/acme`, {
      headers: { authorization: `Bearer ${parley.apiToken}` },
    }).then((r) => r.json())) as { state: string };
    assert.equal(shown.state, "suspended");
    assert.match((await page.getByTestId("tenant-switcher").textContent()) ?? "", /acme \(suspended\)/);
    await screenshot(page, "tenants-suspended");
  });

  it("deletes a tenant in two steps: the code shown, then confirmed", { timeout: 30000 }, async () => {
    const created = await parley.api("POST", "/api/v1/tenants", {
      name: "globex",
      domain: "globex.test",
      admin: { password: "globex-admin-pw" },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await page.getByTestId("refresh-tenants").click();
    await tenantRow("globex").getByTestId("delete-tenant").click();
    const step = page.getByTestId("delete-step");
    await step.waitFor();
    assert.match((await step.textContent()) ?? "", /code [0-9a-f]+/);
    assert.equal(await tenantRow("globex").getAttribute("data-state"), "active", "nothing deleted yet");
    await screenshot(page, "tenants-delete-step");
    await step.getByTestId("confirm-delete").click();
    await page.locator('[data-testid="tenant-row-globex"][data-state="deleted"]').waitFor();
    assert.equal(await step.count(), 0);
    assert.equal(await tenantRow("globex").getByTestId("delete-tenant").count(), 0, "no actions left");
    assert.doesNotMatch((await page.getByTestId("tenant-switcher").textContent()) ?? "", /globex/);
  });

  it("the Tenants page fits a phone, the switcher heading the menu, in Chinese too", {
    timeout: 30000,
  }, async () => {
    const phone = await browser.newPage({ viewport: PHONE, locale: "en-US", isMobile: true, hasTouch: true });
    try {
      // The session lives in sessionStorage, per tab: sign in on the phone too.
      await phone.goto(`http://127.0.0.1:${parley.httpPort}/#/tenants`);
      await phone.locator('[data-field="password"]').fill(adminPassword);
      await phone.getByTestId("submit").click();
      for (const lang of ["en", "zh"]) {
        if (lang === "zh") await phone.getByTestId("language").click();
        await phone.getByTestId("page-tenants").waitFor();
        await phone.getByTestId("tenant-row-acme").waitFor();
        await screenshot(phone, `tenants-phone-${lang}`);
        const overflow = await phone.evaluate<number>(
          "document.documentElement.scrollWidth - window.innerWidth",
        );
        assert.ok(overflow <= 0, `the Tenants page is wider than the phone by ${overflow}px (${lang})`);
      }
      await phone.locator('[data-testid="tenant-row-acme"]:has-text("已暂停")').waitFor();
      // No room in the header bar: the switcher heads the menu.
      assert.equal(await phone.getByTestId("tenant-switcher").isVisible(), false);
      await phone.getByTestId("menu-button").click();
      await phone.getByTestId("tenant-switcher").waitFor({ state: "visible" });
      assert.match((await phone.getByTestId("tenant-switcher").textContent()) ?? "", /服务商（默认）/);
      await screenshot(phone, "tenants-phone-menu");
    } finally {
      await phone.close();
    }
  });

  it("a tenant's administrator signs in naming the tenant: its name, no Tenants page, only its users", {
    timeout: 30000,
  }, async () => {
    const admin = await browser.newPage({ viewport: DESKTOP, locale: "en-US" });
    await admin.goto(`http://127.0.0.1:${parley.httpPort}/`);
    await admin.locator('[data-field="tenant"]').fill("nope");
    await admin.locator('[data-field="password"]').fill("acme-admin-password");
    await admin.getByTestId("submit").click();
    await admin.locator('[data-field="tenant"][aria-invalid="true"]').waitFor();
    await admin.locator('[data-field="tenant"]').fill("acme");
    await admin.getByTestId("submit").click();
    await admin.getByTestId("page-dashboard").waitFor();
    assert.equal(await admin.getByTestId("tenant-name").textContent(), "acme");
    assert.equal(await admin.getByTestId("tenant-switcher").count(), 0);
    assert.equal(await admin.getByTestId("nav-tenants").count(), 0);
    await admin.getByTestId("nav-users").click();
    await waitForUsers(admin, ["200", "201"]);
    await admin.goto(`http://127.0.0.1:${parley.httpPort}/#/tenants`);
    await admin.getByTestId("page-dashboard").waitFor();
    await screenshot(admin, "tenants-tenant-admin");
    await admin.getByTestId("sign-out").click();
    await admin.getByTestId("sign-in").waitFor();
    await admin.close();
  });
});
