/**
 * Calling cards (prepaid) and their rates (issue 18; FEATURES.md section 6, "Calling card"), per
 * domain: the records as the API, the CLI and the calling card script see them, and their
 * validation, which names the field of every error. Money fields are decimals of the card's
 * currency with at most four places (4.25); the store keeps them as exact integer units
 * (money.ts), so no charge is ever lost to rounding.
 */
import type { FieldError } from "./errors.js";
import { toUnits } from "./money.js";

/** A prepaid card. (domain, number) is unique. */
export interface CallingCard {
  id: number;
  domainId: number;
  /** What the caller keys in after `*300*`: 1-32 digits. */
  number: string;
  /** The card's PIN: 1-16 digits. */
  pin: string;
  /** What is left, in `currency` (a decimal, at most 4 places, never negative). */
  balance: number;
  /** ISO 4217 code, "USD" by default. */
  currency: string;
  /** Epoch milliseconds after which the card no longer places calls; absent = never. */
  expiresAt?: number;
  /** A disabled card places no calls (its balance stays). */
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A rate: what calls to numbers starting with `prefix` cost. (domain, prefix) is unique. */
export interface CallingCardRate {
  id: number;
  domainId: number;
  /** The called number's prefix (digits, *, #, +); "" matches any number. The longest wins. */
  prefix: string;
  /** Charged once when the call is answered. */
  connectCharge: number;
  /** Price of a minute of talk; each increment costs its share (pro rata). */
  perMinute: number;
  /** Seconds the first charge covers (60 by default): a call that lasts 5 s pays for these. */
  firstIncrement: number;
  /** Seconds each later charge covers (6 by default): "60/6 billing". */
  increment: number;
  description: string;
  createdAt: number;
  updatedAt: number;
}

/** `expiresAt: null` on a patch clears the expiry. */
export type NewCallingCard = Pick<CallingCard, "number" | "pin"> &
  Partial<Pick<CallingCard, "balance" | "currency" | "enabled">> & { expiresAt?: number | null };
export type CallingCardPatch = Partial<NewCallingCard>;

export type NewCallingCardRate = Pick<CallingCardRate, "prefix" | "perMinute"> &
  Partial<Pick<CallingCardRate, "connectCharge" | "firstIncrement" | "increment" | "description">>;
export type CallingCardRatePatch = Partial<NewCallingCardRate>;

export const CARD_DEFAULTS = { balance: 0, currency: "USD", enabled: true, expiresAt: null };
export const RATE_DEFAULTS = { connectCharge: 0, firstIncrement: 60, increment: 6, description: "" };

/** Bounds of the records' fields (the columns of migration 015 follow them). */
export const CALLING_CARD_LIMITS = {
  /** Largest balance, in currency units (10^13 units: still exact as a JavaScript number). */
  balance: 1_000_000_000,
  /** Largest connect charge or per-minute price. */
  price: 1_000_000,
  /** Longest increment, in seconds. */
  increment: 3600,
  description: 128,
} as const;

export const CARD_NUMBER = /^[0-9]{1,32}$/;
export const CARD_PIN = /^[0-9]{1,16}$/;
export const RATE_PREFIX = /^[0-9*#+]{0,32}$/;
const CURRENCY = /^[A-Z]{3}$/;
/** Latest expiry: the year 9999, as every stored time in Parley. */
const MAX_TIME = 253_402_300_799_999;

function money(errors: FieldError[], field: string, value: unknown, max: number): void {
  const units = typeof value === "number" ? toUnits(value, true) : undefined;
  if (units === undefined || units < 0 || (value as number) > max)
    errors.push({ field, message: `must be a number from 0 to ${max} with at most 4 decimal places` });
}

function seconds(errors: FieldError[], field: string, value: unknown): void {
  if (
    !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= CALLING_CARD_LIMITS.increment)
  )
    errors.push({
      field,
      message: `must be a whole number of seconds from 1 to ${CALLING_CARD_LIMITS.increment}`,
    });
}

/** Checks a whole card (as created, or as a patch leaves it); an empty list means valid. */
export function validateCallingCard(input: NewCallingCard): FieldError[] {
  const c = { ...CARD_DEFAULTS, ...definedFields(input) };
  const errors: FieldError[] = [];
  if (typeof c.number !== "string" || !CARD_NUMBER.test(c.number))
    errors.push({ field: "number", message: "must be 1-32 digits" });
  if (typeof c.pin !== "string" || !CARD_PIN.test(c.pin))
    errors.push({ field: "pin", message: "must be 1-16 digits" });
  money(errors, "balance", c.balance, CALLING_CARD_LIMITS.balance);
  if (typeof c.currency !== "string" || !CURRENCY.test(c.currency))
    errors.push({ field: "currency", message: 'must be an ISO 4217 code of 3 capital letters ("USD")' });
  if (
    c.expiresAt !== null &&
    !(Number.isInteger(c.expiresAt) && (c.expiresAt as number) >= 0 && (c.expiresAt as number) <= MAX_TIME)
  )
    errors.push({ field: "expiresAt", message: "must be a time before the year 10000, or null (never)" });
  if (typeof c.enabled !== "boolean") errors.push({ field: "enabled", message: "must be true or false" });
  return errors;
}

/** Checks a whole rate (as created, or as a patch leaves it); an empty list means valid. */
export function validateCallingCardRate(input: NewCallingCardRate): FieldError[] {
  const r = { ...RATE_DEFAULTS, ...definedFields(input) };
  const errors: FieldError[] = [];
  if (typeof r.prefix !== "string" || !RATE_PREFIX.test(r.prefix))
    errors.push({ field: "prefix", message: 'must be up to 32 of 0-9, *, # and + ("" = any number)' });
  money(errors, "connectCharge", r.connectCharge, CALLING_CARD_LIMITS.price);
  money(errors, "perMinute", r.perMinute, CALLING_CARD_LIMITS.price);
  seconds(errors, "firstIncrement", r.firstIncrement);
  seconds(errors, "increment", r.increment);
  if (typeof r.description !== "string" || r.description.length > CALLING_CARD_LIMITS.description)
    errors.push({
      field: "description",
      message: `must be a string of at most ${CALLING_CARD_LIMITS.description} characters`,
    });
  return errors;
}

/** Whether a card is past its expiry at `now` (epoch milliseconds). */
export function cardExpired(card: Pick<CallingCard, "expiresAt">, now: number): boolean {
  return card.expiresAt !== undefined && card.expiresAt <= now;
}

/** What CallingCardRepository.charge answers: whether it debited, and the balance after. */
export interface ChargeResult {
  ok: boolean;
  /** The balance now (a decimal of the card's currency). */
  balance: number;
}

export function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
