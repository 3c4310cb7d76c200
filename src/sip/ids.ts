import { randomFillSync } from "node:crypto";

/**
 * Identifiers that must be unique and unguessable (RFC 3261 8.1.1.7 branch, 19.3 tag, 8.1.1.4
 * Call-ID: "cryptographically random"). Random bytes come from a pool refilled in bulk, so one
 * id costs a slice of a buffer, not a system call.
 */

/** RFC 3261 8.1.1.7: the branch of an RFC 3261 element starts with the magic cookie. */
export const BRANCH_COOKIE = "z9hG4bK";

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function randomId(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString("base64url", offset, offset + bytes);
  offset += bytes;
  return id;
}

/** "z9hG4bK" + 96 random bits (base64url: token characters only). */
export function generateBranch(): string {
  return BRANCH_COOKIE + randomId(12);
}

/** RFC 3261 19.3: a tag with at least 32 random bits; we use 72. */
export function generateTag(): string {
  return randomId(9);
}

/** RFC 3261 8.1.1.4: a globally unique Call-ID; 128 random bits, optionally "@host". */
export function generateCallId(host?: string): string {
  const id = randomId(16);
  return host === undefined ? id : `${id}@${host}`;
}
