import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { version } from "../../src/version.js";
import { runTool } from "../helpers/run-tool.js";

const bin = new URL("../../bin/parley.js", import.meta.url).pathname;

describe("parley start refuses bad settings", () => {
  it("names a bad flag value and exits 2", async () => {
    const r = await runTool(process.execPath, [bin, "start", "--sip-port", "abc"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sipPort \(flag --sip-port\): "abc" is not valid/);
  });
  it("names a bad environment value", async () => {
    const r = await runTool("env", ["PARLEY_LOG_LEVEL=loud", process.execPath, bin, "start"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /logLevel \(environment PARLEY_LOG_LEVEL\)/);
  });
  it("names an unknown config-file key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-cfg-"));
    const file = join(dir, "parley.json");
    writeFileSync(file, JSON.stringify({ sipPort: 5999, colour: "blue" }));
    const r = await runTool(process.execPath, [bin, "start", "--config", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown setting "colour"/);
  });
  it("prints its version", async () => {
    const r = await runTool(process.execPath, [bin, "--version"]);
    assert.equal(r.stdout.trim(), version);
  });
});
