/**
 * What a trivial route script (`call.route("1999")`) costs the signalling thread, run in-thread
 * (runScript on a LuaVmHost) and through the ScriptPool's worker threads (issue 18's script bench
 * floor: the VM work must leave the main thread). Main-thread CPU is the main thread's own time
 * from /proc (schedstat, in ns); total CPU is process.cpuUsage(), every thread of the process.
 * Runs go `CONCURRENCY` at a time, as calls would arrive.
 * Run: node --import tsx bench/script-pool.bench.ts
 * Prints: BENCH scripts.pool main_us_in_thread=… main_us_pool=… total_us_in_thread=… total_us_pool=…
 */
import { readFileSync } from "node:fs";
import { LuaVmHost } from "../src/scripting/lua-vm-host.js";
import { ScriptPool } from "../src/scripting/script-pool.js";
import { type RunOptions, runScript, type ScriptSource } from "../src/scripting/script-runner.js";
import type { ScriptResult } from "../src/scripting/script-types.js";

const RUNS = Number(process.env.RUNS ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const SCRIPT: ScriptSource = { name: "route", source: 'call.route("1999")' };

/** The main thread's CPU time in µs (Linux: its task's schedstat, first field in ns). */
function mainThreadUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8");
  return Number(stat.split(" ")[0]) / 1000;
}

function processUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

interface Figures {
  mainUs: number;
  totalUs: number;
  perSecond: number;
}

async function measure(run: (options: RunOptions) => Promise<ScriptResult>, runs: number): Promise<Figures> {
  let routed = 0;
  const options = (): RunOptions => ({
    api: {
      call: {
        route: () => {
          routed++;
        },
      },
    },
  });
  const main0 = mainThreadUs();
  const total0 = processUs();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next++ < runs) {
      const result = await run(options());
      if (!result.ok) throw new Error(JSON.stringify(result.error));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const wallMs = performance.now() - started;
  if (routed !== runs) throw new Error(`routed ${routed} of ${runs}`);
  return {
    mainUs: (mainThreadUs() - main0) / runs,
    totalUs: (processUs() - total0) / runs,
    perSecond: (runs * 1000) / wallMs,
  };
}

const host = new LuaVmHost();
await host.warmUp();
const inThread = (options: RunOptions) => runScript(host, SCRIPT, options);
await measure(inThread, 500); // warm the JIT
const a = await measure(inThread, RUNS);
host.close();

const pool = new ScriptPool();
await pool.start();
const pooled = (options: RunOptions) => pool.run(SCRIPT, options);
await measure(pooled, 500);
const b = await measure(pooled, RUNS);
const workers = pool.workers.length;
await pool.close();

const show = (what: string, f: Figures) =>
  console.log(
    `  ${what}: main thread ${Math.round(f.mainUs)} µs/run, all threads ${Math.round(f.totalUs)} µs/run, ` +
      `${Math.round(f.perSecond)} runs/s`,
  );
console.log(`  ${RUNS} runs of call.route("1999"), ${CONCURRENCY} at a time`);
show("in-thread (runScript)", a);
show(`pool (${workers} worker${workers === 1 ? "" : "s"})`, b);
console.log(
  `BENCH scripts.pool main_us_in_thread=${Math.round(a.mainUs)} main_us_pool=${Math.round(b.mainUs)} ` +
    `total_us_in_thread=${Math.round(a.totalUs)} total_us_pool=${Math.round(b.totalUs)} ` +
    `runs_per_s_in_thread=${Math.round(a.perSecond)} runs_per_s_pool=${Math.round(b.perSecond)} workers=${workers}`,
);
