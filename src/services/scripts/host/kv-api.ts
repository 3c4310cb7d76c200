/**
 * The `kv` namespace of service scripts (issue 18: "a small key-value and table store per script
 * in the Parley database"). Each script has its own keys (store.scriptKv, per domain and script):
 * a script cannot name another's. Values are plain data (strings, numbers, booleans, tables of
 * them) kept as JSON, so a table with keys 1..n comes back as a list and other keys as strings.
 *
 *   kv.set("last_caller", caller)        kv.get("last_caller")      kv.delete("last_caller")
 *   kv.keys("card:")  -- sorted, at most 1000       kv.incr("calls")  -- atomic, returns the sum
 */
import type { HostFunction } from "../../../scripting/index.js";
import { SCRIPT_KV_LIMITS, type ScriptKvRepository, ValidationError } from "../../../store/index.js";
import { luaType, optionalText, text } from "./host-args.js";

export interface KvApiOptions {
  readonly repo: ScriptKvRepository;
  readonly domainId: number;
  /** The script whose keys these are. */
  readonly script: string;
}

/** A store ValidationError in the script's words: `key is 201 characters long, over the limit of 200`. */
function plain(error: unknown): never {
  if (error instanceof ValidationError) {
    throw new Error(error.errors.map((e) => `${e.field} ${e.message}`).join("; "));
  }
  throw error;
}

export function kvApi(o: KvApiOptions): Record<string, HostFunction> {
  const { repo, domainId, script } = o;
  return {
    /** The value under the key, or nil. */
    get: (key: unknown) => repo.get(domainId, script, text(key, "the key")),
    /** Stores a value; nil deletes the key (as `t[k] = nil` does in Lua). */
    set: async (key: unknown, value: unknown) => {
      const k = text(key, "the key");
      if (value === undefined) await repo.delete(domainId, script, k);
      else await repo.set(domainId, script, k, value).catch(plain);
    },
    /** Deletes the key; true when it was there. */
    delete: (key: unknown) => repo.delete(domainId, script, text(key, "the key")),
    /** The keys that start with the prefix (all when nil), sorted, at most 1000. */
    keys: (prefix: unknown) =>
      repo.keys(domainId, script, optionalText(prefix, "the prefix") ?? "", SCRIPT_KV_LIMITS.keysListed),
    /** Adds `by` (1 when nil) to the number under the key (none: 0), atomically; the new number. */
    incr: (key: unknown, by: unknown) => {
      const k = text(key, "the key");
      if (by !== undefined && typeof by !== "number") {
        throw new Error(`the increment must be a number, not ${luaType(by)}`);
      }
      return repo.incr(domainId, script, k, by ?? 1).catch(plain);
    },
  };
}
