/**
 * Calling cards and their rates (migration 015), per domain, on SQLite, MySQL/MariaDB and
 * PostgreSQL. Cards are addressed by number, rates by id (a rate's prefix may be "").
 *
 * charge() is the one place a balance goes down, and it is a single conditional UPDATE
 * (`balance = balance - x ... where balance >= x`): the database checks and debits in one step,
 * so two calls on one card, in one process or in two Parleys on one database, can never spend
 * more than the card holds. credit() adds the same way; a PATCH of the balance sets it outright.
 * Imports (calling-card-import.ts) are all or nothing, in one transaction.
 */
import type { Kysely } from "kysely";
import type { ImportRow } from "./calling-card-csv.js";
import { type ImportResult, importCards, importRates } from "./calling-card-import.js";
import type { CallingCardTables } from "./calling-card-migration.js";
import {
  CALLING_CARD_LIMITS,
  CARD_DEFAULTS,
  type CallingCard,
  type CallingCardPatch,
  type CallingCardRate,
  type CallingCardRatePatch,
  type ChargeResult,
  definedFields,
  type NewCallingCard,
  type NewCallingCardRate,
  RATE_DEFAULTS,
  validateCallingCard,
  validateCallingCardRate,
} from "./calling-card-model.js";
import { cardColumns, patchedCard, rateColumns, toCard, toRate } from "./calling-card-rows.js";
import type { StoreKind } from "./connect.js";
import { NotFoundError, unique, ValidationError } from "./errors.js";
import { fromUnits, MONEY_SCALE } from "./money.js";
import type { Database } from "./schema.js";

export interface CallingCardRepository {
  /** A domain's cards, by number. */
  cards(domainId: number): Promise<CallingCard[]>;
  findCard(domainId: number, number: string): Promise<CallingCard | undefined>;
  createCard(domainId: number, input: NewCallingCard): Promise<CallingCard>;
  updateCard(domainId: number, number: string, patch: CallingCardPatch): Promise<CallingCard>;
  /** Resolves to whether the card existed. */
  deleteCard(domainId: number, number: string): Promise<boolean>;
  /** A domain's rates, by prefix. */
  rates(domainId: number): Promise<CallingCardRate[]>;
  findRate(domainId: number, id: number): Promise<CallingCardRate | undefined>;
  createRate(domainId: number, input: NewCallingCardRate): Promise<CallingCardRate>;
  updateRate(domainId: number, id: number, patch: CallingCardRatePatch): Promise<CallingCardRate>;
  deleteRate(domainId: number, id: number): Promise<boolean>;
  /** The rate of the longest prefix of `destination` ("" matches any); undefined when none. */
  rateFor(domainId: number, destination: string): Promise<CallingCardRate | undefined>;
  /**
   * Debits `amountUnits` (integer ten-thousandths) atomically: ok and the balance after, or
   * ok=false and nothing debited when the balance is short. Disabled or expired cards are
   * charged too (a call already running owes what it talks). NotFoundError when no such card.
   */
  charge(domainId: number, number: string, amountUnits: number): Promise<ChargeResult>;
  /** Adds `amountUnits` atomically (a top-up while calls run loses none of their charges). */
  credit(domainId: number, number: string, amountUnits: number): Promise<ChargeResult>;
  /** Creates or changes the cards the rows name, all or none (errors name `row N.field`). */
  importCards(
    domainId: number,
    rows: ReadonlyArray<ImportRow<CallingCardPatch & { number: string }>>,
  ): Promise<ImportResult>;
  /** Creates or changes the rates the rows name, all or none (errors name `row N.field`). */
  importRates(
    domainId: number,
    rows: ReadonlyArray<ImportRow<CallingCardRatePatch & { prefix: string }>>,
  ): Promise<ImportResult>;
}

type CardDatabase = Database & CallingCardTables;

const MAX_BALANCE_UNITS = CALLING_CARD_LIMITS.balance * MONEY_SCALE;

function checkUnits(amountUnits: number): void {
  if (!Number.isSafeInteger(amountUnits) || amountUnits < 0)
    throw new ValidationError([
      { field: "amount", message: "must be a whole, non-negative number of units" },
    ]);
}

