/**
 * The messages between a ScriptPool (main thread) and its script workers (script-worker.ts).
 * Nothing but structured-cloneable data crosses: the VM runs in the worker, the host API's
 * functions stay on the main thread, and each call of one is a request with an id (run, seq)
 * answered by the main thread, as mediasoup's channel does for its workers.
 */
import type { LuaLimits, ScriptResult } from "./script-types.js";

/** What a worker is started with (workerData). */
export interface ScriptWorkerConfig {
  limits?: Partial<LuaLimits>;
  vmsPerModule?: number;
}

/**
 * The shape of a run's host API: a namespace's function names, or null for a global function.
 * `{ call: ["route"], print2: null }` gives `call.route(...)` and `print2(...)`.
 */
export type ApiShape = Record<string, string[] | null>;

/** Main thread to worker. */
export type PoolRequest =
  | {
      type: "run";
      run: number;
      name: string;
      source: string;
      api: ApiShape;
      entry?: string;
      args?: unknown[];
      limits?: Partial<LuaLimits>;
      /** Whether print() lines are wanted (else the worker drops them, as runScript does). */
      log: boolean;
      /** Set when the caller's signal was already aborted: its reason. */
      aborted?: AbortReason;
    }
  | { type: "abort"; run: number; reason: AbortReason }
  | ({ type: "reply"; run: number; seq: number; syncMs?: number } & (
      | { ok: true; value: unknown }
      | { ok: false; error: string }
    ));

/*
 * A reply's syncMs: the host function answered at once (no promise), in that many ms; the worker
 * counts it in the slice's CPU budget as runScript does in-thread (sync-slice-budget.ts).
 */

/** Worker to main thread. */
export type PoolEvent =
  | { type: "ready" }
  | { type: "call"; run: number; seq: number; ns: string | null; fn: string; args: unknown[] }
  | { type: "log"; run: number; line: string }
  | { type: "result"; run: number; result: ScriptResult };

/**
 * An AbortSignal's reason as it crosses: runScript names an Error reason by its message and
 * anything else by String(reason), so the kind is kept to rebuild the same text in the worker.
 */
export interface AbortReason {
  error: boolean;
  text: string;
}

export function abortReason(reason: unknown): AbortReason {
  return reason instanceof Error
    ? { error: true, text: reason.message }
    : { error: false, text: String(reason ?? "aborted") };
}

export function reasonValue(reason: AbortReason): unknown {
  return reason.error ? new Error(reason.text) : reason.text;
}
