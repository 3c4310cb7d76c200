/**
 * Checks of the arguments a script passes to the host libraries (issue 18). Values arrive as
 * plain data (src/scripting/script-runner.ts): nil as undefined, tables as objects or arrays.
 * Errors name the argument and the type the script passed, in Lua's words (a table, nil).
 */

/** A value's type as a Lua script would call it. */
export function luaType(value: unknown): string {
  if (value === undefined || value === null) return "nil";
  if (typeof value === "object") return "table";
  return typeof value;
}

/** A string argument; `what` names it in the error ("the key"). */
export function text(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  throw new Error(`${what} must be a string, not ${luaType(value)}`);
}

/** A string argument that may be left out (nil). */
export function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : text(value, what);
}

/** A table of names and values that may be left out (an empty Lua table arrives as {}). */
export function optionalTable(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  throw new Error(`${what} must be a table of names and values, not ${luaType(value)}`);
}
