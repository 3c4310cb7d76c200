/**
 * The script pool (issue 18: the script VMs off the signalling thread), on real worker threads and
 * wasmoon VMs: the host API stays on the main thread and answers across, with runScript's texts
 * for errors, limits and aborts; print() reaches the caller's log; parallel runs keep their own
 * replies; a worker that stops fails only its runs, and the pool goes on with a new one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { threadId } from "node:worker_threads";
import { ScriptPool } from "../../src/scripting/script-pool.js";
import type { ScriptResult } from "../../src/scripting/script-types.js";

const pool = new ScriptPool({ workers: 1, limits: { cpuMsPerSlice: 50, memoryBytes: 4 * 1024 * 1024 } });
before(() => pool.start());
after(() => pool.close());

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function failure(result: ScriptResult) {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as Extract<ScriptResult, { ok: false }>).error;
}

describe("ScriptPool.run() with host functions", () => {
  it("calls them on the main thread and the script reads their answers, async or not", async () => {
    const seen: unknown[] = [];
    const api = {
      call: {
        route: (number: unknown) => {
          seen.push(["route", number, threadId]);
          return { number, trunk: "main" };
        },
        collect: async (count: unknown) => {
          await sleep(20);
          return "1234".slice(0, Number(count));
        },
      },
      caller: () => "1001",
    };
    const source = `local r = call.route("1999")
local d = call.collect(3)
return caller() .. ">" .. r.number .. "/" .. r.trunk .. ":" .. d`;
    const result = await pool.run({ name: "route", source }, { api });
    assert.deepEqual(result, { ok: true, value: "1001>1999/main:123" });
    assert.deepEqual(seen, [["route", "1999", threadId]]);
  });

  it("passes tables both ways as copies, and drops what is not data (functions) as in-thread", async () => {
    const api = {
      sum: (list: unknown) => (list as number[]).reduce((a, b) => a + b, 0),
      info: () => ({ name: "Alice", hook: () => "no", when: new Date(0), tags: ["a", "b"] }),
    };
    const source = `local i = info()
return { sum({ 1, 2, 3 }), i.name, i.hook == nil, i.when, #i.tags }`;
    const result = await pool.run({ name: "data", source }, { api });
    assert.deepEqual(result, { ok: true, value: [6, "Alice", true, "1970-01-01T00:00:00.000Z", 2] });
  });

  it("refuses data over the plain-data limits both ways, as in-thread, and the run is not left pending", async () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 20; i++) deep = { deep };
    const api = { big: () => deep };
    const error = failure(
      await pool.run({ name: "big", source: "local x = 1\nlocal y = big()\nreturn y" }, { api }),
    );
    assert.equal(error.line, 2);
    assert.match(error.message, /^big\.lua:2: big: its result is nested deeper than 16 levels/);
    const args = failure(
      await pool.run({ name: "args", source: "function main(a) end" }, { entry: "main", args: [deep] }),
    );
    assert.match(args.message, /^args\.lua: the entry's arguments cannot cross/);
    assert.equal(pool.active, 0);
  });

  it("runs an entry function with its arguments", async () => {
    const source = "function main(n, o) return n .. (o.video and '+v' or '') end";
    const result = await pool.run(
      { name: "entry", source },
      { entry: "main", args: ["2002", { video: true }] },
    );
    assert.deepEqual(result, { ok: true, value: "2002+v" });
  });
});

describe("ScriptPool.run() failures", () => {
  it("a host function's error keeps its text and the script's line, sync or async, and pcall catches it", async () => {
    const api = {
      call: {
        route: () => {
          throw new Error("1999 is not a number this domain routes");
        },
      },
      dial: async (n: unknown) => Promise.reject(new Error(`${String(n)} is busy`)),
    };
    const sync = failure(await pool.run({ name: "s", source: "local a = 1\n\ncall.route('1999')" }, { api }));
    assert.equal(sync.kind, "runtime");
    assert.equal(sync.line, 3);
    assert.equal(sync.message, "s.lua:3: call.route: 1999 is not a number this domain routes");
    const async = failure(
      await pool.run({ name: "d", source: "local x = 1\nlocal r = dial('2002')" }, { api }),
    );
    assert.equal(async.line, 2);
    assert.equal(async.message, "d.lua:2: dial: 2002 is busy");
    const caught = await pool.run(
      { name: "e", source: "local ok, err = pcall(dial, '2002')\nreturn err" },
      { api },
    );
    assert.deepEqual(caught, { ok: true, value: "dial: 2002 is busy" });
  });

  it("a syntax error and a Lua error name their line", async () => {
    const syntax = failure(await pool.run({ name: "bad", source: "local x = \n\nreturn (" }));
    assert.equal(syntax.kind, "syntax");
    assert.match(syntax.message, /^bad\.lua:3:/);
    const runtime = failure(await pool.run({ name: "nil", source: "local t\n\nreturn t.x" }));
    assert.equal(runtime.kind, "runtime");
    assert.equal(runtime.line, 3);
    assert.match(runtime.message, /^nil\.lua:3: attempt to index a nil value/);
  });

  it("an endless loop is stopped (kind cpu) at its line, after a host call", async () => {
    const source = "tick()\nlocal n = 0\nwhile true do\n  n = n + 1\nend\n";
    const error = failure(await pool.run({ name: "spin", source }, { api: { tick: () => sleep(2) } }));
    assert.equal(error.kind, "cpu");
    assert.equal(error.line, 4);
    assert.match(error.message, /^spin\.lua:4: CPU budget exceeded \(50 ms per slice\)/);
  });

  it("a loop on a host function that answers at once still spends its slice's budget (kind cpu, its line)", async () => {
    let calls = 0;
    const api = {
      user: {
        name: () => {
          calls++;
          const until = performance.now() + 0.05; // the host's own work counts, as in-thread
          while (performance.now() < until);
          return "Alice";
        },
      },
    };
    const source = "local n = 0\nwhile true do\n  n = n + #user.name('1001')\nend";
    const started = performance.now();
    const error = failure(await pool.run({ name: "busy", source }, { api }));
    assert.equal(error.kind, "cpu");
    assert.equal(error.line, 3);
    assert.equal(error.message, "busy.lua:3: CPU budget exceeded (50 ms per slice)");
    assert.ok(calls > 100, `only ${calls} calls`);
    assert.ok(performance.now() - started < 5000);
  });

  it("300 quick host calls answered at once (as in-thread, ~10 ms of slice), or many awaits, pass", async () => {
    const api = { add: (a: unknown, b: unknown) => Number(a) + Number(b), later: async () => 1 };
    const source =
      "local s = 0\nfor i = 1, 300 do s = add(s, i) end\nfor i = 1, 200 do s = s + later() end\nreturn s";
    assert.deepEqual(await pool.run({ name: "quick", source }, { api }), { ok: true, value: 45350 });
  });

  it("endless allocation is stopped (kind memory) at its line, and the next run works", async () => {
    const source = "local t = {}\nlocal i = 0\nwhile true do\n  i = i + 1\n  t[i] = ('x'):rep(64) .. i\nend";
    const error = failure(await pool.run({ name: "hog", source }, { limits: { cpuMsPerSlice: 5000 } }));
    assert.equal(error.kind, "memory");
    assert.equal(error.line, 5);
    assert.match(error.message, /^hog\.lua:5: not enough memory \(the cap is 4194304 bytes\)/);
    assert.deepEqual(await pool.run({ name: "next", source: "return #('y'):rep(1000)" }), {
      ok: true,
      value: 1000,
    });
  });
});

describe("ScriptPool.run() with an abort signal", () => {
  it("stops a script waiting for the host (kind aborted, at its line, with the reason)", async () => {
    const controller = new AbortController();
    const run = pool.run(
      { name: "hung", source: "local x = 1\nlocal d = collect(4)\nreturn d" },
      { api: { collect: () => new Promise(() => {}) }, signal: controller.signal },
    );
    await sleep(50);
    assert.equal(pool.active, 1);
    controller.abort(new Error("the caller hung up"));
    const error = failure(await run);
    assert.equal(error.kind, "aborted");
    assert.equal(error.line, 2);
    assert.equal(error.message, "hung.lua:2: stopped while waiting: the caller hung up");
    assert.equal(pool.active, 0);
  });

  it("already aborted: the script does not run (as in-thread)", async () => {
    const controller = new AbortController();
    controller.abort("gone");
    let called = false;
    const result = await pool.run(
      { name: "late", source: "local d = collect(4)\nreturn d" },
      {
        api: {
          collect: () => {
            called = true;
          },
        },
        signal: controller.signal,
      },
    );
    assert.equal(failure(result).kind, "aborted");
    assert.match(failure(result).message, /stopped while waiting: gone$/);
    assert.equal(called, false);
  });
});

describe("ScriptPool.run() and print()", () => {
  it("sends the script's print lines to options.log, in order", async () => {
    const lines: string[] = [];
    const source = "print('one', 1)\nlocal x = wait()\nprint('two', x)\nreturn x";
    const result = await pool.run(
      { name: "p", source },
      { api: { wait: () => "w" }, log: (l) => lines.push(l) },
    );
    assert.deepEqual(result, { ok: true, value: "w" });
    assert.deepEqual(lines, ["one\t1", "two\tw"]);
  });
});

describe("parallel runs", () => {
  async function mixed(on: ScriptPool) {
    const api = (tag: string) => ({
      echo: async (i: unknown) => {
        await sleep(Math.random() * 5);
        return `${tag}${String(i)}`;
      },
    });
    const source = "local out = {}\nfor i = 1, 20 do out[i] = echo(i) end\nreturn table.concat(out, ',')";
    const tags = ["a", "b", "c", "d"];
    const results = await Promise.all(tags.map((tag) => on.run({ name: tag, source }, { api: api(tag) })));
    tags.forEach((tag, k) => {
      const want = Array.from({ length: 20 }, (_, i) => `${tag}${i + 1}`).join(",");
      assert.deepEqual(results[k], { ok: true, value: want });
    });
  }

  it("on one worker do not mix up their replies", () => mixed(pool));

  it("on two workers are spread over both and do not mix up their replies", async () => {
    const two = new ScriptPool({ workers: 2 });
    try {
      await two.start();
      assert.equal(two.workers.length, 2);
      const gates: (() => void)[] = [];
      const api = { wait: () => new Promise<void>((resolve) => gates.push(resolve)) };
      const held = [
        two.run({ name: "h1", source: "wait()" }, { api }),
        two.run({ name: "h2", source: "wait()" }, { api }),
      ];
      await sleep(50);
      assert.equal(two.active, 2);
      await mixed(two);
      for (const open of gates) open();
      for (const result of await Promise.all(held)) assert.equal(result.ok, true);
    } finally {
      await two.close();
    }
  });
});

describe("a worker that stops", () => {
  it("fails its runs (runtime, 'the script worker stopped'), is replaced, and the pool keeps serving", async () => {
    const crashing = new ScriptPool({ workers: 2 });
    try {
      await crashing.start();
      const [first, second] = crashing.workers as [
        import("node:worker_threads").Worker,
        ...import("node:worker_threads").Worker[],
      ];
      const api = { wait: () => new Promise(() => {}) };
      // Least busy first: the first run goes to the first worker, the second to the other.
      const doomed = crashing.run({ name: "doomed", source: "wait()" }, { api });
      const survivor = crashing.run(
        { name: "survivor", source: "local x = go()\nreturn x" },
        {
          api: { go: () => sleep(300).then(() => "still here") },
        },
      );
      await sleep(50);
      await first.terminate();
      const error = failure(await doomed);
      assert.equal(error.kind, "runtime");
      assert.equal(error.script, "doomed");
      assert.match(error.message, /^doomed\.lua: the script worker stopped: exited with code 1/);
      assert.deepEqual(await survivor, { ok: true, value: "still here" });
      assert.equal(crashing.workers.length, 2);
      assert.ok(!crashing.workers.includes(first) && crashing.workers.includes(second));
      assert.deepEqual(await crashing.run({ name: "after", source: "return 6 * 7" }), {
        ok: true,
        value: 42,
      });
      assert.equal(crashing.active, 0);
    } finally {
      await crashing.close();
    }
  });

  it("after close(), runs fail at once and close() again is harmless", async () => {
    const closing = new ScriptPool({ workers: 1 });
    await closing.start();
    const pending = closing.run(
      { name: "held", source: "wait()" },
      { api: { wait: () => new Promise(() => {}) } },
    );
    await sleep(20);
    await closing.close();
    assert.match(failure(await pending).message, /^held\.lua: the script worker stopped: the pool closed/);
    assert.match(failure(await closing.run({ name: "x", source: "return 1" })).message, /the pool is closed/);
    await closing.close();
  });
});
