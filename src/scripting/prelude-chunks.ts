/**
 * The preludes (lua-prelude.ts) compiled once per wasm module and kept there as bytecode, so a
 * new VM loads them instead of parsing them: parsing was about a quarter of making a VM
 * (bench/lua-vm.bench.ts). Only our own chunks are loaded as binary; scripts and load() are text
 * only (a crafted binary chunk can break the VM).
 */
import { LuaReturn, type LuaWasm } from "wasmoon";

export class PreludeChunks {
  readonly #chunks = new Map<string, { pointer: number; size: number }>();

  constructor(private readonly lua: LuaWasm) {}

  /** Pushes the chunk `name` onto thread `L` as a function (luaL_loadbufferx's status). */
  load(L: number, name: string, source: string): LuaReturn {
    const cached = this.#chunks.get(name);
    if (cached) return this.lua.luaL_loadbufferx(L, cached.pointer, cached.size, name, "b");
    const status = loadText(this.lua, L, source, name);
    if (status === LuaReturn.Ok) this.#keep(L, name);
    return status;
  }

  /** Dumps the function on top of `L` (lua_dump, Lua 5.4 manual 4.6) into the module's memory. */
  #keep(L: number, name: string): void {
    const m = this.lua.module;
    const bytes: number[] = [];
    const writer = m.addFunction((_L: number, p: number, size: number) => {
      for (let i = 0; i < size; i++) bytes.push(m.getValue(p + i, "i8") & 0xff);
      return 0;
    }, "iiiii");
    try {
      if (this.lua.lua_dump(L, writer, null, 0) !== 0) return;
    } finally {
      m.removeFunction(writer);
    }
    const pointer = m._malloc(bytes.length);
    for (let i = 0; i < bytes.length; i++) m.setValue(pointer + i, bytes[i], "i8");
    this.#chunks.set(name, { pointer, size: bytes.length });
  }
}

/**
 * Compiles `source` as text onto `L`. Through the heap, not cwrap's string argument: that copies
 * onto wasmoon's small C stack.
 */
export function loadText(lua: LuaWasm, L: number, source: string, name: string): LuaReturn {
  const m = lua.module;
  const size = m.lengthBytesUTF8(source);
  const buffer = m._malloc(size + 1);
  try {
    m.stringToUTF8(source, buffer, size + 1);
    return lua.luaL_loadbufferx(L, buffer, size, name, "t");
  } finally {
    m._free(buffer);
  }
}
