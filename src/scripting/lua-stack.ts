/**
 * Reading a Lua thread's stack from JS without running Lua: where a script is (its line), and
 * what an error value says. Used when a script fails, and inside the instruction hook.
 */
import { type LuaThread, LuaType, type LuaWasm } from "wasmoon";

// lua_Debug on wasm32 (lua.h): int event; const char *name, *namewhat, *what, *source; size_t
// srclen; int currentline; ... The buffer is malloc'd outside the Lua heap, so reading a stack
// works even when the heap is at its cap.
const DEBUG_SOURCE = 16;
const DEBUG_CURRENTLINE = 24;
export const DEBUG_INFO_SIZE = 256;

/**
 * The line of the innermost frame of thread `L` in the chunk named `chunk` (e.g. "@card.lua"),
 * using the lua_Debug buffer `ar`. Frames of the preludes or of chunks the script load()ed are
 * skipped; a frame a tail call replaced is gone (Lua keeps no line for it), so an error there has
 * none.
 */
export function lineInChunk(lua: LuaWasm, L: number, ar: number, chunk: string): number | undefined {
  const m = lua.module;
  for (let level = 0; level < 100 && lua.lua_getstack(L, level, ar); level++) {
    lua.lua_getinfo(L, "Sl", ar);
    const line = m.getValue(ar + DEBUG_CURRENTLINE, "i32");
    if (line > 0 && cString(lua, m.getValue(ar + DEBUG_SOURCE, "*"), chunk.length + 1) === chunk) return line;
  }
  return undefined;
}

/** At most `max` bytes of a C string, byte by byte: the module exports no UTF8ToString (and
 * touching a runtime method it does not export aborts the whole module). */
function cString(lua: LuaWasm, pointer: number, max: number): string {
  let s = "";
  for (let i = 0; i < max; i++) {
    const c = lua.module.getValue(pointer + i, "i8") & 0xff;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** The error value on top of `thread`, as text, without running Lua (no __tostring). */
export function errorText(lua: LuaWasm, thread: LuaThread): string {
  const type = lua.lua_type(thread.address, -1);
  if (type === LuaType.String || type === LuaType.Number) return lua.lua_tolstring(thread.address, -1, null);
  const value = type === LuaType.Userdata ? thread.getValue(-1) : undefined;
  if (value instanceof Error) return value.message;
  return `(error object is a ${lua.lua_typename(thread.address, type)} value)`;
}

/**
 * The line Lua's own "file:line: " prefix names. An error passed on through coroutine.wrap gains
 * a prefix per level ("f.lua:4: f.lua:2: msg"); the innermost is where it happened.
 */
export function lineInMessage(text: string, file: string): number | undefined {
  const prefix = `${file}:`;
  let line: number | undefined;
  for (let rest = text; rest.startsWith(prefix); ) {
    const at = /^(\d+): /.exec(rest.slice(prefix.length));
    if (!at) break;
    line = Number(at[1]);
    rest = rest.slice(prefix.length + at[0].length);
  }
  return line;
}
