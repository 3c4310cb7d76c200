/**
 * `parley auto-attendant menu|greeting|time-condition|entry` run as child processes over a SQLite
 * store in a temp data dir (issue 17: the auto-attendant in the CLI). Proven: menus added with
 * keys, listed, changed (a key added, one removed), removed; a key at a user that does not exist
 * and an unknown prompt exit 2 naming the field; a greeting uploaded per language lands in the
 * data directory; a time condition with office hours, holidays and a zone; entry points set and
 * listed; a bad zone exits 2 naming `timeZone`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley auto-attendant (CLI)", () => {
  let dataDir: string;
  const parley = (args: string[]) => runParleyCli(["auto-attendant", ...args], dataDir);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-aa-"));
    const user = await runParleyCli(["user", "add", "101", "--password", "secret-101"], dataDir);
    assert.equal(user.code, 0, user.stderr);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("adds a menu with keys, changes a key, lists and removes it", async () => {
    const added = await parley([
      "menu",
      "add",
      "main",
      "--greeting",
      "company-greeting,enter-extension-or-operator",
      "--key",
      "1=user:101",
      "--key",
      "0=operator",
      "--operator",
      "101",
      "--first-digit-timeout",
      "7",
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /main\s+company-greeting,enter-extension-or-operator\s+1=user:101 0=operator\s+yes\s+7s\/3s/,
    );
    const set = await parley([
      "menu",
      "set",
      "main",
      "--key",
      "2=group:600",
      "--key",
      "0=",
      "--on-timeout",
      "repeat",
    ]);
    assert.equal(set.code, 0, set.stderr);
    const shown = await parley(["menu", "show", "main", "--json"]);
    const menu = JSON.parse(shown.stdout);
    assert.deepEqual(menu.keys, {
      "1": { kind: "user", target: "101" },
      "2": { kind: "group", target: "600" },
    });
    assert.deepEqual(menu.timeoutAction, { kind: "repeat", target: "" });
    const listed = await parley(["menu", "list"]);
    assert.match(listed.stdout, /^main/m);
    assert.equal((await parley(["menu", "remove", "main"])).code, 0);
    assert.equal((await parley(["menu", "remove", "main"])).code, 1);
  });

  it("refuses a key at a missing user and an unknown prompt, naming the field (exit 2)", async () => {
    const user = await parley(["menu", "add", "bad", "--key", "3=user:999"]);
    assert.equal(user.code, 2);
    assert.match(user.stderr, /invalid keys\[3\]\.target: no local user is named "999"/);
    const prompt = await parley(["menu", "add", "bad", "--greeting", "hello-there"]);
    assert.equal(prompt.code, 2);
    assert.match(prompt.stderr, /invalid greeting\[0\]/);
  });

  it("uploads a menu's Chinese greeting into the data directory and removes it", async () => {
    // The migration made the default menu.
    assert.match((await parley(["menu", "list"])).stdout, /^default\s+welcome,enter-extension/m);
    const wav = join(process.cwd(), "prompts", "zh", "welcome.wav");
    const up = await parley(["greeting", "upload", "default", "zh", wav]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /default zh: \d+\.\d s/);
    assert.equal(readdirSync(join(dataDir, "auto-attendant", "zh")).length, 1);
    assert.equal((await parley(["greeting", "remove", "default", "zh"])).code, 0);
    assert.equal((await parley(["greeting", "remove", "default", "zh"])).code, 1);
  });

  it("adds office hours and an entry point; a bad zone names timeZone", async () => {
    const bad = await parley([
      "time-condition",
      "add",
      "x",
      "--zone",
      "Moon/Base",
      "--in-hours",
      "menu:default",
      "--out-of-hours",
      "hangup",
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid timeZone/);
    const added = await parley([
      "time-condition",
      "add",
      "office",
      "--zone",
      "Asia/Shanghai",
      "--hours",
      "mon-fri 9:00-18:00",
      "--hours",
      "sat 09:00-12:00",
      "--holiday",
      "10-01",
      "--in-hours",
      "menu:default",
      "--out-of-hours",
      "voicemail:101",
      "--json",
    ]);
    assert.equal(added.code, 0, added.stderr);
    const t = JSON.parse(added.stdout);
    assert.deepEqual(t.schedule, [
      { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" },
      { days: ["sat"], from: "09:00", to: "12:00" },
    ]);
    assert.deepEqual(t.outOfHours, { kind: "voicemail", target: "101" });
    const entry = await parley(["entry", "set", "line", "123456", "--time-condition", "office"]);
    assert.equal(entry.code, 0, entry.stderr);
    assert.match((await parley(["entry", "list"])).stdout, /line\s+123456\s+time condition office/);
    const none = await parley(["entry", "set", "number", "500"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /invalid menu/);
  });
});
