/** Service scripts in Lua (issue 18, FEATURES.md section 6): the sandboxed engine and the script files. */
export { LuaSandbox } from "./lua-sandbox.js";
export { LuaVmHost, type LuaVmHostOptions } from "./lua-vm-host.js";
export { patternCost } from "./pattern-cost.js";
export {
  isScriptName,
  MAX_SCRIPT_BYTES,
  SCRIPT_NAME,
  type ScriptFileError,
  ScriptFiles,
  type ScriptInfo,
  ScriptNameError,
  type ScriptSaved,
} from "./script-files.js";
export { ScriptPool, type ScriptPoolOptions } from "./script-pool.js";
export {
  checkSyntax,
  type HostApi,
  type HostFunction,
  type RunOptions,
  runScript,
  type ScriptSource,
} from "./script-runner.js";
export * from "./script-types.js";
export { acquireScriptPool, type ScriptPoolShare } from "./shared-script-pool.js";
