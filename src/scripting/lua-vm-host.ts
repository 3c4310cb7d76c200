/**
 * Where script VMs are made (issue 18: "one VM per service instance, created fresh for each call
 * that triggers it (or from a warm pool)"). A VM is a Lua state inside a wasm module (wasmoon's
 * LuaFactory: one instantiated copy of Lua compiled to wasm, with its own linear memory).
 *
 * Measured (bench/lua-vm.bench.ts, Node 20, 2 CPUs): a new module costs 10-20 ms and a 16 MB
 * linear memory (about 700 KB resident per live VM with a module each); a new sandboxed Lua state
 * in an existing module about 1 ms, and about 90 KB resident per live VM (33 KB of it Lua heap).
 * So modules are shared by up to `vmsPerModule` VMs over their life, then retired (dropped once
 * their last VM closes, which gives the memory back), with `warmModules` initialised ahead so a
 * call never waits for one. `vmsPerModule: 1` gives each VM a module of its own.
 *
 * What sharing a module keeps apart: each VM has its own Lua state (globals, registry, heap
 * accounting and cap, hook); Lua's C code never reaches another state. What it shares: the linear
 * memory, the C stack (small: Lua's 200-level C recursion limit sits near its end) and
 * emscripten's longjmp state. A C stack overflow traps rather than overwriting (the stack sits at
 * the bottom of memory) and leaves the other states working, but seen here: after one VM failed
 * to compile a chunk nesting past the C limit, another VM's recursion to that limit trapped. So a
 * module is retired at once when one of its VMs traps, has a JS exception cross its wasm frames,
 * or meets "C stack overflow"; the VMs already there go on (the ones that then trap are those that
 * recurse to the C limit themselves). `vmsPerModule: 1` removes even that, at the cost above.
 * The memory a module grows to is only returned when it is retired.
 */
import { LuaFactory, type LuaWasm } from "wasmoon";
import { reuseFunctionSlots } from "./function-slots.js";
import { LuaSandbox, type VmModule } from "./lua-sandbox.js";
import { PreludeChunks } from "./prelude-chunks.js";
import { DEFAULT_LUA_LIMITS, type LuaLimits } from "./script-types.js";

export interface LuaVmHostOptions {
  /** VMs one wasm module hosts over its life (default 64; 1 = a module per VM). */
  vmsPerModule?: number;
  /** Modules initialised ahead of need (default 1). */
  warmModules?: number;
  /** Default limits of the VMs made here. */
  limits?: Partial<LuaLimits>;
}

class WasmModule implements VmModule {
  #lua: LuaWasm | undefined;
  #preludes: PreludeChunks | undefined;
  readonly ready: Promise<void>;
  /** VMs made or about to be made here. */
  reserved = 0;
  retired = false;

  constructor() {
    this.ready = new LuaFactory().getLuaModule().then((lua) => {
      reuseFunctionSlots(lua.module);
      this.#lua = lua;
      this.#preludes = new PreludeChunks(lua);
    });
    // A warm module nobody awaits yet must not raise an unhandled rejection.
    this.ready.catch(() => {
      this.retired = true;
    });
  }

  get lua(): LuaWasm {
    if (!this.#lua) throw new Error("wasm module not ready");
    return this.#lua;
  }

  get preludes(): PreludeChunks {
    if (!this.#preludes) throw new Error("wasm module not ready");
    return this.#preludes;
  }

  retire(): void {
    this.retired = true;
  }
}

export class LuaVmHost {
  readonly limits: LuaLimits;
  readonly #vmsPerModule: number;
  readonly #warmModules: number;
  #current: WasmModule | undefined;
  #warm: WasmModule[] = [];
  #modulesMade = 0;

  constructor(options: LuaVmHostOptions = {}) {
    this.#vmsPerModule = Math.max(1, options.vmsPerModule ?? 64);
    this.#warmModules = Math.max(0, options.warmModules ?? 1);
    this.limits = { ...DEFAULT_LUA_LIMITS, ...options.limits };
  }

  /** Wasm modules made so far (a measure for the bench and tests). */
  get modulesMade(): number {
    return this.#modulesMade;
  }

  /** A fresh sandboxed VM for one run of `script`; close() it when done. */
  async create(
    script: string,
    limits?: Partial<LuaLimits>,
    log?: (line: string) => void,
  ): Promise<LuaSandbox> {
    for (;;) {
      let module = this.#current;
      if (!module || module.retired || module.reserved >= this.#vmsPerModule) {
        module = this.#current = this.#takeWarm();
      }
      module.reserved++;
      await module.ready;
      if (module.retired) continue; // retired while we waited
      return new LuaSandbox(module, script, { ...this.limits, ...limits }, log);
    }
  }

  /** Starts loading the warm modules now rather than at the first create(). */
  async warmUp(): Promise<void> {
    this.#fillWarm();
    await Promise.all(this.#warm.map((m) => m.ready));
  }

  /** Drops the current and warm modules; VMs already made keep working until closed. */
  close(): void {
    this.#current = undefined;
    this.#warm = [];
  }

  #takeWarm(): WasmModule {
    const next = this.#warm.shift() ?? this.#newModule();
    this.#fillWarm();
    return next;
  }

  #fillWarm(): void {
    while (this.#warm.length < this.#warmModules) this.#warm.push(this.#newModule());
  }

  #newModule(): WasmModule {
    this.#modulesMade++;
    return new WasmModule();
  }
}
