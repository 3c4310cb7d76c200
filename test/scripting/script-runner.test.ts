/**
 * The script runner's host API (issue 18: "a documented Lua API that is asynchronous-friendly
 * (coroutines, no callbacks for the script writer)"), on real wasmoon VMs: host functions that
 * return promises are called like plain functions and awaited; failures land on the script's
 * line; data crosses as copies within limits; a run can be stopped while it waits; an entry
 * function gets arguments. The API itself (answer, play, collect...) is the lead's wiring, later.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { LuaVmHost } from "../../src/scripting/lua-vm-host.js";
import { checkSyntax, runScript } from "../../src/scripting/script-runner.js";
import type { ScriptResult } from "../../src/scripting/script-types.js";

const host = new LuaVmHost();
after(() => host.close());

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function failure(result: ScriptResult) {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as Extract<ScriptResult, { ok: false }>).error;
}

describe("a host function returning a promise", () => {
  it("is awaited transparently: the script reads its value like a plain call's", async () => {
    const calls: unknown[] = [];
    const api = {
      call: {
        answer: () => {
          calls.push("answer");
        },
        collect: async (count: unknown) => {
          calls.push(["collect", count]);
          await sleep(30);
          return "1234".slice(0, Number(count));
        },
      },
    };
    const source = `call.answer()
local digits = call.collect(4)
local again = call.collect(2)
return digits .. "/" .. again`;
    const result = await runScript(host, { name: "card", source }, { api });
    assert.deepEqual(result, { ok: true, value: "1234/12" });
    assert.deepEqual(calls, ["answer", ["collect", 4], ["collect", 2]]);
  });

  it("that rejects raises an error at the script's line, which pcall can catch", async () => {
    const api = { dial: async (n: unknown) => Promise.reject(new Error(`${String(n)} is busy`)) };
    const raised = failure(
      await runScript(host, { name: "d", source: "local x = 1\nlocal r = dial('2002')\nreturn r" }, { api }),
    );
    assert.equal(raised.kind, "runtime");
    assert.equal(raised.line, 2);
    assert.equal(raised.message, "d.lua:2: dial: 2002 is busy");
    const caught = await runScript(
      host,
      { name: "e", source: "local ok, err = pcall(dial, '2002')\nreturn err" },
      { api },
    );
    assert.deepEqual(caught, { ok: true, value: "dial: 2002 is busy" });
  });

  it("many in a row: a thousand awaits in one run", async () => {
    const api = { next: (i: unknown) => Promise.resolve(Number(i) + 1) };
    const source = "local i = 0\nfor n = 1, 1000 do i = next(i) end\nreturn i";
    assert.deepEqual(await runScript(host, { name: "many", source }, { api }), { ok: true, value: 1000 });
  });
});

describe("a synchronous host function", () => {
  it("returns its value at once, and a throw is the script's error at its line", async () => {
    const api = {
      user: { name: (n: unknown) => (n === "1001" ? "Alice" : undefined) },
      fail: () => {
        throw new Error("no such user");
      },
    };
    const ok = await runScript(
      host,
      { name: "u", source: "return { user.name('1001'), user.name('9') == nil }" },
      { api },
    );
    assert.deepEqual(ok, { ok: true, value: ["Alice", true] });
    const error = failure(
      await runScript(host, { name: "v", source: "\n\nlocal x = fail()\nreturn x" }, { api }),
    );
    assert.equal(error.message, "v.lua:3: fail: no such user");
  });
});

describe("data crossing", () => {
  it("tables reach the host as objects and arrays, and results come back as tables", async () => {
    let seen: unknown[] = [];
    const api = {
      take: (...args: unknown[]) => {
        seen = args;
        return { id: 7, tags: ["a", "b"], none: null, when: new Date(0), fn: () => 1 };
      },
    };
    const source = `local r = take("x", 2, true, nil, { 1, 2, 3 }, { name = "n", inner = { ok = true } }, print)
return { r.id, r.tags[2], r.none == nil, r.when, r.fn == nil }`;
    const result = await runScript(host, { name: "data", source }, { api });
    assert.deepEqual(result, { ok: true, value: [7, "b", true, "1970-01-01T00:00:00.000Z", true] });
    assert.deepEqual(seen, [
      "x",
      2,
      true,
      undefined,
      [1, 2, 3],
      { name: "n", inner: { ok: true } },
      undefined,
    ]);
  });

  it("a table nested 16 deep arrives whole, and the VM closes cleanly", async () => {
    const own = new LuaVmHost({ vmsPerModule: 64 });
    try {
      let seen: unknown;
      const api = {
        take: (t: unknown) => {
          seen = t;
          return t;
        },
      };
      const source = `local t = {}
local cur = t
for i = 2, 16 do cur.next = { i = i } cur = cur.next end
local back = take(t)
return back.next.next.next.i`;
      for (let i = 0; i < 20; i++) {
        assert.deepEqual(await runScript(own, { name: "deep", source }, { api }), { ok: true, value: 4 });
      }
      let depth = 0;
      for (let cur = seen as { next?: unknown }; cur; cur = cur.next as { next?: unknown }) depth++;
      assert.equal(depth, 16);
      assert.equal(own.modulesMade, 2, "no VM trapped (the current module and one warm)");
    } finally {
      own.close();
    }
  });

  it("a result nested 100 deep fails the run, and the VM closes cleanly", async () => {
    // wasmoon's own conversion recursed without lua_checkstack: past the Lua stack into the heap,
    // and lua_close then trapped (plain-data.ts).
    const own = new LuaVmHost({ vmsPerModule: 64 });
    try {
      const source =
        "local t = {}\nlocal cur = t\nfor i = 2, 100 do cur.next = {} cur = cur.next end\nreturn t";
      for (let i = 0; i < 5; i++) {
        const error = failure(await runScript(own, { name: "deep", source }));
        assert.equal(error.message, "deep.lua: the script returned a table nested deeper than 16 levels");
      }
      assert.equal(own.modulesMade, 2, "no VM trapped (the current module and one warm)");
    } finally {
      own.close();
    }
  });

  it("a table nested past the limit is refused at the script's line, without reaching the host", async () => {
    let reached = false;
    const api = {
      take: () => {
        reached = true;
      },
    };
    const source = "local t = {}\nt.self = t\ntake(t)";
    const error = failure(await runScript(host, { name: "cyc", source }, { api }));
    assert.equal(error.line, 3);
    assert.match(error.message, /take: argument 1 is a table nested deeper than 16 levels/);
    assert.equal(reached, false);
  });
});

describe("the script's own coroutines", () => {
  it("cannot call host functions (their yield would land in the script)", async () => {
    const api = { wait: () => sleep(1) };
    const source = "local co = coroutine.wrap(function()\n  wait()\nend)\nco()";
    const error = failure(await runScript(host, { name: "inner", source }, { api }));
    assert.equal(error.line, 2);
    assert.match(error.message, /wait: host functions can only be called from the script's main flow/);
  });

  it("a bare coroutine.yield() from the main flow fails the run", async () => {
    const error = failure(
      await runScript(host, { name: "y", source: "local a = 1\ncoroutine.yield()\nreturn a" }),
    );
    assert.equal(error.kind, "runtime");
    assert.equal(error.line, 2);
  });
});

describe("an abort signal", () => {
  it("stops a script waiting for the host (kind aborted, at its line)", async () => {
    const controller = new AbortController();
    const api = { collect: () => new Promise(() => {}) };
    const run = runScript(
      host,
      { name: "hung", source: "local x = 1\nlocal d = collect(4)\nreturn d" },
      {
        api,
        signal: controller.signal,
      },
    );
    await sleep(20);
    controller.abort(new Error("the caller hung up"));
    const error = failure(await run);
    assert.equal(error.kind, "aborted");
    assert.equal(error.line, 2);
    assert.equal(error.message, "hung.lua:2: stopped while waiting: the caller hung up");
  });
});

describe("an entry function", () => {
  it("runs after the chunk, with the arguments given", async () => {
    const source = `local prefix = "to "
function main(number, options)
  return prefix .. number .. (options.video and " with video" or "")
end`;
    const result = await runScript(
      host,
      { name: "route", source },
      { entry: "main", args: ["2002", { video: true }] },
    );
    assert.deepEqual(result, { ok: true, value: "to 2002 with video" });
  });

  it("that the script does not define fails the run", async () => {
    const error = failure(await runScript(host, { name: "noentry", source: "x = 1" }, { entry: "main" }));
    assert.equal(error.message, "noentry.lua: the script defines no function 'main'");
  });
});

describe("checkSyntax()", () => {
  it("compiles without running, and names the line of an error", async () => {
    const started = performance.now();
    assert.equal(await checkSyntax(host, "fine", "while true do end"), undefined);
    assert.ok(performance.now() - started < 40, "the loop did not run (it would take the 50 ms budget)");
    const error = await checkSyntax(host, "bad", "local a = 1\nlocal = 2\n");
    assert.equal(error?.kind, "syntax");
    assert.equal(error?.line, 2);
    assert.match(error?.message ?? "", /^bad\.lua:2: /);
  });
});
