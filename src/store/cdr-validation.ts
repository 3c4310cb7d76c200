/**
 * The validator of what CdrRepository.insert accepts. The call engine is the only writer, so an
 * error here is a bug in it; the errors still name each field ("legs[1].callId") and never throw.
 */
import { z } from "zod";
import { type CallLeg, DISPOSITIONS, HANGUP_CAUSES, isHangupCause, type NewCallRecord } from "./cdr-model.js";
import type { FieldError } from "./errors.js";
import { toUnits } from "./money.js";
import { fieldPath, type Validation } from "./user-validation.js";

/** Bounds of a CDR's fields; the column sizes of migration 002_cdrs follow them. */
export const CDR_LIMITS = {
  callId: 64,
  number: 64,
  callerName: 128,
  sipReason: 128,
  legCallId: 255,
  peer: 512,
  legs: 32,
  /** Bytes of the media statistics as JSON. */
  media: 16_384,
} as const;

const NO_CONTROLS = /^[^\x00-\x1f\x7f]*$/;

const text = (min: number, max: number) =>
  z
    .string({ error: "must be a string" })
    .min(min, { error: min === 1 ? "must not be empty" : `must be at least ${min} characters` })
    .max(max, { error: `must be at most ${max} characters` })
    .regex(NO_CONTROLS, { error: "must not contain control characters" });

/** Epoch milliseconds: an integer from 1970 to the year 9999. */
const time = z
  .int({ error: "must be an integer (epoch milliseconds)" })
  .min(0, { error: "must not be negative" })
  .max(253_402_300_799_999, { error: "must be before the year 10000" });

const status = (min: number) =>
  z
    .int({ error: "must be an integer" })
    .min(min, { error: `must be at least ${min}` })
    .max(699, { error: "must be at most 699" });

const leg = z.strictObject({
  role: z.enum(["caller", "callee"], { error: 'must be "caller" or "callee"' }),
  peer: text(1, CDR_LIMITS.peer),
  callId: text(1, CDR_LIMITS.legCallId),
  status: z.union([z.literal(0), status(100)], { error: "must be 0 or a SIP status 100-699" }),
  startedAt: time,
  answeredAt: time.optional(),
  endedAt: time,
  forwardedBy: z.array(text(1, 64), { error: "must be a list of user names" }).max(8).optional(),
});

const media = z
  .record(z.string(), z.unknown(), { error: "must be an object" })
  .refine((m) => JSON.stringify(m).length <= CDR_LIMITS.media, {
    error: `must be at most ${CDR_LIMITS.media} bytes as JSON`,
  });

const record = z.strictObject(
  {
    domainId: z.int({ error: "must be an integer" }).min(1, { error: "must be at least 1" }),
    callId: text(1, CDR_LIMITS.callId),
    // Empty when the peer sent none: a From without a user part, an INVITE to the bare domain.
    caller: text(0, CDR_LIMITS.number),
    callerName: text(0, CDR_LIMITS.callerName),
    dialed: text(0, CDR_LIMITS.number),
    callee: text(1, CDR_LIMITS.number).optional(),
    startedAt: time,
    answeredAt: time.optional(),
    endedAt: time,
    disposition: z.enum(DISPOSITIONS, { error: `must be one of ${DISPOSITIONS.join(", ")}` }),
    hangupCause: z
      .string({ error: "must be a string" })
      .refine(isHangupCause, { error: `must be one of ${HANGUP_CAUSES.join(", ")} or "rejected <status>"` }),
    sipStatus: status(100),
    sipReason: text(0, CDR_LIMITS.sipReason),
    legs: z
      .array(leg, { error: "must be a list of legs" })
      .max(CDR_LIMITS.legs, { error: `at most ${CDR_LIMITS.legs} legs` }),
    media: media.optional(),
    recording: text(1, 80).optional(),
    card: z
      .string({ error: "must be a string" })
      .regex(/^[0-9]{1,32}$/, { error: "must be a calling card's number (1-32 digits)" })
      .optional(),
    charge: z
      .number({ error: "must be a number" })
      .refine((n) => n >= 0 && n <= 1_000_000_000 && toUnits(n, true) !== undefined, {
        error: "must be an amount from 0 to 1000000000 with at most 4 decimal places",
      })
      .optional(),
  },
  { error: "must be an object" },
);

function toFieldErrors(input: unknown, error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        errors.push({ field: fieldPath([...issue.path, key]), message: "unknown field" });
      continue;
    }
    let node: unknown = input;
    for (const part of issue.path)
      node = typeof node === "object" && node !== null ? Reflect.get(node, part) : undefined;
    const missing = issue.code === "invalid_type" && node === undefined && issue.path.length > 0;
    errors.push({ field: fieldPath(issue.path), message: missing ? "is required" : issue.message });
  }
  return errors;
}

/** The order of a span's times: start <= answer <= end. */
function checkTimes(
  span: { startedAt: number; answeredAt?: number; endedAt: number },
  prefix: string,
): FieldError[] {
  const errors: FieldError[] = [];
  if (span.answeredAt !== undefined && span.answeredAt < span.startedAt)
    errors.push({ field: `${prefix}answeredAt`, message: "must not be before startedAt" });
  if (span.endedAt < (span.answeredAt ?? span.startedAt))
    errors.push({
      field: `${prefix}endedAt`,
      message: `must not be before ${span.answeredAt === undefined ? "startedAt" : "answeredAt"}`,
    });
  return errors;
}

/** Rules that span fields: time order, answer time iff answered, at most one caller leg. */
function checkRecord(value: NewCallRecord): FieldError[] {
  const errors = checkTimes(value, "");
  if (value.disposition === "answered" && value.answeredAt === undefined)
    errors.push({ field: "answeredAt", message: "is required when the disposition is answered" });
  if (value.disposition !== "answered" && value.answeredAt !== undefined)
    errors.push({ field: "answeredAt", message: "must be absent unless the disposition is answered" });
  value.legs.forEach((l: CallLeg, i) => {
    errors.push(...checkTimes(l, `legs[${i}].`));
  });
  if (value.legs.filter((l) => l.role === "caller").length > 1)
    errors.push({ field: "legs", message: "at most one caller leg" });
  return errors;
}

/** Optional fields given as `undefined` are left out, so a record reads back deep-equal. */
function withoutUndefined(data: z.output<typeof record>): NewCallRecord {
  const { callee, answeredAt, media, recording, card, charge, legs, ...rest } = data;
  const value: NewCallRecord = {
    ...rest,
    legs: legs.map(({ answeredAt: legAnswer, ...leg }) =>
      legAnswer === undefined ? leg : { ...leg, answeredAt: legAnswer },
    ),
  };
  if (callee !== undefined) value.callee = callee;
  if (answeredAt !== undefined) value.answeredAt = answeredAt;
  if (media !== undefined) value.media = media;
  if (recording !== undefined) value.recording = recording;
  if (card !== undefined) value.card = card;
  if (charge !== undefined) value.charge = charge;
  return value;
}

/** Validates a CDR for insert; the value keeps only known fields, with optional ones left out. */
export function validateCallRecord(input: unknown): Validation<NewCallRecord> {
  const parsed = record.safeParse(input);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(input, parsed.error) };
  const value = withoutUndefined(parsed.data);
  const errors = checkRecord(value);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
