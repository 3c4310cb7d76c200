/** `parley user ...` run as a child process over a SQLite store in a temp data dir. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { storeFromUrl } from "../../src/store/index.js";

const MAIN = resolve(import.meta.dirname, "../../src/cli/main.ts");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe("parley user (CLI)", () => {
  let root: string;
  let dataDir: string;

  /** Runs `parley <args>` with no PARLEY_* variables but `env`'s. */
  function parley(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith("PARLEY_"));
    return new Promise((done, fail) => {
      execFile(
        process.execPath,
        ["--import", "tsx", MAIN, ...args],
        { env: { ...Object.fromEntries(inherited), ...env }, timeout: 60_000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") fail(error);
          else done({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
    });
  }

  const withDir = (...args: string[]) => [...args, "--data-dir", dataDir];

  before(() => {
    root = mkdtempSync(join(tmpdir(), "parley-cli-"));
    dataDir = join(root, "data");
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("user add creates users in the data dir's store", async () => {
    const res = await parley(
      withDir(
        "user",
        "add",
        "200",
        "--password",
        "pw200-secret",
        "--display-name",
        "Alice Able",
        "--set",
        "forwarding.busy.enabled=true",
        "--set",
        "forwarding.busy.number=0300",
      ),
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /user 200 created/);
    const again = await parley(withDir("user", "add", "201", "--password", "pw201-secret"));
    assert.equal(again.code, 0, again.stderr);
  });

  it("user list prints a table, --search filters, --json prints the page", async () => {
    const res = await parley(withDir("user", "list"));
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.match(lines[0]!, /^NAME\s+DISPLAY NAME\s+CALL RIGHT\s+MULTI-DEVICE\s+FORWARDING$/);
    assert.match(lines[1]!, /^200\s+Alice Able\s+1\s+no\s+busy→0300$/);
    assert.match(lines[2]!, /^201\s+1\s+no\s+-$/);
    assert.match(lines[3]!, /2 of 2 users/);
    const json = await parley(withDir("user", "list", "--search", "alice", "--json"));
    assert.equal(json.code, 0, json.stderr);
    const page = JSON.parse(json.stdout) as { items: { name: string }[]; total: number };
    assert.deepEqual(
      page.items.map((u) => u.name),
      ["200"],
    );
    assert.equal(page.total, 1);
  });

  it("user set changes fields by dotted key with typed values (numbers stay text where the field is text)", async () => {
    const res = await parley(
      withDir(
        "user",
        "set",
        "200",
        "multiDevice=true",
        "maxDevices=5",
        "ipAuthorization=10.0.0.0/8,192.0.2.1",
        "followMe.destinations=100,,102",
        "forwarding.noAnswer.number=0400",
      ),
    );
    assert.equal(res.code, 0, res.stderr);
    const show = await parley(withDir("user", "show", "200", "--json"));
    assert.equal(show.code, 0, show.stderr);
    const user = JSON.parse(show.stdout) as Record<string, unknown>;
    assert.equal(user.multiDevice, true);
    assert.equal(user.maxDevices, 5);
    assert.deepEqual(user.ipAuthorization, ["10.0.0.0/8", "192.0.2.1"]);
    assert.deepEqual(user.followMe, { strategy: 0, interval: 20, destinations: ["100", "", "102"] });
    assert.deepEqual(user.forwarding, {
      unconditional: { enabled: false, number: "" },
      unreachable: { enabled: false, number: "" },
      busy: { enabled: true, number: "0300" },
      noAnswer: { enabled: false, number: "0400" },
    });
    assert.equal("password" in user, false);
  });

  it("user show prints key: value lines with the keys user set takes", async () => {
    const res = await parley(withDir("user", "show", "200"));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^name\s+200$/m);
    assert.match(res.stdout, /^displayName\s+Alice Able$/m);
    assert.match(res.stdout, /^forwarding\.busy\.number\s+0300$/m);
    assert.match(res.stdout, /^ipAuthorization\s+10\.0\.0\.0\/8,192\.0\.2\.1$/m);
  });

  it("an invalid value prints the field and exits 2, changing nothing", async () => {
    const res = await parley(withDir("user", "set", "201", "forwarding.busy.number=12a"));
    assert.equal(res.code, 2);
    assert.match(res.stderr, /invalid forwarding\.busy\.number: must be 1-32 of digits, \*, #, \+/);
    const bad = await parley(
      withDir("user", "add", "202", "--password", "pw202-secret", "--set", "maxDevices=lots"),
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid maxDevices: must be an integer/);
    const unknown = await parley(withDir("user", "set", "201", "colour=red"));
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /invalid colour: unknown field/);
  });

  it("a duplicate name or an unknown user exits 1 with a message", async () => {
    const dup = await parley(withDir("user", "add", "201", "--password", "pw201-secret"));
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
    const missing = await parley(withDir("user", "show", "999"));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /user "999" not found/);
  });

  it("user remove deletes the user (the data dir may also come from PARLEY_DATA_DIR)", async () => {
    const res = await parley(["user", "remove", "201"], { PARLEY_DATA_DIR: dataDir });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /user 201 removed/);
    const again = await parley(withDir("user", "remove", "201"));
    assert.equal(again.code, 1);
    const store = await storeFromUrl(undefined, dataDir);
    try {
      const domain = await store.domains.getDefault();
      const page = await store.users.list({ domainId: domain.id });
      assert.deepEqual(
        page.items.map((u) => u.name),
        ["200"],
      );
      assert.ok(await store.users.getAuth(domain.id, "200"));
    } finally {
      await store.close();
    }
  });
});
