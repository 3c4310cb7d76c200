/**
 * The SIP password policy of local users (issue 23): a new or changed password has at least
 * `minPasswordLength` characters (an ops setting, default 8) and never equals the extension
 * number. The store keeps accepting any password (the preset users 100, 101, 102 are seeded with
 * their names, and stay so until changed); the API and the CLI apply the policy to what they are
 * given. A weak password is found from the stored digest hash: the users whose HA1 is that of
 * their own name as the password.
 */
import type { Kysely } from "kysely";
import { computeHa1 } from "./digest-ha1.js";
import type { FieldError } from "./errors.js";
import type { Database } from "./schema.js";

export const DEFAULT_MIN_PASSWORD_LENGTH = 8;

/** The rules' words, as the API, the CLI and the web form show them. */
export function minLengthRule(minLength: number): string {
  return `must be at least ${minLength} characters`;
}
export const NOT_EXTENSION_RULE = "must not equal the extension number";

/**
 * The policy's errors (field `password`) for a password given to user `name`: empty when it
 * complies, or when no password is given.
 */
export function passwordPolicyErrors(
  name: string,
  password: string | undefined,
  minLength: number = DEFAULT_MIN_PASSWORD_LENGTH,
): FieldError[] {
  if (typeof password !== "string") return [];
  const errors: FieldError[] = [];
  if (password.length < minLength) errors.push({ field: "password", message: minLengthRule(minLength) });
  if (password === name) errors.push({ field: "password", message: NOT_EXTENSION_RULE });
  return errors;
}

/**
 * The policy's errors for a create (`name` and `password` of the body) or an update of user
 * `current` (the body's new name, if any, else the current one).
 */
export function passwordPolicyErrorsOf(
  body: unknown,
  current: string | undefined,
  minLength: number,
): FieldError[] {
  if (typeof body !== "object" || body === null) return [];
  const { name, password } = body as { name?: unknown; password?: unknown };
  const extension = typeof name === "string" ? name : (current ?? "");
  return typeof password === "string" ? passwordPolicyErrors(extension, password, minLength) : [];
}

/** The users of a domain whose password equals their extension number (the preset ones until changed). */
export async function weakPasswordUsers(db: Kysely<Database>, domainId: number): Promise<string[]> {
  const domain = await db.selectFrom("domains").select("realm").where("id", "=", domainId).executeTakeFirst();
  if (domain === undefined) return [];
  const rows = await db
    .selectFrom("users")
    .select(["name", "ha1_sha256"])
    .where("domain_id", "=", domainId)
    .orderBy("name")
    .execute();
  return rows
    .filter((r) => computeHa1(r.name, domain.realm, r.name).ha1Sha256 === r.ha1_sha256)
    .map((r) => r.name);
}
