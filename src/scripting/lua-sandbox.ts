/**
 * One sandboxed Lua 5.4 VM (wasmoon) for one script instance (issue 18): the standard library cut
 * down by SANDBOX_PRELUDE, a memory cap (wasmoon's allocator, setMemoryMax), and a CPU budget per
 * slice of work checked by an instruction-count hook. It compiles text chunks and resumes
 * coroutines one slice at a time; script-runner.ts drives them through the awaits.
 *
 * NOTE: wasmoon's own `thread.run(0, { timeout })` is not used: its deadline spans the awaits (a
 * script waiting 20 s for digits would be "out of time"), and its hook closure keeps the first
 * deadline it was given. Ours reads the current slice's deadline.
 *
 * When a slice overruns, the hook yields the coroutine (lua_yield from a count hook, Lua 5.4
 * manual 4.7) rather than raising an error a script's pcall could catch; where yielding is not
 * possible (inside a C call such as table.sort's comparator) it raises, again at every check,
 * until the slice ends. The VM is closed afterwards, never resumed.
 */
import {
  LUA_REGISTRYINDEX,
  LuaEngine,
  type LuaGlobal,
  LuaMultiReturn,
  LuaReturn,
  type LuaThread,
  LuaType,
  type LuaWasm,
} from "wasmoon";
import { API_PRELUDE, SANDBOX_PRELUDE } from "./lua-prelude.js";
import { DEBUG_INFO_SIZE, errorText, lineInChunk, lineInMessage } from "./lua-stack.js";
import { patternCost } from "./pattern-cost.js";
import { PLAIN_DATA_LIMITS, PlainDataError, PlainDataExtension } from "./plain-data.js";
import { loadText, type PreludeChunks } from "./prelude-chunks.js";
import { type LuaLimits, type ScriptError, type ScriptErrorKind, scriptFileName } from "./script-types.js";

/** The wasm module a VM lives in (lua-vm-host.ts), told when a VM of it traps. */
export interface VmModule {
  readonly lua: LuaWasm;
  readonly preludes: PreludeChunks;
  /**
   * Something in a VM may have left module-wide state (the shared C stack, emscripten's longjmp
   * flags) off: host no new VMs here (lua-vm-host.ts says why).
   */
  retire(): void;
}

/** The outcome of one resume. */
export type Slice =
  | { kind: "done"; values: unknown[] }
  | { kind: "await"; promise: Promise<unknown> }
  | { kind: "failed"; error: ScriptError };

const HOOK_EVERY = 1000; // instructions between two budget checks (about 2-5 µs of Lua)
const LUA_MASKCOUNT = 8; // lua.h
/** Matcher steps per millisecond of budget: lstrlib's matcher takes about 14 ns a step here. */
const C_STEPS_PER_MS = 70_000;
const MAX_LOAD_BYTES = 256 * 1024;

export class LuaSandbox {
  readonly script: string;
  readonly limits: LuaLimits;
  readonly #file: string;
  readonly #engine: LuaEngine;
  readonly #lua: LuaWasm;
  readonly #module: VmModule;
  readonly #hook: number;
  readonly #debugInfo: number;
  #deadline = Number.POSITIVE_INFINITY;
  #cpuExceeded = false;
  #cpuLine: number | undefined;
  #trapped = false;
  #closed = false;
  #starter: number | undefined;

