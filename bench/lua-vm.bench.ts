/**
 * Lua script VMs (issue 18, src/scripting): the cost of making one, the memory each live one holds,
 * and one trivial script run end to end (make a VM, bind the host API, compile, run, close). Both
 * ways of hosting VMs are measured: Lua states sharing wasm modules (the default, 64 per module)
 * and a wasm module per VM (vmsPerModule: 1).
 * Run: node --import tsx --expose-gc bench/lua-vm.bench.ts
 * Prints: BENCH lua.vm create_ms=… mem_per_vm_kb=… run_us=… (and the same for a module per VM)
 */
import { execFileSync } from "node:child_process";
import { LuaMultiReturn } from "wasmoon";
import { LuaVmHost, type LuaVmHostOptions } from "../src/scripting/lua-vm-host.js";
import { runScript } from "../src/scripting/script-runner.js";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const LIVE = 200;

/** A script as a call would hold it: API bound, chunk run, suspended in an await. */
const LIVE_SCRIPT = `local digits = {}
function main(caller)
  for i = 1, 3 do digits[i] = tostring(i) end
  local got = call.collect(4)
  return caller .. ":" .. got
end`;

async function createMs(host: LuaVmHost, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) (await host.create(`v${i}`)).close();
  return (performance.now() - started) / count;
}

/** Memory per live VM, from a fresh host: process RSS and JS heap deltas. */
async function memoryPerVm(options: LuaVmHostOptions): Promise<{ rssKb: number; heapKb: number }> {
  const host = new LuaVmHost(options);
  await host.warmUp();
  gc();
  const before = process.memoryUsage();
  let release = () => {};
  const gate = new Promise<string>((resolve) => {
    release = () => resolve("1234");
  });
  const api = { call: { collect: () => gate } };
  const runs = Array.from({ length: LIVE }, (_, i) =>
    runScript(host, { name: `live${i}`, source: LIVE_SCRIPT }, { api, entry: "main", args: [`100${i}`] }),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const during = process.memoryUsage();
  release();
  const results = await Promise.all(runs);
  host.close();
  if (!results.every((r) => r.ok))
    throw new Error(`a live script failed: ${JSON.stringify(results.find((r) => !r.ok))}`);
  const kb = (a: number, b: number) => Math.round((a - b) / LIVE / 1024);
  return {
    rssKb: kb(during.rss, before.rss),
    heapKb: kb(during.heapUsed, before.heapUsed),
  };
}

/** The Lua heap of one live VM (its state, libraries, preludes, the script, a suspended coroutine). */
async function luaHeapKb(host: LuaVmHost): Promise<number> {
  const vm = await host.create("sample");
  try {
    vm.bindApi({
      names: { 1: ["call", "collect"] },
      dispatch: () => LuaMultiReturn.of<unknown>(1, new Promise(() => {})),
    });
    const chunk = vm.newThread();
    if (vm.compile(chunk, LIVE_SCRIPT)) throw new Error("the live script does not compile");
    vm.insertStarter(chunk);
    vm.resume(chunk, 1);
    const entry = vm.newThread();
    vm.pushEntry(entry, "main");
    entry.pushValue("1000");
    if (vm.resume(entry, 2).kind !== "await") throw new Error("the live script did not reach its await");
    return Math.round(vm.memoryUsed() / 1024);
  } finally {
    vm.close();
  }
}

async function runUs(host: LuaVmHost, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const result = await runScript(host, { name: "trivial", source: "return 1 + 1" });
    if (!result.ok) throw new Error(JSON.stringify(result));
  }
  return ((performance.now() - started) * 1000) / count;
}

/** Memory is measured in a child process of its own, so no garbage of another phase blurs it. */
function measuredApart(options: LuaVmHostOptions): { rssKb: number; heapKb: number } {
  const out = execFileSync(process.execPath, [
    ...process.execArgv,
    process.argv[1],
    "--memory",
    JSON.stringify(options),
  ]);
  return JSON.parse(out.toString().trim().split("\n").at(-1) ?? "{}");
}

const memoryArg = process.argv.indexOf("--memory");
if (memoryArg > 0) {
  console.log(JSON.stringify(await memoryPerVm(JSON.parse(process.argv[memoryArg + 1]))));
  process.exit(0);
}

const sharedMem = measuredApart({});
const ownMem = measuredApart({ vmsPerModule: 1, warmModules: 0 });

const shared = new LuaVmHost();
await shared.warmUp();
await createMs(shared, 200); // warm the JIT
const sharedCreate = await createMs(shared, 1000);
await runUs(shared, 500);
const sharedRun = await runUs(shared, 3000);
const luaHeap = await luaHeapKb(shared);
shared.close();

const own = new LuaVmHost({ vmsPerModule: 1, warmModules: 0 });
const ownCreate = await createMs(own, 50);
const ownRun = await runUs(own, 50);
own.close();

const f = (n: number) => n.toFixed(2);
const memory = (m: { rssKb: number; heapKb: number }) => `rss ${m.rssKb} KB (JS heap ${m.heapKb} KB of it)`;
console.log(
  `  Lua heap of one live VM (state, libraries, preludes, script, suspended coroutine): ${luaHeap} KB`,
);
console.log(
  `  shared modules (64 VMs each): create ${f(sharedCreate)} ms; per VM with ${LIVE} live: ${memory(sharedMem)}; ` +
    `trivial run ${Math.round(sharedRun)} µs`,
);
console.log(
  `  a module per VM: create ${f(ownCreate)} ms; per VM with ${LIVE} live: ${memory(ownMem)}; ` +
    `trivial run ${Math.round(ownRun)} µs`,
);
console.log(
  `BENCH lua.vm create_ms=${f(sharedCreate)} mem_per_vm_kb=${sharedMem.rssKb} run_us=${Math.round(sharedRun)} ` +
    `lua_heap_kb=${luaHeap} module_per_vm_create_ms=${f(ownCreate)} module_per_vm_mem_kb=${ownMem.rssKb}`,
);
