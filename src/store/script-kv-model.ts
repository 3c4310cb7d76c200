/**
 * The key-value store of service scripts (issue 18, migration 017): its limits, and how a value
 * becomes the JSON text a row holds. A value is plain data (a string, a finite number, a boolean,
 * or a table of them), as the script engine hands it over (src/scripting/plain-data.ts).
 */
import type { FieldError } from "./errors.js";

export const SCRIPT_KV_LIMITS = {
  /** Characters of a key (the column is varchar(200)). */
  keyChars: 200,
  /** Bytes of a value's JSON text: 64 KiB. */
  valueBytes: 64 * 1024,
  /** Keys one keys() call lists at most. */
  keysListed: 1000,
} as const;

/** A key's length in characters (code points, as the databases count them). */
export function keyLength(key: string): number {
  let n = 0;
  for (const _ of key) n++;
  return n;
}

/** What is wrong with a key, if anything. */
export function keyError(key: string): FieldError | undefined {
  if (key.length === 0) return { field: "key", message: "is empty" };
  const n = keyLength(key);
  if (n > SCRIPT_KV_LIMITS.keyChars) {
    return {
      field: "key",
      message: `is ${n} characters long, over the limit of ${SCRIPT_KV_LIMITS.keyChars}`,
    };
  }
  return undefined;
}

/** Thrown inside JSON.stringify's replacer: a value JSON cannot carry faithfully. */
class NotData extends Error {}

/** The JSON text of `value`, or the reason it cannot be stored. */
export function encodeValue(value: unknown): { text: string } | { error: FieldError } {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      // JSON would turn NaN and infinities into null and drop functions silently.
      if (typeof v === "number" && !Number.isFinite(v)) throw new NotData(`holds the number ${v}`);
      if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint") {
        throw new NotData(`holds a ${typeof v}`);
      }
      return v;
    });
  } catch (error) {
    if (error instanceof NotData) return { error: { field: "value", message: error.message } };
    throw error;
  }
  if (text === undefined || value === null) return { error: { field: "value", message: "is nil" } };
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > SCRIPT_KV_LIMITS.valueBytes) {
    return {
      error: {
        field: "value",
        message: `is ${bytes} bytes as JSON, over the limit of ${SCRIPT_KV_LIMITS.valueBytes} (64 KiB)`,
      },
    };
  }
  return { text };
}
