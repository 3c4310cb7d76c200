/**
 * One ScriptPool for every script service of the process (issue 21): each tenant's PBX has its
 * own script service, and each made its own pool, so every tenant kept a worker thread of its own
 * (a V8 isolate and a warm wasm module: 7.5 MB resident per idle tenant in bench/tenants.sh, and
 * its start in every tenant's creation), 100 threads for 100 tenants where the pool is sized for
 * the machine (one or two workers, the signalling thread keeping a core). A run carries everything it needs (its source, its api and
 * limits) and makes its own VM, so the pool holds nothing of a tenant between runs; its api
 * functions still run on the main thread, in the tenant that started the run.
 *
 * Counted use: the first `acquireScriptPool()` makes the pool, each holder's `release()` gives its
 * share back, and the last one closes it (a later acquire makes a new one).
 */
import { ScriptPool } from "./script-pool.js";

export interface ScriptPoolShare {
  readonly pool: ScriptPool;
  /** Gives this share back; the last one closes the pool. Idempotent. */
  release(): Promise<void>;
}

let current: { pool: ScriptPool; holders: number } | undefined;

export function acquireScriptPool(): ScriptPoolShare {
  current ??= { pool: new ScriptPool(), holders: 0 };
  const held = current;
  held.holders++;
  let released = false;
  return {
    pool: held.pool,
    async release() {
      if (released) return;
      released = true;
      held.holders--;
      if (held.holders > 0) return;
      if (current === held) current = undefined;
      await held.pool.close();
    },
  };
}
