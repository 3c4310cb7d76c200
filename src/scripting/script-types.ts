/**
 * Types shared by the Lua script engine (issue 18, FEATURES.md section 6 "Service scripts"): the
 * limits every VM runs under, and how a script's failure is reported.
 */

/** The limits one script VM runs under. */
export interface LuaLimits {
  /**
   * CPU time one slice of work may take: from a resume to the script's next await of a host
   * function, or its end. Waiting for the host (digits, a prompt, a call) is not counted.
   */
  cpuMsPerSlice: number;
  /** Bytes the VM's Lua heap may hold (its code, tables and strings). */
  memoryBytes: number;
}

/**
 * 50 ms: a slice runs on the signalling thread, so it must stay well under SIP's T1 (500 ms,
 * RFC 3261 17.1.1.1). 8 MB holds far more than a call-handling script needs.
 */
export const DEFAULT_LUA_LIMITS: Readonly<LuaLimits> = { cpuMsPerSlice: 50, memoryBytes: 8 * 1024 * 1024 };

/**
 * syntax: the source does not compile; runtime: a Lua error (including a host function that
 * failed); cpu: a slice ran past its budget; memory: the heap hit its cap; aborted: the caller
 * stopped the script (the call it served ended).
 */
export type ScriptErrorKind = "syntax" | "runtime" | "cpu" | "memory" | "aborted";

export interface ScriptError {
  kind: ScriptErrorKind;
  /** The script's name (its file is `<name>.lua`). */
  script: string;
  /** The line of `<name>.lua` the script was at, when known. */
  line?: number;
  /** Names the script and the line, as Lua does: `card.lua:12: attempt to index a nil value`. */
  message: string;
}

export type ScriptResult = { ok: true; value: unknown } | { ok: false; error: ScriptError };

/** The file name a script's chunk carries in messages and tracebacks. */
export function scriptFileName(script: string): string {
  return `${script}.lua`;
}
