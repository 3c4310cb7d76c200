/**
 * Runs a service script in a fresh sandboxed VM (issue 18): the chunk, then optionally a global
 * entry function it defines, each as a coroutine driven slice by slice. The host API is an object
 * of TypeScript functions (or namespaces of them) that may return promises; the script calls them
 * like plain functions, `local digits = call.collect(4)`, and the coroutine is suspended until the
 * promise settles (lua-prelude.ts API_PRELUDE). The CPU budget applies to each slice between two
 * awaits; the time spent waiting for the host is not counted.
 *
 * Values cross as copies: Lua tables arrive as JS objects or arrays, nil as undefined; a host
 * function's result goes back as plain data (objects, arrays, strings, numbers, booleans).
 */
import { LuaMultiReturn, type LuaThread } from "wasmoon";
import type { LuaSandbox } from "./lua-sandbox.js";
import type { LuaVmHost } from "./lua-vm-host.js";
import { PLAIN_DATA_LIMITS, PlainDataError } from "./plain-data.js";
import { type LuaLimits, type ScriptError, type ScriptResult, scriptFileName } from "./script-types.js";

export type HostFunction = (...args: unknown[]) => unknown;
export type HostApi = Record<string, HostFunction | Record<string, HostFunction>>;

export interface ScriptSource {
  /** The script's name; messages call it `<name>.lua`. */
  name: string;
  source: string;
}

export interface RunOptions {
  /** Globals the script can call: `{ call: { collect } }` gives `call.collect(4)`. */
  api?: HostApi;
  /** A global function the chunk defines, called after the chunk ran; its result is the value. */
  entry?: string;
  /** The entry's arguments (plain data). */
  args?: unknown[];
  limits?: Partial<LuaLimits>;
  /** Stops the script at its next await (the call it serves ended). */
  signal?: AbortSignal;
  /** Where the script's print() goes. */
  log?: (line: string) => void;
}

/** Runs `script` to its end in a VM of its own, closed afterwards whatever happened. */
export async function runScript(
  host: LuaVmHost,
  script: ScriptSource,
  options: RunOptions = {},
): Promise<ScriptResult> {
  let vm: LuaSandbox;
  try {
    vm = await host.create(script.name, options.limits, options.log);
  } catch (error) {
    const text = `${scriptFileName(script.name)}: no VM could be made: ${(error as Error).message}`;
    return { ok: false, error: { kind: "runtime", script: script.name, message: text } };
  }
  try {
    vm.bindApi(luaApi(options.api ?? {}));
    const chunk = vm.newThread();
    const syntax = vm.compile(chunk, script.source);
    if (syntax) return { ok: false, error: syntax };
    vm.insertStarter(chunk);
    const ran = await drive(vm, chunk, 1, options.signal);
    if (!ran.ok || options.entry === undefined) return ran;
    const thread = vm.newThread();
    if (!vm.pushEntry(thread, options.entry)) {
      return { ok: false, error: vm.error("runtime", `the script defines no function '${options.entry}'`) };
    }
    const args = options.args ?? [];
    for (const arg of args) thread.pushValue(toLua(arg));
    return await drive(vm, thread, 1 + args.length, options.signal);
  } finally {
    vm.close();
  }
}

/** Compiles `source` without running it: the syntax error (naming its line), if any. */
export async function checkSyntax(
  host: LuaVmHost,
  name: string,
  source: string,
): Promise<ScriptError | undefined> {
  const vm = await host.create(name);
  try {
    return vm.compile(vm.newThread(), source);
  } finally {
    vm.close();
  }
}

async function drive(
  vm: LuaSandbox,
  thread: LuaThread,
  nargs: number,
  signal?: AbortSignal,
): Promise<ScriptResult> {
  for (let args = nargs; ; args = 0) {
    if (signal?.aborted) return aborted(vm, thread, signal);
    const slice = vm.resume(thread, args);
    if (slice.kind === "done") return { ok: true, value: fromLua(slice.values[0]) };
    if (slice.kind === "failed") return { ok: false, error: slice.error };
    // wasmoon's await promise never rejects: it records the outcome for the continuation.
    if ((await settledOrAborted(slice.promise, signal)) === ABORTED) return aborted(vm, thread, signal);
  }
}

