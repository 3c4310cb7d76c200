/**
 * Service scripts on disk (issue 18: "Scripts live in the data directory (scripts/), are listed,
 * edited and validated (syntax checked on save) ... and reload without restart"): list, read, save
 * with a syntax check naming the line, delete, names without path traversal, and a saved edit
 * seen by the next read.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { LuaVmHost } from "../../src/scripting/lua-vm-host.js";
import { MAX_SCRIPT_BYTES, ScriptFiles, ScriptNameError } from "../../src/scripting/script-files.js";
import { runScript } from "../../src/scripting/script-runner.js";

const host = new LuaVmHost();
const root = mkdtempSync(join(tmpdir(), "parley-scripts-"));
after(() => {
  host.close();
  rmSync(root, { recursive: true, force: true });
});

let dataDir = "";
let files: ScriptFiles;
let n = 0;
beforeEach(() => {
  dataDir = join(root, `d${n++}`);
  files = new ScriptFiles(dataDir, host);
});

describe("ScriptFiles", () => {
  it("lists nothing before the folder exists", async () => {
    assert.deepEqual(await files.list(), []);
  });

  it("saves, lists, reads and deletes a script in <dataDir>/scripts", async () => {
    assert.deepEqual(await files.save("screening", "return 1"), { ok: true });
    assert.deepEqual(await files.save("card_v2-b", "return 2"), { ok: true });
    assert.ok(existsSync(join(dataDir, "scripts", "screening.lua")));
    const listed = await files.list();
    assert.deepEqual(
      listed.map((s) => [s.name, s.bytes]),
      [
        ["card_v2-b", 8],
        ["screening", 8],
      ],
    );
    assert.ok(listed[0].modifiedAt > 0);
    assert.deepEqual(await files.read("screening"), { name: "screening", source: "return 1" });
    assert.equal(await files.remove("screening"), true);
    assert.equal(await files.remove("screening"), false);
    assert.equal(await files.read("screening"), undefined);
  });

  it("leaves files that are not scripts out of the list", async () => {
    await files.save("ok", "return 1");
    writeFileSync(join(files.dir, "Notes.txt"), "x");
    writeFileSync(join(files.dir, "Upper.lua"), "return 1");
    assert.deepEqual(
      (await files.list()).map((s) => s.name),
      ["ok"],
    );
  });

  it("refuses a save with a syntax error, naming its line, and keeps the old text", async () => {
    await files.save("route", "return 'old'");
    const saved = await files.save("route", "local a = 1\nif a then\n  a = = 2\nend");
    assert.equal(saved.ok, false);
    if (saved.ok) return;
    assert.equal(saved.error.code, "syntax");
    assert.equal(saved.error.line, 3);
    assert.match(saved.error.message, /^route\.lua:3: unexpected symbol near '='/);
    assert.deepEqual(await files.read("route"), { name: "route", source: "return 'old'" });
    assert.deepEqual(
      readdirSync(files.dir).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });

  it("refuses a script over the size limit", async () => {
    const saved = await files.save("big", `return "${"x".repeat(MAX_SCRIPT_BYTES)}"`);
    assert.equal(saved.ok === false && saved.error.code, "too-large");
  });

  it("refuses names with ../, slashes, dots, capitals or over 64 characters", async () => {
    for (const name of ["../evil", "..", "a/b", "a.b", "Card", "", "x".repeat(65), "a\\b", "é"]) {
      const saved = await files.save(name, "return 1");
      assert.equal(saved.ok === false && saved.error.code, "invalid-name", name);
      await assert.rejects(files.read(name), ScriptNameError);
      await assert.rejects(files.remove(name), ScriptNameError);
    }
    assert.equal(existsSync(join(dataDir, "evil.lua")), false);
    assert.deepEqual((await files.save("x".repeat(64), "return 1")).ok, true);
  });

  it("reloads without restart: the next run after a save gets the new text", async () => {
    await files.save("greeting", "return 'hello'");
    const first = await files.read("greeting");
    assert.deepEqual(await runScript(host, first!), { ok: true, value: "hello" });
    await files.save("greeting", "return 'bonjour'");
    const second = await files.read("greeting");
    assert.deepEqual(await runScript(host, second!), { ok: true, value: "bonjour" });
  });
});

describe("ScriptFiles: the in-memory copy", () => {
  it("serves a script from memory, and reads it again after a save or an edit by hand", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "parley-script-cache-"));
    const files = new ScriptFiles(dir, new LuaVmHost({ warmModules: 0 }));
    try {
      assert.deepEqual(await files.save("cached", "return 1\n"), { ok: true });
      assert.equal((await files.read("cached"))?.source, "return 1\n");
      assert.deepEqual(await files.save("cached", "return 2\n"), { ok: true });
      assert.equal((await files.read("cached"))?.source, "return 2\n", "a save replaces the copy at once");
      writeFileSync(join(files.dir, "cached.lua"), "return 3\n");
      let seen = "";
      for (let i = 0; i < 100 && seen !== "return 3\n"; i++) {
        seen = (await files.read("cached"))?.source ?? "";
        if (seen !== "return 3\n") await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(seen, "return 3\n", "an edit by hand is seen (fs.watch)");
      assert.equal(await files.remove("cached"), true);
      assert.equal(await files.read("cached"), undefined, "a deleted script is gone at once");
    } finally {
      files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
