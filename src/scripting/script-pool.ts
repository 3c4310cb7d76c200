/**
 * Script VMs in worker threads (issue 18's bench goal: calls through a trivial script route at
 * least 75% of the rate without). Measured in-thread, a script run cost the signalling thread
 * about 1.8 ms of CPU (making the VM, binding the API, closing it, GC); here the VMs live in
 * script-worker.ts threads, and the main thread only relays the host API's calls. The contract
 * is runScript's: the api functions run on the main thread, where the call's state lives; a run
 * resolves with a ScriptResult and never rejects.
 *
 * Like mediasoup's channel to its workers: requests carry ids, and everything pending on a worker
 * that stops (crash, exit, terminate) is failed at once, the worker replaced, the others untouched.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  type ApiShape,
  abortReason,
  type PoolEvent,
  type PoolRequest,
  type ScriptWorkerConfig,
} from "./script-pool-protocol.js";
import {
  type HostApi,
  type HostFunction,
  type RunOptions,
  type ScriptSource,
  toLua,
} from "./script-runner.js";
import { type LuaLimits, type ScriptResult, scriptFileName } from "./script-types.js";

export interface ScriptPoolOptions {
  /** Worker threads (default 1, or 2 with at least 4 CPUs: the signalling thread keeps one). */
  workers?: number;
  /** Default limits of the VMs (LuaVmHost's). */
  limits?: Partial<LuaLimits>;
  /** VMs one wasm module hosts over its life (LuaVmHost's). */
  vmsPerModule?: number;
}

interface PendingRun {
  readonly script: string;
  readonly api: HostApi;
  readonly log: ((line: string) => void) | undefined;
  readonly resolve: (result: ScriptResult) => void;
  readonly unlisten: () => void;
}

/** One worker thread and the runs it holds. */
class WorkerSlot {
  readonly runs = new Map<number, PendingRun>();
  readonly ready: Promise<void>;
  stopped = false;
  /** Until its first "ready": the worker stays referenced so start() is awaited to the end. */
  booting = true;

  constructor(readonly worker: Worker) {
    this.ready = new Promise((resolve, reject) => {
      const onReady = (m: PoolEvent) => {
        if (m.type !== "ready") return;
        worker.off("message", onReady);
        this.booting = false;
        // Idle workers do not keep the process alive; a run refs its worker meanwhile.
        if (this.runs.size === 0) worker.unref();
        resolve();
      };
      worker.on("message", onReady);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`exited with code ${code}`)));
    });
    this.ready.catch(() => {}); // reported through the run failures and start()
  }

  send(request: PoolRequest): void {
    this.worker.postMessage(request);
  }
}

const DEFAULT_WORKERS = availableParallelism() >= 4 ? 2 : 1;

export class ScriptPool {
  readonly #size: number;
  readonly #config: ScriptWorkerConfig;
  #slots: WorkerSlot[] = [];
  #nextRun = 0;
  #closed = false;