const ABORTED = Symbol("aborted");

function settledOrAborted(promise: Promise<unknown>, signal?: AbortSignal): Promise<unknown> {
  if (!signal) return promise;
  let onAbort = () => {};
  const stop = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([promise, stop]).finally(() => signal.removeEventListener("abort", onAbort));
}

function aborted(vm: LuaSandbox, thread: LuaThread, signal?: AbortSignal): ScriptResult {
  const reason =
    signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? "aborted");
  return { ok: false, error: vm.error("aborted", `stopped while waiting: ${reason}`, thread.address) };
}

/**
 * The API as the VM receives it: the names, [namespace, function] or [function], indexed from 1,
 * and one dispatcher that calls the host function of an index and answers (kind, value) for
 * API_PRELUDE's bind(). One JS function crosses, whatever the size of the API.
 */
function luaApi(api: HostApi): {
  names: Record<number, string[]>;
  dispatch: (...args: unknown[]) => unknown;
} {
  const names: Record<number, string[]> = {};
  const calls: Array<(...args: unknown[]) => unknown> = [];
  for (const [name, member] of Object.entries(api)) {
    if (typeof member === "function") {
      calls.push(hostCall(member));
      names[calls.length] = [name];
    } else {
      for (const [k, f] of Object.entries(member)) {
        calls.push(hostCall(f));
        names[calls.length] = [name, k];
      }
    }
  }
  const dispatch = (index: unknown, ...args: unknown[]) => calls[(index as number) - 1]!(...args);
  return { names, dispatch };
}

const VALUE = 0;
const PROMISE = 1;
const FAILED = 2;

function hostCall(fn: HostFunction): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    let result: unknown;
    try {
      result = fn(...args.map(fromLua));
    } catch (error) {
      return failed(error);
    }
    if (!isThenable(result)) return answer(result);
    return LuaMultiReturn.of<unknown>(PROMISE, Promise.resolve(result).then(answer, failed));
  };
}

function answer(value: unknown): LuaMultiReturn {
  try {
    return LuaMultiReturn.of<unknown>(VALUE, toLua(value));
  } catch (error) {
    return failed(error);
  }
}

function failed(error: unknown): LuaMultiReturn {
  return LuaMultiReturn.of<unknown>(FAILED, errorText(error));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function"
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An argument from the VM: data only. Lua's nil reaches JS as null (scripts see one "nothing", so
 * JS gets undefined); a Lua function, coroutine or promise does not cross (in tables, plain-data.ts
 * leaves them out).
 */
function fromLua(value: unknown): unknown {
  if (typeof value === "function") return undefined;
  if (typeof value !== "object" || value === null) return value ?? undefined;
  return Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype ? value : undefined;
}

/**
 * A host result as plain data for the VM, within PLAIN_DATA_LIMITS (else a PlainDataError, which
 * the script gets as the host function's error). Functions, classes and other JS objects do not
 * cross (a function would reach the script as something it could call); Dates go as ISO text.
 * Exported for script-pool.ts, which converts a host result on the main thread before it crosses
 * to the worker (a function anywhere in it would make the structured clone throw).
 */
export function toLua(value: unknown, depth = 1, budget = { entries: PLAIN_DATA_LIMITS.entries }): unknown {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    case "bigint":
      return Number(value);
    case "object": {
      if (value === null) return undefined;
      if (value instanceof Error) return value.message;
      if (value instanceof Date) return value.toISOString();
      // Counted as plain-data.ts counts: one for the table, one for each entry.
      const over = () =>
        new PlainDataError(
          `its result is nested deeper than ${PLAIN_DATA_LIMITS.depth} levels or has more than ${PLAIN_DATA_LIMITS.entries} entries`,
        );
      if (depth > PLAIN_DATA_LIMITS.depth || --budget.entries < 0) throw over();
      const entries: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value);
      budget.entries -= entries.length;
      if (budget.entries < 0) throw over();
      const converted = entries.map(([k, v]) => [k, toLua(v, depth + 1, budget)] as const);
      if (Array.isArray(value)) return converted.map(([, v]) => v);
      return Object.fromEntries(converted.filter(([, v]) => v !== undefined));
    }
    default:
      return undefined;
  }
}