  constructor(module: VmModule, script: string, limits: LuaLimits, log: (line: string) => void = () => {}) {
    this.script = script;
    this.limits = limits;
    this.#file = scriptFileName(script);
    this.#module = module;
    this.#lua = module.lua;
    // enableProxy: false: a proxied JS object would let Lua walk to its constructor (Function)
    // and run JS. Values cross as copies; functions as callables. functionTimeout bounds Lua that
    // JS calls back (a promise callback), which runs outside our slices.
    this.#engine = new LuaEngine(this.#lua, {
      traceAllocations: true,
      enableProxy: false,
      injectObjects: false,
      functionTimeout: limits.cpuMsPerSlice,
    });
    const g = this.#engine.global;
    g.registerTypeExtension(10, new PlainDataExtension(g));
    const patterncost = (pattern: unknown, anchorable: unknown) => {
      const cost = patternCost(String(pattern), anchorable === true);
      return LuaMultiReturn.of(cost.power, cost.factor);
    };
    const print = (text: unknown) => {
      try {
        log(String(text));
      } catch {
        // a failing logger must not fail the script
      }
    };
    const cstack = (text: unknown) => this.#noteCStack(String(text));
    this.#prelude(SANDBOX_PRELUDE, "=parley-sandbox", [
      patterncost,
      print,
      cstack,
      limits.cpuMsPerSlice * C_STEPS_PER_MS,
      MAX_LOAD_BYTES,
    ]);
    g.setTop(0);
    this.#debugInfo = this.#lua.module._malloc(DEBUG_INFO_SIZE);
    this.#hook = this.#lua.module.addFunction((L: number) => this.#onCount(L), "vii");
    // Threads made later (ours and the script's coroutines) inherit the hook (lua_newthread).
    this.#lua.lua_sethook(g.address, this.#hook, LUA_MASKCOUNT, HOOK_EVERY);
    g.setMemoryMax(limits.memoryBytes);
  }

  get global(): LuaGlobal {
    return this.#engine.global;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes the Lua heap holds now. */
  memoryUsed(): number {
    return this.#engine.global.getMemoryUsed();
  }

  /** A new coroutine, anchored on the main stack until the VM closes. */
  newThread(): LuaThread {
    return this.#engine.global.newThread();
  }

  /**
   * Compiles `source` as text (mode "t": never a binary chunk) into a function on top of
   * `thread`'s stack, named `<script>.lua` in messages. Nothing runs.
   */
  compile(thread: LuaThread, source: string): ScriptError | undefined {
    const status = loadText(this.#lua, thread.address, source, `@${this.#file}`);
    if (status === LuaReturn.Ok) return undefined;
    const text = errorText(this.#lua, thread);
    thread.pop(1);
    this.#noteCStack(text);
    return this.error(status === LuaReturn.ErrorMem ? "memory" : "syntax", text, undefined);
  }

  /** Resumes `thread` with `nargs` values on its stack and runs it for one slice. */
  resume(thread: LuaThread, nargs: number): Slice {
    if (this.#closed) return { kind: "failed", error: this.error("runtime", "the VM is closed", undefined) };
    this.#deadline = performance.now() + this.limits.cpuMsPerSlice;
    let status: LuaReturn;
    let count: number;
    try {
      ({ result: status, resultCount: count } = thread.resume(nargs));
    } catch (err) {
      // A JS exception crossed the wasm frames (a wasm trap, or a value JS could not convert):
      // the Lua state is mid-operation and must not be touched again.
      this.#trapped = true;
      this.#module.retire();
      const detail = `the VM stopped: ${err instanceof Error ? err.message : String(err)}`;
      return { kind: "failed", error: this.#cpuExceeded ? this.#cpuError() : this.error("runtime", detail) };
    }
    if (this.#cpuExceeded) return { kind: "failed", error: this.#cpuError() };
    if (status === LuaReturn.Ok) {
      try {
        return { kind: "done", values: [...thread.getStackValues(thread.getTop() - count)] };
      } catch (err) {
        if (!(err instanceof PlainDataError)) throw err;
        return { kind: "failed", error: this.error("runtime", `the script returned ${err.message}`) };
      } finally {
        thread.setTop(0);
      }
    }
    if (status === LuaReturn.Yield) {
      const yielded = count === 1 ? thread.getValue(-1) : undefined;
      thread.pop(count);
      if (yielded instanceof Promise) return { kind: "await", promise: yielded };
      // A bare coroutine.yield() from the main flow: resuming at once would let a script spin
      // the event loop in slices forever.
      const detail = "coroutine.yield outside a coroutine the script created";
      return { kind: "failed", error: this.error("runtime", detail, thread.address) };
    }
    const text = errorText(this.#lua, thread);
    this.#noteCStack(text);
    const memory = status === LuaReturn.ErrorMem || text === "not enough memory";
    return {
      kind: "failed",
      error: memory
        ? this.error(
            "memory",
            `not enough memory (the cap is ${this.limits.memoryBytes} bytes)`,
            thread.address,
          )
        : this.error("runtime", text, thread.address),
    };
  }

  /** Frees the VM (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // A trapped state may be inconsistent: it is left to its module, which hosts no new VMs.
      if (!this.#trapped) this.#engine.global.close();
      this.#lua.module.removeFunction(this.#hook);
      this.#lua.module._free(this.#debugInfo);
    } catch {
      this.#module.retire();
    }
  }

  /**
   * Binds `api` (host functions, see API_PRELUDE) as globals. The starter it returns stays a Lua
   * value in the registry: converted to JS and back it would become a C function, across which
   * a coroutine cannot yield.
   */
  bindApi(api: { names: Record<number, string[]>; dispatch: (...args: unknown[]) => unknown }): void {
    const g = this.#engine.global;
    const args = [api.names, api.dispatch, PLAIN_DATA_LIMITS.depth, PLAIN_DATA_LIMITS.entries];
    this.#prelude(API_PRELUDE, "=parley-api", args, 1);
    this.#starter = this.#lua.luaL_ref(g.address, LUA_REGISTRYINDEX);
  }

  /** Pushes onto `thread` the starter of bindApi, then the global function `name`; false if none. */
  pushEntry(thread: LuaThread, name: string): boolean {
    if (this.#starter === undefined) throw new Error("bindApi() first");
    this.#lua.lua_rawgeti(thread.address, LUA_REGISTRYINDEX, BigInt(this.#starter));
    if (this.#lua.lua_getglobal(thread.address, name) === LuaType.Function) return true;
    thread.pop(2);
    return false;
  }

  /** Pushes the starter below the compiled chunk on top of `thread`. */
  insertStarter(thread: LuaThread): void {
    if (this.#starter === undefined) throw new Error("bindApi() first");
    this.#lua.lua_rawgeti(thread.address, LUA_REGISTRYINDEX, BigInt(this.#starter));
    this.#lua.lua_rotate(thread.address, -2, 1);
  }

  /** Runs trusted Lua on the main thread, no budget (the hook is not set yet or has no deadline). */
  #prelude(source: string, name: string, args: unknown[], results = 0): void {
    const g = this.#engine.global;
    this.#deadline = Number.POSITIVE_INFINITY;
    g.assertOk(this.#module.preludes.load(g.address, name, source));
    for (const arg of args) g.pushValue(arg);
    g.assertOk(this.#lua.lua_pcallk(g.address, args.length, results, 0, 0, null));
  }

  /**
   * Lua stops C recursion at 200 levels ("C stack overflow"), near the end of wasmoon's small C
   * stack. Seen here: after a chunk nesting table constructors past that limit failed to compile
   * in one VM, a pcall recursion to the limit in another VM of the same module trapped (it
   * returns normally in a fresh module). So such an error retires the module.
   */
  #noteCStack(text: string): void {
    if (text.includes("C stack overflow")) this.#module.retire();
  }

  #onCount(L: number): void {
    if (performance.now() <= this.#deadline) return;
    if (!this.#cpuExceeded) {
      this.#cpuExceeded = true;
      this.#cpuLine = lineInChunk(this.#lua, L, this.#debugInfo, `@${this.#file}`);
    }
    if (this.#lua.lua_isyieldable(L)) {
      this.#lua.lua_yieldk(L, 0, 0, null);
      return;
    }
    this.#lua.lua_pushstring(L, "CPU budget exceeded");
    this.#lua.lua_error(L);
  }

  #cpuError(): ScriptError {
    const text = `CPU budget exceeded (${this.limits.cpuMsPerSlice} ms per slice)`;
    return this.#located("cpu", text, this.#cpuLine);
  }

  /** An error for `text`, located by Lua's own "file:line:" prefix or by the stack of thread `L`. */
  error(kind: ScriptErrorKind, text: string, L?: number): ScriptError {
    const line = lineInMessage(text, this.#file);
    if (line !== undefined) return { kind, script: this.script, line, message: text };
    const chunk = `@${this.#file}`;
    const where =
      L === undefined || this.#trapped ? undefined : lineInChunk(this.#lua, L, this.#debugInfo, chunk);
    return this.#located(kind, text, where);
  }

  #located(kind: ScriptErrorKind, text: string, line: number | undefined): ScriptError {
    const where = line === undefined ? this.#file : `${this.#file}:${line}`;
    return {
      kind,
      script: this.script,
      ...(line === undefined ? {} : { line }),
      message: `${where}: ${text}`,
    };
  }
}
