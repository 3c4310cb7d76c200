/**
 * reuseFunctionSlots (src/scripting/function-slots.ts): VMs made one after another in one wasm
 * module reuse the table slots of their JS callbacks, and each VM's callbacks are its own (its
 * host functions, its allocator's memory cap), never a closed VM's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LuaEngine, LuaFactory } from "wasmoon";
import { reuseFunctionSlots } from "../../src/scripting/function-slots.js";
import { LuaVmHost } from "../../src/scripting/lua-vm-host.js";
import { runScript } from "../../src/scripting/script-runner.js";

describe("reuseFunctionSlots()", () => {
  it("gives 50 VMs in a row the same few slots, each calling its own callbacks", async () => {
    const lua = await new LuaFactory().getLuaModule();
    const made = reuseFunctionSlots(lua.module);
    for (let i = 0; i < 50; i++) {
      const engine = new LuaEngine(lua, { traceAllocations: true, enableProxy: false, injectObjects: false });
      try {
        engine.global.set("mine", () => i);
        assert.equal(await engine.doString("return mine()"), i);
        // The allocator in the reused slot is this VM's: its cap applies (64 KB, not the last VM's 4 MB).
        engine.global.setMemoryMax(i % 2 === 0 ? 64 * 1024 : 4 * 1024 * 1024);
        const grow = "local t = {} for n = 1, 20000 do t[n] = n end return #t";
        if (i % 2 === 0) await assert.rejects(engine.doString(grow), /not enough memory/);
        else assert.equal(await engine.doString(grow), 20000);
      } finally {
        engine.global.close();
      }
    }
    assert.ok(made() <= 12, `${made()} slots made for 50 VMs one after another`);
  });

  it("a host's VMs still keep their CPU budget and host calls across reused slots", async () => {
    const host = new LuaVmHost();
    try {
      for (let i = 0; i < 20; i++) {
        const ok = await runScript(
          host,
          { name: "ok", source: "return call.twice(21)" },
          { api: { call: { twice: (n: unknown) => Number(n) * 2 } } },
        );
        assert.deepEqual(ok, { ok: true, value: 42 });
        const spin = await runScript(
          host,
          { name: "spin", source: "while true do end" },
          { limits: { cpuMsPerSlice: 5 } },
        );
        assert.equal(spin.ok ? "ok" : spin.error.kind, "cpu");
      }
    } finally {
      host.close();
    }
  });
});
