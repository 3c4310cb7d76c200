/**
 * The pure validator of local-user input from the API, the CLI or a file. Errors name the field
 * exactly as the API spells it ("forwarding.busy.number", "ipAuthorization[1]"), never throw.
 */
import { z } from "zod";
import type { FieldError } from "./errors.js";
import { parseIpRange } from "./ip-match.js";
import { RECORDING_MODES } from "./recording-model.js";
import {
  applyPatch,
  defaultSettings,
  type FollowMeStrategy,
  type NewUser,
  type UserPatch,
} from "./user-model.js";

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const NAME = /^[A-Za-z0-9._-]{1,32}$/;
/** Printable ASCII, space included: what a phone's keypad or config page can enter. */
const PASSWORD = /^[\x20-\x7e]{1,64}$/;
/** A dialable number: digits and `*`, `#`, `+`. */
const NUMBER = /^[0-9*#+]{1,32}$/;
const NO_CONTROLS = /^[^\x00-\x1f\x7f]*$/;
const LINE = /^[\x21-\x7e]{0,128}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const SIP_URI = /^sips?:[^\s<>"]+$/i;

/** Upper bounds, generous but finite, so a typo cannot become a year-long timer. */
export const LIMITS = {
  noAnswerTime: 3600,
  maxDuration: 86_400,
  maxConcurrentCalls: 1000,
  callRight: 255,
  groupId: 65_535,
  followMeInterval: 600,
  maxDevices: 100,
  ipAuthorization: 64,
} as const;

const intIn = (min: number, max: number) =>
  z
    .int({ error: "must be an integer" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, {
      error: `must be at most ${max}`,
    });
const bool = z.boolean({ error: "must be true or false" });
const number = z.string({ error: "must be a string" }).regex(NUMBER, {
  error: "must be 1-32 of digits, *, #, +",
});
const numberOrEmpty = z.union([z.literal(""), number], { error: "must be empty or 1-32 of digits, *, #, +" });

const nameSchema = z.string({ error: "must be a string" }).regex(NAME, {
  error: "must be 1-32 of letters, digits, '.', '_', '-'",
});
const passwordSchema = z.string({ error: "must be a string" }).regex(PASSWORD, {
  error: "must be 1-64 printable characters",
});

const forwardingRule = z.strictObject({ enabled: bool, number: numberOrEmpty }).partial();

const followMe = z
  .strictObject({
    strategy: intIn(0, 2).transform((n) => n as FollowMeStrategy),
    interval: intIn(1, LIMITS.followMeInterval),
    destinations: z
      .array(numberOrEmpty, { error: "must be a list of up to 3 numbers" })
      .max(3, { error: "at most 3 destinations (A, B, C)" })
      .transform((d): [string, string, string] => [d[0] ?? "", d[1] ?? "", d[2] ?? ""]),
  })
  .partial();

/** Every settable field, all optional; create adds the required ones. */
const patchShape = {
  name: nameSchema,
  password: passwordSchema,
  displayName: z
    .string({ error: "must be a string" })
    .max(64, { error: "must be at most 64 characters" })
    .regex(NO_CONTROLS, { error: "must not contain control characters" }),
  noAnswerTime: intIn(0, LIMITS.noAnswerTime),
  specificExternalLine: z.string({ error: "must be a string" }).regex(LINE, {
    error: "must be empty or up to 128 printable characters without spaces",
  }),
  maxDuration: intIn(0, LIMITS.maxDuration),
  maxConcurrentCalls: intIn(0, LIMITS.maxConcurrentCalls),
  maxConcurrentOutgoingCalls: intIn(0, LIMITS.maxConcurrentCalls),
  callRight: intIn(0, LIMITS.callRight),
  forwarding: z
    .strictObject({
      unconditional: forwardingRule,
      unreachable: forwardingRule,
      busy: forwardingRule,
      noAnswer: forwardingRule,
    })
    .partial(),
  voicemailOnUnreachableOrNoAnswer: bool,
  voicemailOnBusy: bool,
  voicemailPin: z.string({ error: "must be a string" }).regex(/^[0-9]{0,16}$/, {
    error: "must be empty or 1-16 digits",
  }),
  email: z.union([z.literal(""), z.string().max(254).regex(EMAIL)], {
    error: "must be empty or an e-mail address",
  }),
  followMe,
  autoAttendant: bool,
  suppressRingGroupOnDirectCall: bool,
  ringingGroupId: intIn(0, LIMITS.groupId),
  pickupGroupId: intIn(0, LIMITS.groupId),
  callPark: bool,
  callRetrieve: bool,
  callWaiting: bool,
  doNotDisturb: bool,
  multiDevice: bool,
  maxDevices: intIn(1, LIMITS.maxDevices),
  operatorBreakIn: bool,
  operatorOverstep: bool,
  subscribeAllPresence: bool,
  presenceGroup: intIn(0, LIMITS.groupId),
  musicOnHold: bool,
  relayMedia: bool,
  recording: z.enum(RECORDING_MODES, { error: `must be one of ${RECORDING_MODES.join(", ")}` }),
  ipAuthorization: z
    .array(
      z.string({ error: "must be a string" }).refine((s) => parseIpRange(s) !== undefined, {
        error: "must be an IPv4 or IPv6 address or CIDR range",
      }),
      { error: "must be a list of addresses or CIDR ranges" },
    )
    .max(LIMITS.ipAuthorization, { error: `at most ${LIMITS.ipAuthorization} entries` }),
  staticContact: z.union([z.literal(""), z.string().max(256).regex(SIP_URI)], {
    error: "must be empty or a sip: or sips: URI",
  }),
};

const patchSchema = z.strictObject(patchShape, { error: "must be an object" }).partial();
const createSchema = patchSchema.required({ name: true, password: true });

/** "forwarding", "busy", "number" → "forwarding.busy.number"; 1 → "[1]". */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Whether the input has a value at `path` (a missing field reads "is required", not "wrong type"). */
function present(input: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = input;
  for (const part of path) {
    if (typeof node !== "object" || node === null) return false;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node !== undefined;
}

function toFieldErrors(input: unknown, error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        errors.push({ field: fieldPath([...issue.path, key]), message: "unknown field" });
    } else if (issue.code === "invalid_type" && !present(input, issue.path)) {
      errors.push({ field: fieldPath(issue.path), message: "is required" });
    } else {
      errors.push({ field: fieldPath(issue.path), message: issue.message });
    }
  }
  return errors;
}

/**
 * Validates user input. "create": name and password required, every other field defaulted; the
 * value is complete. "update": every field optional, nested objects partial; the value is a patch.
 * A new name needs a new password, since the stored digest hashes include the name.
 *
 * NOTE: a forwarding's `enabled` is the user's right to it and `number` its target; a right with
 * no target is valid (issue 15: the administrator grants the right, the user sets and clears the
 * number by feature code, `*93*number#` / `*93#`). A forwarding is active when both are set.
 */
export function validateUser(input: unknown, mode: "create"): Validation<NewUser>;
export function validateUser(input: unknown, mode: "update"): Validation<UserPatch>;
export function validateUser(input: unknown, mode: "create" | "update"): Validation<NewUser | UserPatch>;
export function validateUser(input: unknown, mode: "create" | "update"): Validation<NewUser | UserPatch> {
  if (mode === "create") {
    const parsed = createSchema.safeParse(input);
    if (!parsed.success) return { ok: false, errors: toFieldErrors(input, parsed.error) };
    const { password, ...patch } = parsed.data;
    return { ok: true, value: { ...applyPatch(defaultSettings(patch.name), patch), password } };
  }
  const parsed = patchSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(input, parsed.error) };
  const patch: UserPatch = parsed.data;
  if (patch.name !== undefined && patch.password === undefined) {
    return {
      ok: false,
      errors: [
        { field: "password", message: "is required to rename a user (digest hashes include the name)" },
      ],
    };
  }
  return { ok: true, value: patch };
}
