/**
 * Imports of calling cards and rates (issue 18: CSV import, all or nothing). Each row creates the
 * card (rate) its key names, or changes the one that exists; every row is checked before any is
 * written, and all are written in one transaction, so an import with one bad row changes nothing.
 * A card's balance is written only when its row gives one: charges landing during the import stay.
 */
import type { Kysely } from "kysely";
import type { ImportRow } from "./calling-card-csv.js";
import type { CallingCardTables } from "./calling-card-migration.js";
import {
  CARD_DEFAULTS,
  type CallingCardPatch,
  type CallingCardRatePatch,
  definedFields,
  RATE_DEFAULTS,
  validateCallingCard,
  validateCallingCardRate,
} from "./calling-card-model.js";
import { cardColumns, rateColumns } from "./calling-card-rows.js";
import { type FieldError, ValidationError } from "./errors.js";
import { fromUnits } from "./money.js";
import type { Database } from "./schema.js";

/** How many rows an import created and how many it changed. */
export interface ImportResult {
  created: number;
  updated: number;
}

type Db = Kysely<Database & CallingCardTables>;

/** `row 3.balance`: a record's field error, placed on its row. */
function onRow(row: number, errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({ field: `row ${row}.${e.field}`, message: e.message }));
}

/** The rows' keys checked for repeats: the second of two rows with one key is an error. */
function repeats(rows: ReadonlyArray<{ row: number; key: string }>, field: string): FieldError[] {
  const first = new Map<string, number>();
  const errors: FieldError[] = [];
  for (const { row, key } of rows) {
    const earlier = first.get(key);
    if (earlier !== undefined)
      errors.push({ field: `row ${row}.${field}`, message: `repeats row ${earlier}` });
    else first.set(key, row);
  }
  return errors;
}

export async function importCards(
  db: Db,
  domainId: number,
  rows: ReadonlyArray<ImportRow<CallingCardPatch & { number: string }>>,
  now: number,
): Promise<ImportResult> {
  return db.transaction().execute(async (tx) => {
    const errors = repeats(
      rows.map((r) => ({ row: r.row, key: r.fields.number })),
      "number",
    );
    const current = new Map(
      (await tx.selectFrom("calling_cards").selectAll().where("domain_id", "=", domainId).execute()).map(
        (r) => [r.number, r],
      ),
    );
    const writes = rows.map(({ row, fields }) => {
      const stored = current.get(fields.number);
      const base = stored
        ? {
            number: stored.number,
            pin: stored.pin,
            balance: fromUnits(Number(stored.balance)),
            currency: stored.currency,
            expiresAt: stored.expires_at === null ? null : Number(stored.expires_at),
            enabled: Number(stored.enabled) === 1,
          }
        : { ...CARD_DEFAULTS, pin: undefined as unknown as string };
      const next = { ...base, ...definedFields(fields), number: fields.number };
      errors.push(...onRow(row, validateCallingCard(next)));
      const id = stored === undefined ? undefined : Number(stored.id);
      return { next, id, setBalance: fields.balance !== undefined };
    });
    if (errors.length > 0) throw new ValidationError(errors);
    let created = 0;
    for (const { next, id, setBalance } of writes) {
      const { balance, ...columns } = cardColumns(next);
      if (id === undefined) {
        await tx
          .insertInto("calling_cards")
          .values({ domain_id: domainId, ...columns, balance, created_at: now, updated_at: now })
          .execute();
        created++;
      } else {
        await tx
          .updateTable("calling_cards")
          .set({ ...columns, ...(setBalance ? { balance } : {}), updated_at: now })
          .where("domain_id", "=", domainId)
          .where("id", "=", id)
          .execute();
      }
    }
    return { created, updated: writes.length - created };
  });
}

export async function importRates(
  db: Db,
  domainId: number,
  rows: ReadonlyArray<ImportRow<CallingCardRatePatch & { prefix: string }>>,
  now: number,
): Promise<ImportResult> {
  return db.transaction().execute(async (tx) => {
    const current = new Map(
      (await tx.selectFrom("calling_card_rates").selectAll().where("domain_id", "=", domainId).execute()).map(
        (r) => [r.prefix, r],
      ),
    );
    const errors = repeats(
      rows.map((r) => ({ row: r.row, key: r.fields.prefix })),
      "prefix",
    );
    const writes = rows.map(({ row, fields }) => {
      const stored = current.get(fields.prefix);
      const base = stored
        ? {
            prefix: stored.prefix,
            connectCharge: fromUnits(Number(stored.connect_charge)),
            perMinute: fromUnits(Number(stored.per_minute)),
            firstIncrement: Number(stored.first_increment),
            increment: Number(stored.increment),
            description: stored.description,
          }
        : { ...RATE_DEFAULTS, perMinute: undefined as unknown as number };
      const next = { ...base, ...definedFields(fields), prefix: fields.prefix };
      errors.push(...onRow(row, validateCallingCardRate(next)));
      return { next, id: stored === undefined ? undefined : Number(stored.id) };
    });
    if (errors.length > 0) throw new ValidationError(errors);
    let created = 0;
    for (const { next, id } of writes) {
      if (id === undefined) {
        await tx
          .insertInto("calling_card_rates")
          .values({ domain_id: domainId, ...rateColumns(next), created_at: now, updated_at: now })
          .execute();
        created++;
      } else {
        await tx
          .updateTable("calling_card_rates")
          .set({ ...rateColumns(next), updated_at: now })
          .where("domain_id", "=", domainId)
          .where("id", "=", id)
          .execute();
      }
    }
    return { created, updated: writes.length - created };
  });
}
