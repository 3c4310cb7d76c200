/**
 * The CPU budget per slice (script-types.ts LuaLimits.cpuMsPerSlice) across host calls that the
 * main thread answered at once, for a run in a script worker.
 *
 * In-thread, a host function that returns a plain value does not end the slice: a script looping
 * on `user.name(x)` spends its slice's budget and is stopped (kind cpu). In a worker every host
 * call is a round trip, so the VM sees each as an await and starts a fresh budget after it; the
 * same loop would then run until its call ended, and keep the main thread busy answering it.
 * So the worker adds up what the slice would have been in-thread: the Lua time between host calls
 * (from the answer to the next call) and the time the host functions took on the main thread,
 * from the last answer that was a real wait (a promise) on. The round trips themselves do not
 * count, as waiting for the host never does.
 */
export class SyncSliceBudget {
  #spentMs = 0;
  /**
   * When the script resumed after the last answer. Before the first answer, undefined: the first
   * stretch (making the VM, compiling, the script's first work) is the sandbox's own slice.
   */
  #since: number | undefined;

  constructor(private readonly budgetMs: number) {}

  /** A host call starts: false when the slice, so counted, is over its budget. */
  call(now = performance.now()): boolean {
    if (this.#since !== undefined) this.#spentMs += now - this.#since;
    return this.#spentMs <= this.budgetMs;
  }

  /**
   * The main thread answered: `syncMs` is how long the host function took when it answered at
   * once, undefined when it returned a promise (a real wait: a new slice starts).
   */
  answered(syncMs: number | undefined, now = performance.now()): void {
    this.#spentMs = syncMs === undefined ? 0 : this.#spentMs + syncMs;
    this.#since = now;
  }
}