export class KyselyCallingCardRepository implements CallingCardRepository {
  private readonly db: Kysely<CardDatabase>;

  constructor(
    db: Kysely<Database>,
    private readonly kind: StoreKind,
    private readonly now: () => number,
  ) {
    this.db = db.withTables<CallingCardTables>();
  }

  async cards(domainId: number): Promise<CallingCard[]> {
    const rows = await this.db
      .selectFrom("calling_cards")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("number")
      .execute();
    return rows.map(toCard);
  }

  async findCard(domainId: number, number: string): Promise<CallingCard | undefined> {
    const row = await this.db
      .selectFrom("calling_cards")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("number", "=", number)
      .executeTakeFirst();
    return row ? toCard(row) : undefined;
  }

  async createCard(domainId: number, input: NewCallingCard): Promise<CallingCard> {
    const errors = validateCallingCard(input);
    if (errors.length > 0) throw new ValidationError(errors);
    const c = { ...CARD_DEFAULTS, ...definedFields(input), number: input.number, pin: input.pin };
    const now = this.now();
    await unique("calling card", c.number, () =>
      this.db
        .insertInto("calling_cards")
        .values({ domain_id: domainId, ...cardColumns(c), created_at: now, updated_at: now })
        .execute(),
    );
    // Read back by the unique key: MySQL has no RETURNING.
    return (await this.findCard(domainId, c.number))!;
  }

