/**
 * Reading the Contact header fields of a REGISTER (RFC 3261 10.2.1, 10.3 step 6, 20.10), pure:
 * the request in, the requested binding changes (or the error to answer) out.
 */
import type { SipRequest } from "../sip/types.js";

export interface ContactChange {
  /** The contact URI exactly as sent (inside the <>). */
  readonly contactUri: string;
  /** Seconds, already capped at the maximum; 0 = remove. */
  readonly expires: number;
  readonly q: number | undefined;
  /** RFC 5626 +sip.instance, without quotes. */
  readonly instanceId: string | undefined;
  readonly regId: number | undefined;
}

export type ContactRequest =
  | { readonly kind: "fetch" }
  | { readonly kind: "wildcard" }
  | { readonly kind: "contacts"; readonly contacts: readonly ContactChange[] }
  | {
      readonly kind: "error";
      readonly status: number;
      readonly reason: string;
      readonly headers?: ReadonlyArray<readonly [string, string]>;
    };

export interface ExpiryLimits {
  readonly defaultExpires: number;
  readonly minExpires: number;
  readonly maxExpires: number;
}

const MAX_DELTA = 4294967295; // RFC 3261 20.19: delta-seconds up to 2^32-1

function delta(text: string | null | undefined): number | undefined {
  if (text === undefined || text === null) return undefined;
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) return Number.NaN;
  const n = Number(t);
  return n > MAX_DELTA ? Number.NaN : n;
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

export function parseContacts(req: SipRequest, limits: ExpiryLimits): ContactRequest {
  const headerExpires = delta(req.get("expires"));
  if (Number.isNaN(headerExpires)) return { kind: "error", status: 400, reason: "Bad Expires header" };
  const raw = req.getAll("contact");
  if (raw.length === 0) return { kind: "fetch" };

  // RFC 3261 10.3 step 6: "*" is only valid alone and with Expires: 0.
  if (raw.some((v) => v.trim() === "*")) {
    if (raw.length !== 1 || headerExpires !== 0) {
      return {
        kind: "error",
        status: 400,
        reason: "Invalid Request: Contact * needs Expires: 0 and no other Contact",
      };
    }
    return { kind: "wildcard" };
  }

  const values = req.nameAddrs("contact");
  if (values.length !== raw.length) return { kind: "error", status: 400, reason: "Bad Contact header" };
  const contacts: ContactChange[] = [];
  for (const na of values) {
    const paramExpires = delta(na.params.get("expires"));
    if (Number.isNaN(paramExpires))
      return { kind: "error", status: 400, reason: "Bad expires parameter in Contact" };
    // RFC 3261 10.2.1.1: the Contact's expires parameter wins over the Expires header; without
    // either, the registrar's default applies.
    let expires = paramExpires ?? headerExpires ?? limits.defaultExpires;
    // RFC 3261 10.3 step 7: a registrar MAY shorten an expiry, and MUST refuse one that is too
    // brief with 423 and Min-Expires (never for 0, which removes).
    if (expires > 0 && expires < limits.minExpires) {
      return {
        kind: "error",
        status: 423,
        reason: "Interval Too Brief",
        headers: [["Min-Expires", String(limits.minExpires)]],
      };
    }
    if (expires > limits.maxExpires) expires = limits.maxExpires;
    let q: number | undefined;
    const qText = na.params.get("q");
    if (qText !== undefined && qText !== null) {
      // RFC 3261 25.1: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
      if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(qText))
        return { kind: "error", status: 400, reason: "Bad q parameter in Contact" };
      q = Number(qText);
    }
    const instance = na.params.get("+sip.instance");
    const regIdText = na.params.get("reg-id");
    const regId = regIdText === undefined || regIdText === null ? undefined : Number(regIdText);
    if (regId !== undefined && !Number.isInteger(regId))
      return { kind: "error", status: 400, reason: "Bad reg-id parameter in Contact" };
    contacts.push({
      contactUri: na.uri.raw,
      expires,
      q,
      instanceId: instance === undefined || instance === null ? undefined : unquote(instance),
      regId,
    });
  }
  return { kind: "contacts", contacts };
}
