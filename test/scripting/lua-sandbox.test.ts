/**
 * The script sandbox (issue 18: "sandboxed: no os.execute, os.exit, io, require of files,
 * package, dofile, loadfile, debug"), on real wasmoon VMs: what a script can and cannot reach,
 * that a syntax error names its line, and that two VMs share no globals. Limits (CPU, memory) are
 * in script-limits.test.ts, the host API in script-runner.test.ts.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { LuaVmHost } from "../../src/scripting/lua-vm-host.js";
import { runScript } from "../../src/scripting/script-runner.js";
import type { ScriptResult } from "../../src/scripting/script-types.js";

const host = new LuaVmHost();
after(() => host.close());

const run = (source: string, name = "probe") => runScript(host, { name, source });

function failure(result: ScriptResult) {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as Extract<ScriptResult, { ok: false }>).error;
}

describe("the sandbox", () => {
  it("leaves io, require, package, dofile, loadfile and debug out", async () => {
    const result = await run(`return {
      io = io == nil, require = require == nil, package = package == nil,
      dofile = dofile == nil, loadfile = loadfile == nil, debug = debug == nil,
      io_open = (io and io.open) == nil, sethook = (debug and debug.sethook) == nil }`);
    assert.deepEqual(result, {
      ok: true,
      value: {
        io: true,
        require: true,
        package: true,
        dofile: true,
        loadfile: true,
        debug: true,
        io_open: true,
        sethook: true,
      },
    });
  });

  it("keeps only os.time, clock, date and difftime", async () => {
    const result = await run(`local names = {}
      for k in pairs(os) do names[#names + 1] = k end
      table.sort(names)
      return table.concat(names, ",") .. " " .. tostring(os.time() > 1.7e9) .. " " .. os.date("!%Y", 0)`);
    assert.deepEqual(result, { ok: true, value: "clock,date,difftime,time true 1970" });
  });

  it("os.exit(3) is a call of nil, and process.exitCode stays undefined", async () => {
    const before = process.exitCode; // undefined, unless an earlier test failed
    const error = failure(await run("local x = 1\nos.exit(3)\nreturn x", "quit"));
    assert.equal(error.kind, "runtime");
    assert.equal(error.line, 2);
    assert.match(error.message, /^quit\.lua:2: attempt to call a nil value \(field 'exit'\)/);
    assert.equal(process.exitCode, before);
    assert.equal(before, undefined);
  });

  it("os.execute, os.remove, os.rename, os.tmpname and os.getenv are nil", async () => {
    const result = await run(
      "return os.execute == nil and os.remove == nil and os.rename == nil and os.tmpname == nil and os.getenv == nil",
    );
    assert.deepEqual(result, { ok: true, value: true });
  });

  it("load() compiles text only, and string.dump is gone", async () => {
    const result = await run(`
      local f, err = load(string.char(27) .. "Lua\\x54\\x00", "bin", "b")
      local ok = load("return 6 * 7")
      return { binary = f == nil and err, text = ok(), dump = string.dump == nil }`);
    assert.deepEqual(result, {
      ok: true,
      value: { binary: "attempt to load a binary chunk (mode is 't')", text: 42, dump: true },
    });
  });

  it("load() refuses more text than it may parse at once (parsing runs out of the hook's reach)", async () => {
    const result = await run(`
      local big = ("x = 1 "):rep(50000)
      local f1, e1 = load(big)
      local sent = false
      local f2, e2 = load(function() if sent then return nil end sent = true return big end)
      return { f1 == nil and e1, f2 == nil and e2 }`);
    assert.equal(result.ok, true);
    const [e1, e2] = (result as { value: string[] }).value;
    assert.match(e1, /load: a chunk of 300000 bytes is over the limit of 262144/);
    assert.match(e2, /load: a chunk over the limit of 262144 bytes/);
  });

  it("load() passes an environment through when one is given", async () => {
    const result = await run(`return load("return x", "c", "t", { x = 5 })()`);
    assert.deepEqual(result, { ok: true, value: 5 });
  });

  it("collectgarbage() answers count and collect, and refuses to stop the collector", async () => {
    const count = await run(`collectgarbage() return collectgarbage("count") > 0`);
    assert.deepEqual(count, { ok: true, value: true });
    const error = failure(await run(`\ncollectgarbage("stop")`, "gc"));
    assert.equal(error.line, 2);
    assert.match(error.message, /option 'stop' is not available/);
  });

  it("refuses __gc finalizers, which would run outside any slice", async () => {
    const error = failure(await run(`local t = {}\nsetmetatable(t, { __gc = function() end })`, "fin"));
    assert.equal(error.line, 2);
    assert.match(error.message, /__gc finalizers are not available/);
    assert.deepEqual(await run(`return getmetatable(setmetatable({}, { __index = { a = 1 } })).__index.a`), {
      ok: true,
      value: 1,
    });
  });

  it("keeps string, table, math, utf8 and coroutine", async () => {
    const result = await run(`
      local co = coroutine.wrap(function() coroutine.yield(1) return 2 end)
      return { ("abc"):upper(), table.concat({ 1, 2 }, "-"), math.max(3, 9), utf8.char(72, 105), co() + co() }`);
    assert.deepEqual(result, { ok: true, value: ["ABC", "1-2", 9, "Hi", 3] });
  });

  it("sends print() to the log callback", async () => {
    const lines: string[] = [];
    const result = await runScript(
      host,
      { name: "p", source: `print("a", 1, nil, true) return 0` },
      {
        log: (line) => lines.push(line),
      },
    );
    assert.equal(result.ok, true);
    assert.deepEqual(lines, ["a\t1\tnil\ttrue"]);
  });
});

describe("a syntax error", () => {
  it("fails the run with kind syntax, naming the script and the line", async () => {
    const error = failure(await run("local a = 1\nlocal b = 2\n\nif a then\n  b = = 3\nend\n", "broken"));
    assert.equal(error.kind, "syntax");
    assert.equal(error.script, "broken");
    assert.equal(error.line, 5);
    assert.match(error.message, /^broken\.lua:5: unexpected symbol near '='/);
  });
});

describe("two VMs", () => {
  it("cannot see each other's globals, even in one wasm module", async () => {
    const shared = new LuaVmHost({ vmsPerModule: 64 });
    const a = await shared.create("a");
    const b = await shared.create("b");
    try {
      a.global.set("secret", "from a");
      assert.equal(a.global.get("secret"), "from a");
      assert.equal(b.global.get("secret"), null);
    } finally {
      a.close();
      b.close();
      shared.close();
    }
  });

  it("running at once, each with its own value of a global", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const api = { wait: () => gate };
    const source = (me: string) => `marker = "${me}"\nwait()\nreturn marker`;
    const runs = ["a", "b", "c"].map((me) => runScript(host, { name: me, source: source(me) }, { api }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const results = await Promise.all(runs);
    assert.deepEqual(
      results.map((r) => r.ok && r.value),
      ["a", "b", "c"],
    );
  });

  it("keep their changes to the standard library to themselves", async () => {
    const first = await run(`string.upper = nil; print = nil; return "done"`);
    assert.deepEqual(first, { ok: true, value: "done" });
    assert.deepEqual(await run(`return ("x"):upper()`), { ok: true, value: "X" });
  });
});
