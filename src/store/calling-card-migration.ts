/**
 * Migration 015: calling cards and their rates (issue 18), every row carrying its domain (deleted
 * with it). Money columns hold integer ten-thousandths of the currency unit (money.ts): BIGINT,
 * so a balance of a billion stays exact, and charge() can debit with one conditional UPDATE. The
 * tables' row types live here: the repository adds them to the store's Database with Kysely's
 * withTables(), as 008 does, so the shared schema stays untouched.
 */
import type { Generated, Kysely, Migration } from "kysely";
import type { StoreKind } from "./connect.js";
import { DOMAIN_FK, idColumn, idType, tableOptions } from "./migrations.js";

/** Prepaid cards (migration 015); `balance` in units; booleans as 0/1; times epoch ms. */
export interface CallingCardsTable {
  id: Generated<number>;
  domain_id: number;
  number: string;
  pin: string;
  balance: number;
  currency: string;
  expires_at: number | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** Rates (migration 015); `connect_charge` and `per_minute` in units; increments in seconds. */
export interface CallingCardRatesTable {
  id: Generated<number>;
  domain_id: number;
  prefix: string;
  connect_charge: number;
  per_minute: number;
  first_increment: number;
  increment: number;
  description: string;
  created_at: number;
  updated_at: number;
}

export type CallingCardTables = {
  calling_cards: CallingCardsTable;
  calling_card_rates: CallingCardRatesTable;
};

export function callingCards(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("calling_cards")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("number", "varchar(32)", (c) => c.notNull())
        .addColumn("pin", "varchar(16)", (c) => c.notNull())
        .addColumn("balance", "bigint", (c) => c.notNull())
        .addColumn("currency", "varchar(3)", (c) => c.notNull().defaultTo("USD"))
        .addColumn("expires_at", "bigint")
        .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("calling_cards_key", ["domain_id", "number"])
        .addForeignKeyConstraint("calling_cards_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      await db.schema
        .createTable("calling_card_rates")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("prefix", "varchar(32)", (c) => c.notNull())
        .addColumn("connect_charge", "bigint", (c) => c.notNull())
        .addColumn("per_minute", "bigint", (c) => c.notNull())
        .addColumn("first_increment", "integer", (c) => c.notNull().defaultTo(60))
        .addColumn("increment", "integer", (c) => c.notNull().defaultTo(6))
        .addColumn("description", "varchar(128)", (c) => c.notNull().defaultTo(""))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("calling_card_rates_key", ["domain_id", "prefix"])
        .addForeignKeyConstraint("calling_card_rates_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("calling_card_rates").execute();
      await db.schema.dropTable("calling_cards").execute();
    },
  };
}