  async updateCard(domainId: number, number: string, patch: CallingCardPatch): Promise<CallingCard> {
    const current = await this.findCard(domainId, number);
    if (!current) throw new NotFoundError("calling card", number);
    const next = patchedCard(current, patch);
    const errors = validateCallingCard(next);
    if (errors.length > 0) throw new ValidationError(errors);
    // The balance is written only when the patch sets it: a charge landing meanwhile stays.
    const { balance, ...columns } = cardColumns(next);
    await unique("calling card", next.number, () =>
      this.db
        .updateTable("calling_cards")
        .set({ ...columns, ...(patch.balance === undefined ? {} : { balance }), updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("id", "=", current.id)
        .execute(),
    );
    return (await this.findCard(domainId, next.number))!;
  }

  async deleteCard(domainId: number, number: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("calling_cards")
      .where("domain_id", "=", domainId)
      .where("number", "=", number)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async rates(domainId: number): Promise<CallingCardRate[]> {
    const rows = await this.db
      .selectFrom("calling_card_rates")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("prefix")
      .execute();
    return rows.map(toRate);
  }

  async findRate(domainId: number, id: number): Promise<CallingCardRate | undefined> {
    const row = await this.db
      .selectFrom("calling_card_rates")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toRate(row) : undefined;
  }

  private async rateByPrefix(domainId: number, prefix: string): Promise<CallingCardRate | undefined> {
    const row = await this.db
      .selectFrom("calling_card_rates")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("prefix", "=", prefix)
      .executeTakeFirst();
    return row ? toRate(row) : undefined;
  }

  async createRate(domainId: number, input: NewCallingCardRate): Promise<CallingCardRate> {
    const errors = validateCallingCardRate(input);
    if (errors.length > 0) throw new ValidationError(errors);
    const r = { ...RATE_DEFAULTS, ...definedFields(input), prefix: input.prefix, perMinute: input.perMinute };
    const now = this.now();
    await unique("calling card rate", r.prefix, () =>
      this.db
        .insertInto("calling_card_rates")
        .values({ domain_id: domainId, ...rateColumns(r), created_at: now, updated_at: now })
        .execute(),
    );
    return (await this.rateByPrefix(domainId, r.prefix))!;
  }

  async updateRate(domainId: number, id: number, patch: CallingCardRatePatch): Promise<CallingCardRate> {
    const current = await this.findRate(domainId, id);
    if (!current) throw new NotFoundError("calling card rate", String(id));
    const next = { ...current, ...definedFields(patch) };
    const errors = validateCallingCardRate(next);
    if (errors.length > 0) throw new ValidationError(errors);
    await unique("calling card rate", next.prefix, () =>
      this.db
        .updateTable("calling_card_rates")
        .set({ ...rateColumns(next), updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("id", "=", id)
        .execute(),
    );
    return (await this.findRate(domainId, id))!;
  }

  async deleteRate(domainId: number, id: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom("calling_card_rates")
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async rateFor(domainId: number, destination: string): Promise<CallingCardRate | undefined> {
    if (typeof destination !== "string" || destination.length > 64)
      throw new ValidationError([
        { field: "destination", message: "must be a number of at most 64 characters" },
      ]);
    // Every prefix of the destination, "" included: one indexed lookup, the longest wins.
    const prefixes = Array.from({ length: Math.min(destination.length, 32) + 1 }, (_, i) =>
      destination.slice(0, i),
    );
    const rows = await this.db
      .selectFrom("calling_card_rates")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("prefix", "in", prefixes)
      .execute();
    const best = rows.reduce<(typeof rows)[number] | undefined>(
      (a, r) => (a === undefined || r.prefix.length > a.prefix.length ? r : a),
      undefined,
    );
    return best ? toRate(best) : undefined;
  }

  importCards(
    domainId: number,
    rows: ReadonlyArray<ImportRow<CallingCardPatch & { number: string }>>,
  ): Promise<ImportResult> {
    return importCards(this.db, domainId, rows, this.now());
  }

  importRates(
    domainId: number,
    rows: ReadonlyArray<ImportRow<CallingCardRatePatch & { prefix: string }>>,
  ): Promise<ImportResult> {
    return importRates(this.db, domainId, rows, this.now());
  }

  async charge(domainId: number, number: string, amountUnits: number): Promise<ChargeResult> {
    checkUnits(amountUnits);
    if (amountUnits > 0) {
      const after = await this.adjust(domainId, number, -amountUnits);
      if (after !== undefined) return { ok: true, balance: fromUnits(after) };
    }
    const card = await this.findCard(domainId, number);
    if (card === undefined) throw new NotFoundError("calling card", number);
    return { ok: amountUnits === 0, balance: card.balance };
  }

  async credit(domainId: number, number: string, amountUnits: number): Promise<ChargeResult> {
    checkUnits(amountUnits);
    const after = amountUnits === 0 ? undefined : await this.adjust(domainId, number, amountUnits);
    if (after !== undefined) return { ok: true, balance: fromUnits(after) };
    const card = await this.findCard(domainId, number);
    if (card === undefined) throw new NotFoundError("calling card", number);
    if (amountUnits === 0) return { ok: true, balance: card.balance };
    throw new ValidationError([
      { field: "amount", message: `would take the balance over ${CALLING_CARD_LIMITS.balance}` },
    ]);
  }

  /**
   * Adds `delta` units to the balance in one conditional UPDATE (never below zero); resolves to
   * the balance after, or undefined when no row changed (no card, or too little on it).
   */
  private async adjust(domainId: number, number: string, delta: number): Promise<number | undefined> {
    const update = (db: Kysely<CardDatabase>) =>
      db
        .updateTable("calling_cards")
        .set((eb) => ({ balance: eb("balance", "+", delta) }))
        .where("domain_id", "=", domainId)
        .where("number", "=", number)
        .where("balance", ">=", Math.max(0, -delta))
        .where("balance", "<=", MAX_BALANCE_UNITS - Math.max(0, delta));
    if (this.kind !== "mysql") {
      const row = await update(this.db).returning("balance").executeTakeFirst();
      return row === undefined ? undefined : Number(row.balance);
    }
    // MySQL has no RETURNING: the UPDATE's row lock holds until commit, so the SELECT in the same
    // transaction reads exactly the balance this UPDATE left.
    return this.db.transaction().execute(async (tx) => {
      const result = await update(tx).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const row = await tx
        .selectFrom("calling_cards")
        .select("balance")
        .where("domain_id", "=", domainId)
        .where("number", "=", number)
        .executeTakeFirstOrThrow();
      return Number(row.balance);
    });
  }
}
