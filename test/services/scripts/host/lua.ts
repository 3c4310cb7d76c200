/**
 * Runs Lua through the real script engine (wasmoon VMs, src/scripting/script-runner.ts) for the
 * host library tests: what a script sees of a namespace is what these tests check.
 */
import assert from "node:assert/strict";
import { after } from "node:test";
import { type HostApi, LuaVmHost, runScript } from "../../../../src/scripting/index.js";

const host = new LuaVmHost();
after(() => host.close());

/** The script's result, or a failed assertion with its error. */
export async function lua(source: string, api: HostApi, name = "test"): Promise<unknown> {
  const result = await runScript(host, { name, source }, { api });
  if (!result.ok) assert.fail(`${name}.lua failed: ${result.error.message}`);
  return result.value;
}

/** The error message the script's pcall of `call` (Lua source, e.g. `kv.get(1)`) caught. */
export async function luaError(call: string, api: HostApi): Promise<string> {
  // Not a tail call: the error then names the script's line.
  const source = `local ok, err = pcall(function() local r = ${call}; return r end)\nif ok then return nil end\nreturn err`;
  const message = await lua(source, api);
  assert.equal(typeof message, "string", `${call} did not fail`);
  return message as string;
}
