/**
 * Entry of a script worker thread (issue 18: the script VMs off the signalling thread). It owns a
 * LuaVmHost and runs each script with the existing runScript, against a proxy of the caller's
 * host API: each proxy function asks the main thread (script-pool.ts), which calls the real one
 * and replies. So a host function that answers at once on the main thread is a promise here; the
 * script cannot tell (the API prelude awaits either), and its errors keep their text.
 */
import { parentPort, workerData } from "node:worker_threads";
import { LuaVmHost } from "./lua-vm-host.js";
import {
  type ApiShape,
  type PoolEvent,
  type PoolRequest,
  reasonValue,
  type ScriptWorkerConfig,
} from "./script-pool-protocol.js";
import { type HostApi, type HostFunction, runScript } from "./script-runner.js";
import { type ScriptResult, scriptFileName } from "./script-types.js";
import { SyncSliceBudget } from "./sync-slice-budget.js";

const port = parentPort;
if (port === null) throw new Error("script-worker.ts runs as a worker thread");
const config = (workerData ?? {}) as ScriptWorkerConfig;
const host = new LuaVmHost({
  ...(config.limits === undefined ? {} : { limits: config.limits }),
  ...(config.vmsPerModule === undefined ? {} : { vmsPerModule: config.vmsPerModule }),
});
const emit = (event: PoolEvent): void => port.postMessage(event);

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Run {
  readonly controller: AbortController;
  readonly pending: Map<number, Pending>;
  readonly budget: SyncSliceBudget;
  seq: number;
  /** Stopped by its budget across host calls answered at once (not by the caller). */
  overBudget: boolean;
}

const runs = new Map<number, Run>();

function proxyApi(id: number, run: Run, shape: ApiShape): HostApi {
  const proxy = (ns: string | null, fn: string): HostFunction => {
    return (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        if (!run.budget.call()) {
          // Left pending: the abort stops the script here, at this call's line. Not at once: the
          // runner starts listening for an abort only once this call has returned its promise.
          run.overBudget = true;
          setImmediate(() => run.controller.abort(new Error("CPU budget exceeded")));
          return;
        }
        const seq = ++run.seq;
        run.pending.set(seq, { resolve, reject });
        emit({ type: "call", run: id, seq, ns, fn, args });
      });
  };
  const api: HostApi = {};
  for (const [name, fns] of Object.entries(shape)) {
    api[name] = fns === null ? proxy(null, name) : Object.fromEntries(fns.map((fn) => [fn, proxy(name, fn)]));
  }
  return api;
}

async function start(request: Extract<PoolRequest, { type: "run" }>): Promise<void> {
  const budgetMs = request.limits?.cpuMsPerSlice ?? host.limits.cpuMsPerSlice;
  const run: Run = {
    controller: new AbortController(),
    pending: new Map(),
    budget: new SyncSliceBudget(budgetMs),
    seq: 0,
    overBudget: false,
  };
  runs.set(request.run, run);
  if (request.aborted) run.controller.abort(reasonValue(request.aborted));
  const id = request.run;
  try {
    const result = await runScript(
      host,
      { name: request.name, source: request.source },
      {
        api: proxyApi(id, run, request.api),
        signal: run.controller.signal,
        ...(request.entry === undefined ? {} : { entry: request.entry }),
        ...(request.args === undefined ? {} : { args: request.args }),
        ...(request.limits === undefined ? {} : { limits: request.limits }),
        ...(request.log ? { log: (line: string) => emit({ type: "log", run: id, line }) } : {}),
      },
    );
    emit({ type: "result", run: id, result: run.overBudget ? cpuError(result, budgetMs) : result });
  } catch (error) {
    // runScript reports a script's failures as results; this is the engine failing.
    const message = `${scriptFileName(request.name)}: ${error instanceof Error ? error.message : String(error)}`;
    emit({
      type: "result",
      run: id,
      result: { ok: false, error: { kind: "runtime", script: request.name, message } },
    });
  } finally {
    runs.delete(id);
  }
}

/** The abort of an over-budget run, reported as LuaSandbox reports its own CPU stop. */
function cpuError(result: ScriptResult, budgetMs: number): ScriptResult {
  if (result.ok || result.error.kind !== "aborted") return result;
  const { script, line } = result.error;
  const where = line === undefined ? scriptFileName(script) : `${scriptFileName(script)}:${line}`;
  const message = `${where}: CPU budget exceeded (${budgetMs} ms per slice)`;
  return { ok: false, error: { kind: "cpu", script, ...(line === undefined ? {} : { line }), message } };
}

port.on("message", (request: PoolRequest) => {
  switch (request.type) {
    case "run":
      void start(request);
      return;
    case "abort":
      runs.get(request.run)?.controller.abort(reasonValue(request.reason));
      return;
    case "reply": {
      const run = runs.get(request.run);
      const pending = run?.pending.get(request.seq);
      if (run === undefined || pending === undefined) return; // the run ended meanwhile
      run.pending.delete(request.seq);
      run.budget.answered(request.syncMs);
      if (request.ok) pending.resolve(request.value);
      else pending.reject(new Error(request.error));
      return;
    }
  }
});

// Ready once a wasm module is loaded, so the first call does not wait for one.
host.warmUp().then(
  () => emit({ type: "ready" }),
  (error: unknown) => {
    throw error;
  },
);
