/**
 * Checks a local user's SIP password for the web softphone's sign-in. Parley stores no password,
 * only HA1 = H(name:realm:password) (store/digest-ha1.ts, RFC 7616 3.4.2), so the presented
 * password is hashed the same way and compared with the stored SHA-256 HA1 in constant time. An
 * unknown user costs the same hash and comparison against a dummy, so the answer's timing does not
 * tell which names exist (the caller answers both with the same 401).
 */
import { timingSafeEqual } from "node:crypto";
import { computeHa1 } from "../../store/digest-ha1.js";
import type { LocalUser, Store } from "../../store/index.js";

export type PhoneCheck =
  | { readonly ok: true; readonly user: LocalUser }
  | { readonly ok: false; readonly reason: "wrong" | "disabled" };

/** 64 hex digits, as long as a real SHA-256 HA1, which no password's hash equals in practice. */
const DUMMY_HA1 = "0".repeat(64);

/**
 * A user who may neither call nor be called (maxConcurrentCalls 0, FEATURES.md section 2) is
 * Parley's "disabled" user: signing in to a phone that can do nothing is refused.
 */
export function isDisabled(user: LocalUser): boolean {
  return user.maxConcurrentCalls === 0;
}

export async function checkPhonePassword(
  store: Store,
  domain: { readonly id: number; readonly realm: string },
  name: string,
  password: string,
): Promise<PhoneCheck> {
  const found = await store.users.getWithAuth(domain.id, name);
  const stored = Buffer.from(found?.auth.ha1Sha256 ?? DUMMY_HA1, "utf8");
  const presented = Buffer.from(computeHa1(name, domain.realm, password).ha1Sha256, "utf8");
  const same = stored.length === presented.length && timingSafeEqual(stored, presented);
  if (found === undefined || !same) return { ok: false, reason: "wrong" };
  if (isDisabled(found.user)) return { ok: false, reason: "disabled" };
  return { ok: true, user: found.user };
}
