/**
 * Calling cards' and rates' rows (migration 015) to records and back: money columns are integer
 * units (money.ts), the records' money decimals; booleans are 0/1; a null expiry is none.
 */
import type { Selectable } from "kysely";
import type { CallingCardRatesTable, CallingCardsTable } from "./calling-card-migration.js";
import {
  type CallingCard,
  type CallingCardPatch,
  type CallingCardRate,
  definedFields,
  type NewCallingCard,
} from "./calling-card-model.js";
import { fromUnits, toUnits } from "./money.js";

export function toCard(r: Selectable<CallingCardsTable>): CallingCard {
  const card: CallingCard = {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    number: r.number,
    pin: r.pin,
    balance: fromUnits(Number(r.balance)),
    currency: r.currency,
    enabled: Number(r.enabled) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
  if (r.expires_at !== null) card.expiresAt = Number(r.expires_at);
  return card;
}

export function toRate(r: Selectable<CallingCardRatesTable>): CallingCardRate {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    prefix: r.prefix,
    connectCharge: fromUnits(Number(r.connect_charge)),
    perMinute: fromUnits(Number(r.per_minute)),
    firstIncrement: Number(r.first_increment),
    increment: Number(r.increment),
    description: r.description,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Validated decimals are exact in units (validateCallingCard refused any other). */
const units = (amount: number): number => toUnits(amount) ?? 0;

type CardFields = Omit<CallingCard, "id" | "domainId" | "createdAt" | "updatedAt" | "expiresAt"> & {
  expiresAt?: number | null;
};

export function cardColumns(c: CardFields) {
  return {
    number: c.number,
    pin: c.pin,
    balance: units(c.balance),
    currency: c.currency,
    expires_at: c.expiresAt ?? null,
    enabled: c.enabled ? 1 : 0,
  };
}

export function rateColumns(r: Omit<CallingCardRate, "id" | "domainId" | "createdAt" | "updatedAt">) {
  return {
    prefix: r.prefix,
    connect_charge: units(r.connectCharge),
    per_minute: units(r.perMinute),
    first_increment: r.firstIncrement,
    increment: r.increment,
    description: r.description,
  };
}

/** A card's fields after a patch; `expiresAt: null` clears the expiry. */
export function patchedCard(current: CallingCard, patch: CallingCardPatch): NewCallingCard & CardFields {
  return { ...current, ...definedFields(patch) };
}
