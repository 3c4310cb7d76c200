/**
 * How Lua tables and JS objects cross between a script and the host: as copies of plain data,
 * at most PLAIN_DATA_LIMITS deep and large.
 *
 * It replaces wasmoon's own table conversion (registered at a higher priority), which recurses
 * without lua_checkstack: a C function may only use the 20 stack slots Lua guarantees it
 * (LUA_MINSTACK, manual 4.1.1), and wasmoon's uses about 3 per level, so a table nested 7 deep
 * passed to a host function wrote past the Lua stack into the heap; seen here as a trap in
 * lua_close of that VM, and with several VMs per wasm module the heap is shared. This one checks
 * the stack at every level, reads with lua_next and lua_rawset only (no metamethod runs, no Lua
 * code), leaves out keys that are neither strings nor numbers and values that are not data
 * (functions, coroutines, userdata), and takes a table with keys 1..n as an array. It also pushes
 * JS null as nil, where wasmoon throws.
 */
import { type Decoration, type LuaGlobal, type LuaThread, LuaType, LuaTypeExtension } from "wasmoon";

export const PLAIN_DATA_LIMITS = { depth: 16, entries: 10_000 } as const;

/** A value over PLAIN_DATA_LIMITS, or a stack that could not grow. */
export class PlainDataError extends Error {}

function tooMany(): PlainDataError {
  return new PlainDataError(`a table with more than ${PLAIN_DATA_LIMITS.entries} entries`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export class PlainDataExtension extends LuaTypeExtension<unknown> {
  constructor(global: LuaGlobal) {
    super(global, "parley_plain_data");
  }

  override isType(_thread: LuaThread, _index: number, type: LuaType): boolean {
    return type === LuaType.Table;
  }

  override getValue(thread: LuaThread, index: number): unknown {
    const budget = { entries: PLAIN_DATA_LIMITS.entries };
    return this.#read(thread, thread.lua.lua_absindex(thread.address, index), 1, budget);
  }

  override pushValue(thread: LuaThread, decorated: Decoration<unknown>): boolean {
    const target = decorated.target;
    if (target === null) {
      thread.lua.lua_pushnil(thread.address);
      return true;
    }
    if (typeof target !== "object" || !(Array.isArray(target) || isPlainObject(target))) return false;
    this.#write(thread, target, 1, { entries: PLAIN_DATA_LIMITS.entries });
    return true;
  }

  close(): void {}

  #room(thread: LuaThread, depth: number, budget: { entries: number }): void {
    if (depth > PLAIN_DATA_LIMITS.depth)
      throw new PlainDataError(`a table nested deeper than ${PLAIN_DATA_LIMITS.depth} levels`);
    if (--budget.entries < 0) throw tooMany();
    if (!thread.lua.lua_checkstack(thread.address, 4)) throw new PlainDataError("no room on the Lua stack");
  }

  #read(thread: LuaThread, table: number, depth: number, budget: { entries: number }): unknown {
    this.#room(thread, depth, budget);
    const lua = thread.lua;
    const L = thread.address;
    const entries: [string | number, unknown][] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, table)) {
      // lua_tolstring would turn a number key into a string in place and break lua_next.
      const keyType = lua.lua_type(L, -2);
      const key =
        keyType === LuaType.String
          ? lua.lua_tolstring(L, -2, null)
          : keyType === LuaType.Number
            ? lua.lua_tonumberx(L, -2, null)
            : undefined;
      if (key !== undefined) {
        if (--budget.entries < 0) throw tooMany();
        const value = this.#readValue(thread, depth, budget);
        if (value !== undefined) entries.push([key, value]);
      }
      lua.lua_pop(L, 1);
    }
    const keys = entries.map(([k]) => k);
    if (keys.length > 0 && keys.every((k) => typeof k === "number")) {
      const sorted = (keys as number[]).sort((a, b) => a - b);
      if (sorted.every((k, i) => k === i + 1)) {
        const array: unknown[] = new Array(entries.length);
        for (const [k, v] of entries) array[(k as number) - 1] = v;
        return array;
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [String(k), v]));
  }

  /** The value on top of the stack if it is data; functions, userdata and coroutines do not cross. */
  #readValue(thread: LuaThread, depth: number, budget: { entries: number }): unknown {
    const lua = thread.lua;
    const L = thread.address;
    switch (lua.lua_type(L, -1)) {
      case LuaType.Table:
        return this.#read(thread, lua.lua_absindex(L, -1), depth + 1, budget);
      case LuaType.String:
        return lua.lua_tolstring(L, -1, null);
      case LuaType.Number:
        return lua.lua_tonumberx(L, -1, null);
      case LuaType.Boolean:
        return lua.lua_toboolean(L, -1) !== 0;
      default:
        return undefined;
    }
  }

  #write(thread: LuaThread, value: object, depth: number, budget: { entries: number }): void {
    this.#room(thread, depth, budget);
    const lua = thread.lua;
    const L = thread.address;
    const array = Array.isArray(value);
    const pairs: [string | number, unknown][] = array
      ? (value as unknown[]).map((v, i) => [i + 1, v])
      : Object.entries(value);
    lua.lua_createtable(L, array ? pairs.length : 0, array ? 0 : pairs.length);
    for (const [key, item] of pairs) {
      if (item === undefined || item === null) continue;
      if (--budget.entries < 0) throw tooMany();
      if (typeof key === "number") lua.lua_pushinteger(L, BigInt(key));
      else lua.lua_pushstring(L, key);
      if (typeof item === "object" && (Array.isArray(item) || isPlainObject(item))) {
        this.#write(thread, item, depth + 1, budget);
      } else {
        thread.pushValue(item);
      }
      lua.lua_rawset(L, -3);
    }
  }
}