  constructor(options: ScriptPoolOptions = {}) {
    this.#size = Math.max(1, options.workers ?? DEFAULT_WORKERS);
    this.#config = {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.vmsPerModule === undefined ? {} : { vmsPerModule: options.vmsPerModule }),
    };
  }

  /** Runs in flight (for tests/metrics). */
  get active(): number {
    return this.#slots.reduce((sum, slot) => sum + slot.runs.size, 0);
  }

  /** The live worker threads (for tests and metrics). */
  get workers(): readonly Worker[] {
    return this.#slots.map((slot) => slot.worker);
  }

  /** Starts the workers and waits until each has a warm wasm module (LuaVmHost.warmUp). */
  async start(): Promise<void> {
    this.#fill();
    await Promise.all(this.#slots.map((slot) => slot.ready));
  }

  /**
   * Same contract as runScript(host, script, options): the api functions run here (main thread),
   * the VM in a worker. A run on a worker that stops fails as a runtime error.
   */
  run(script: ScriptSource, options: RunOptions = {}): Promise<ScriptResult> {
    if (this.#closed) return Promise.resolve(stopped(script.name, "the pool is closed"));
    this.#fill();
    const slot = this.#leastBusy();
    const run = ++this.#nextRun;
    const api = options.api ?? {};
    const { signal } = options;
    return new Promise<ScriptResult>((resolve) => {
      const onAbort = () => slot.send({ type: "abort", run, reason: abortReason(signal?.reason) });
      signal?.addEventListener("abort", onAbort, { once: true });
      slot.runs.set(run, {
        script: script.name,
        api,
        log: options.log,
        resolve,
        unlisten: () => signal?.removeEventListener("abort", onAbort),
      });
      if (slot.runs.size === 1) slot.worker.ref();
      try {
        slot.send({
          type: "run",
          run,
          name: script.name,
          source: script.source,
          api: apiShape(api),
          log: options.log !== undefined,
          ...(options.entry === undefined ? {} : { entry: options.entry }),
          // As plain data, as runScript pushes them (a function in them would not clone).
          ...(options.args === undefined ? {} : { args: options.args.map((arg) => toLua(arg)) }),
          ...(options.limits === undefined ? {} : { limits: options.limits }),
          ...(signal?.aborted ? { aborted: abortReason(signal.reason) } : {}),
        });
      } catch (error) {
        // Arguments over the plain-data limits: in-thread runScript would reject; a result is kinder.
        const pending = slot.runs.get(run);
        if (pending !== undefined) this.#finish(slot, run, pending);
        const message = `${scriptFileName(script.name)}: the entry's arguments cannot cross (${(error as Error).message})`;
        resolve({ ok: false, error: { kind: "runtime", script: script.name, message } });
      }
    });
  }

  /** Stops the workers; runs still in flight fail. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const slots = this.#slots;
    this.#slots = [];
    for (const slot of slots) this.#stop(slot, "the pool closed");
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #fill(): void {
    while (!this.#closed && this.#slots.length < this.#size) this.#slots.push(this.#spawn());
  }

  #leastBusy(): WorkerSlot {
    let best = this.#slots[0] as WorkerSlot;
    for (const slot of this.#slots) if (slot.runs.size < best.runs.size) best = slot;
    return best;
  }

  #spawn(): WorkerSlot {
    const slot = new WorkerSlot(spawnWorker(this.#config));
    slot.worker.on("message", (m: PoolEvent) => this.#onEvent(slot, m));
    slot.worker.on("error", (error) => this.#onStopped(slot, error.message));
    slot.worker.on("exit", (code) => this.#onStopped(slot, `exited with code ${code}`));
    return slot;
  }

  #onEvent(slot: WorkerSlot, m: PoolEvent): void {
    if (m.type === "ready") return;
    const run = slot.runs.get(m.run);
    if (run === undefined) return; // failed already (its worker was stopping)
    if (m.type === "log") run.log?.(m.line);
    else if (m.type === "call") void this.#hostCall(slot, run, m);
    else {
      this.#finish(slot, m.run, run);
      run.resolve(m.result);
    }
  }

  /** Calls the real host function; its value (as plain data) or its error's text goes back. */
  async #hostCall(slot: WorkerSlot, run: PendingRun, m: Extract<PoolEvent, { type: "call" }>): Promise<void> {
    let reply: PoolRequest;
    const started = performance.now();
    // Set when the function answers at once (a value or a throw), not with a promise.
    let syncMs: number | undefined;
    try {
      const member = m.ns === null ? run.api[m.fn] : (run.api[m.ns] as Record<string, HostFunction>)[m.fn];
      let result: unknown;
      try {
        result = (member as HostFunction)(...m.args);
      } finally {
        if (!isThenable(result)) syncMs = performance.now() - started;
      }
      const value = toLua(await result);
      reply = {
        type: "reply",
        run: m.run,
        seq: m.seq,
        ok: true,
        value,
        ...(syncMs === undefined ? {} : { syncMs }),
      };
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const sync = syncMs === undefined ? {} : { syncMs };
      reply = { type: "reply", run: m.run, seq: m.seq, ok: false, error: text, ...sync };
    }
    if (slot.runs.has(m.run) && !slot.stopped) slot.send(reply);
  }

  #finish(slot: WorkerSlot, id: number, run: PendingRun): void {
    slot.runs.delete(id);
    run.unlisten();
    if (slot.runs.size === 0 && !slot.booting) slot.worker.unref();
  }

  #onStopped(slot: WorkerSlot, reason: string): void {
    if (slot.stopped) return;
    this.#stop(slot, reason);
    this.#slots = this.#slots.filter((s) => s !== slot);
    // Replaced at once, so the next call finds a warm worker (unless the pool is closing). One
    // that died before it was ready (its wasm would not load?) is replaced a second later, or by
    // the next run, rather than in a tight loop of failing workers.
    if (!slot.booting) this.#fill();
    else setTimeout(() => this.#fill(), 1000).unref();
  }

  #stop(slot: WorkerSlot, reason: string): void {
    slot.stopped = true;
    for (const [id, run] of [...slot.runs]) {
      this.#finish(slot, id, run);
      run.resolve(stopped(run.script, reason));
    }
  }
}

function stopped(script: string, reason: string): ScriptResult {
  const message = `${scriptFileName(script)}: the script worker stopped: ${reason}`;
  return { ok: false, error: { kind: "runtime", script, message } };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function"
  );
}

/** The names the worker builds its proxy API from. */
function apiShape(api: HostApi): ApiShape {
  const shape: ApiShape = {};
  for (const [name, member] of Object.entries(api)) {
    shape[name] = typeof member === "function" ? null : Object.keys(member);
  }
  return shape;
}

/** Under tsx (tests, benches) the worker registers tsx first; built, it is plain JavaScript. */
function spawnWorker(config: ScriptWorkerConfig): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./script-worker.js", import.meta.url), { workerData: config });
  const entry = new URL("./script-worker.ts", import.meta.url).href;
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: config });
}
