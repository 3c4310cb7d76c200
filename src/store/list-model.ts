/**
 * The black and white list (calls) and the IP black and white list (sources) of a domain
 * (issue 16; FEATURES.md section 6): the records as the API, the CLI and the services see them,
 * and their validation, which names the field of every error.
 */
import type { FieldError } from "./errors.js";
import { parseIpRange } from "./ip-match.js";

export const CALL_LIST_KINDS = ["black", "white"] as const;
export type CallListKind = (typeof CALL_LIST_KINDS)[number];

/** A caller prefix that matches withheld callers only (RFC 3323, RFC 3325). */
export const ANONYMOUS_PREFIX = "anonymous";
/** A prefix that matches every number. */
export const ANY_PREFIX = "*";

/** One record of the black and white list. (domain, callerPrefix, calledPrefix) is unique. */
export interface CallListRecord {
  id: number;
  domainId: number;
  /** Digits the caller's number starts with, `*` for any caller, `anonymous` for withheld ones. */
  callerPrefix: string;
  /** Digits the called number starts with, or `*` for any. */
  calledPrefix: string;
  kind: CallListKind;
  /** 0-100: the percentage of matching calls a black record blocks (white records ignore it). */
  rate: number;
  createdAt: number;
  updatedAt: number;
}

export type NewCallListRecord = Pick<CallListRecord, "callerPrefix" | "calledPrefix" | "kind"> & {
  rate?: number;
};
export type CallListPatch = Partial<NewCallListRecord>;

export const IP_LIST_KINDS = ["accept", "reject"] as const;
export type IpListKind = (typeof IP_LIST_KINDS)[number];

/** One entry of the IP black and white list. (domain, address) is unique. */
export interface IpListEntry {
  id: number;
  domainId: number;
  /** An address or CIDR range, IPv4 or IPv6: "192.0.2.7", "10.0.0.0/8", "2001:db8::/32". */
  address: string;
  /** accept: trusted, never banned after failed logins; reject: dropped before parsing. */
  kind: IpListKind;
  createdAt: number;
  updatedAt: number;
}

export type NewIpListEntry = Pick<IpListEntry, "address" | "kind">;
export type IpListPatch = Partial<NewIpListEntry>;

export const PREFIX_MAX_LENGTH = 32;
const DIGITS = /^[0-9*#+]{1,32}$/;

function prefixError(field: string, value: unknown, anonymousAllowed: boolean): FieldError | undefined {
  if (typeof value !== "string") return { field, message: "must be a string" };
  if (value === ANY_PREFIX) return undefined;
  if (value === ANONYMOUS_PREFIX && anonymousAllowed) return undefined;
  if (DIGITS.test(value)) return undefined;
  const also = anonymousAllowed ? ', "*" (any) or "anonymous"' : ' or "*" (any)';
  return { field, message: `must be 1-${PREFIX_MAX_LENGTH} of the keys 0-9, *, # and +${also}` };
}

/** Checks a whole record (create) or the fields a patch has; an empty list means valid. */
export function validateCallListRecord(input: CallListPatch, partial: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const check = (e: FieldError | undefined) => e && errors.push(e);
  if (!partial || input.callerPrefix !== undefined)
    check(prefixError("callerPrefix", input.callerPrefix, true));
  if (!partial || input.calledPrefix !== undefined)
    check(prefixError("calledPrefix", input.calledPrefix, false));
  if (!partial || input.kind !== undefined) {
    if (!CALL_LIST_KINDS.includes(input.kind as CallListKind))
      errors.push({ field: "kind", message: 'must be "black" or "white"' });
  }
  if (input.rate !== undefined && !(Number.isInteger(input.rate) && input.rate >= 0 && input.rate <= 100))
    errors.push({ field: "rate", message: "must be a whole number from 0 to 100" });
  return errors;
}

/** Checks an IP list entry (create) or the fields a patch has; an empty list means valid. */
export function validateIpListEntry(input: IpListPatch, partial: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (!partial || input.address !== undefined) {
    if (typeof input.address !== "string" || parseIpRange(input.address) === undefined)
      errors.push({
        field: "address",
        message: 'must be an IPv4 or IPv6 address or CIDR range, e.g. "192.0.2.7" or "10.0.0.0/8"',
      });
  }
  if (!partial || input.kind !== undefined) {
    if (!IP_LIST_KINDS.includes(input.kind as IpListKind))
      errors.push({ field: "kind", message: 'must be "accept" or "reject"' });
  }
  return errors;
}
