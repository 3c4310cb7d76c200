/**
 * The `card` namespace of service scripts (issue 18: the calling card, written in Lua on the
 * script API): find a card, check its PIN, look up the rate of a destination, charge the card,
 * and the billing arithmetic (what a talk costs under a rate's increments, how long a balance
 * lasts). Scripts see decimals of the card's currency; every sum here is done in exact integer
 * ten-thousandths (store/money.ts), so what a call is charged is exactly what the rates say.
 *
 * Billing: a rate charges its first increment (60 s by default) as soon as any talk starts, then
 * whole further increments (6 s); each increment costs its share of the per-minute price,
 * rounded up to 1/10000 (never under the rate), so the cost grows by the same step per increment
 * and a script that charges increment by increment debits exactly cost(rate, seconds).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { type CallingCardRate, type CallingCardRepository, cardExpired } from "../../../store/index.js";
import { fromUnits, toUnits } from "../../../store/money.js";

export interface CardApiDeps {
  cards: CallingCardRepository;
  domainId: number;
  /** Notes the card and the running total charged on the call's CDR (decimal). */
  annotate: (fields: { card?: string; charge?: number }) => void;
  /** Wall-clock epoch milliseconds (a card's expiry); Date.now by default. */
  now?: () => number;
}

/** seconds_for() of a free rate: a day, not for ever (the script announces it). */
export const FREE_RATE_SECONDS = 86_400;

/** A rate as scripts see it (rate() gives it; cost() and seconds_for() take it back). */
export interface ScriptRate {
  prefix: string;
  connect_charge: number;
  per_minute: number;
  first_increment: number;
  increment: number;
  description: string;
}

function toScriptRate(r: CallingCardRate): ScriptRate {
  return {
    prefix: r.prefix,
    connect_charge: r.connectCharge,
    per_minute: r.perMinute,
    first_increment: r.firstIncrement,
    increment: r.increment,
    description: r.description,
  };
}

/** A card number or PIN as a script may pass it: a string of digits, or a whole number. */
function digits(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw new Error(`${what} must be a string of digits`);
}

function amountUnits(value: unknown, what: string): number {
  const units = typeof value === "number" ? toUnits(value) : undefined;
  if (units === undefined || units < 0) throw new Error(`${what} must be a number, not negative`);
  return units;
}

/** A rate's figures in units and seconds, checked. */
interface Increments {
  connect: number;
  /** Units the first increment costs, and each further one. */
  first: number;
  step: number;
  firstSeconds: number;
  stepSeconds: number;
}

function increments(rate: unknown, fn: string): Increments {
  if (typeof rate !== "object" || rate === null)
    throw new Error(`card.${fn}: rate must be a rate from card.rate()`);
  const r = rate as Record<string, unknown>;
  const seconds = (name: string): number => {
    const v = r[name];
    if (!(typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 86_400))
      throw new Error(`card.${fn}: rate.${name} must be a whole number of seconds, at least 1`);
    return v;
  };
  const perMinute = amountUnits(r.per_minute, `card.${fn}: rate.per_minute`);
  const connect =
    r.connect_charge === undefined ? 0 : amountUnits(r.connect_charge, `card.${fn}: rate.connect_charge`);
  const firstSeconds = seconds("first_increment");
  const stepSeconds = seconds("increment");
  // Each increment's share of the per-minute price, rounded up to a unit.
  const share = (s: number) => Math.ceil((perMinute * s) / 60);
  return { connect, first: share(firstSeconds), step: share(stepSeconds), firstSeconds, stepSeconds };
}

/** Units `seconds` of talk cost: nothing for none, the first increment, then whole increments. */
export function costUnits(inc: Increments, seconds: number): number {
  if (seconds <= 0) return 0;
  const further = Math.ceil(Math.max(0, seconds - inc.firstSeconds) / inc.stepSeconds);
  return inc.first + further * inc.step;
}

/** Whole seconds of talk `balance` units buy after the connect charge (0: not even the first). */
export function secondsFor(inc: Increments, balance: number): number {
  const left = balance - inc.connect - inc.first;
  if (left < 0) return 0;
  if (inc.step === 0) return Math.max(inc.firstSeconds, FREE_RATE_SECONDS);
  return inc.firstSeconds + Math.floor(left / inc.step) * inc.stepSeconds;
}

/** SHA-256 of a text: equal-length inputs for a constant-time comparison of any two PINs. */
const digest = (text: string) => createHash("sha256").update(text).digest();

export function cardApi(deps: CardApiDeps): Record<string, (...args: unknown[]) => unknown> {
  const now = deps.now ?? Date.now;
  const { cards, domainId } = deps;
  let charged = 0;
  // Arguments are checked before any promise: a bad one throws at the script's call.
  return {
    find(number: unknown) {
      const wanted = digits(number, "card.find: number");
      return cards.findCard(domainId, wanted).then((card) =>
        card === undefined
          ? undefined
          : {
              number: card.number,
              balance: card.balance,
              currency: card.currency,
              enabled: card.enabled,
              expired: cardExpired(card, now()),
              expires_at: card.expiresAt === undefined ? undefined : new Date(card.expiresAt).toISOString(),
            },
      );
    },

    check_pin(number: unknown, pin: unknown) {
      const wanted = digits(pin, "card.check_pin: pin");
      const which = digits(number, "card.check_pin: number");
      return cards.findCard(domainId, which).then((card) => {
        // Compared in constant time, and compared even when there is no such card.
        const same = timingSafeEqual(digest(card?.pin ?? "\u0000no card"), digest(wanted));
        return card !== undefined && same;
      });
    },

    rate(destination: unknown) {
      const number = digits(destination, "card.rate: destination");
      return cards.rateFor(domainId, number).then((r) => (r === undefined ? undefined : toScriptRate(r)));
    },

    charge(number: unknown, amount: unknown) {
      const card = digits(number, "card.charge: number");
      const units = amountUnits(amount, "card.charge: amount");
      return cards.charge(domainId, card, units).then((result) => {
        if (result.ok) {
          charged += units;
          deps.annotate({ card, charge: fromUnits(charged) });
        }
        return { ok: result.ok, balance: result.balance };
      });
    },

    cost(rate: unknown, seconds: unknown) {
      if (typeof seconds !== "number" || !Number.isFinite(seconds))
        throw new Error("card.cost: seconds must be a number");
      return fromUnits(costUnits(increments(rate, "cost"), seconds));
    },

    seconds_for(rate: unknown, balance: unknown) {
      return secondsFor(increments(rate, "seconds_for"), amountUnits(balance, "card.seconds_for: balance"));
    },
  };
}
