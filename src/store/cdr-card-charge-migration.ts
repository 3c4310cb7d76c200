/**
 * Migration 016: a CDR names the calling card a call was paid with and what it was charged
 * (issue 18). `card` is the card's number, `charge` integer ten-thousandths of the card's
 * currency (money.ts); both null on every other call, and on every row written before.
 */
import type { Kysely, Migration } from "kysely";

export function cdrCardCharge(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("cdrs").addColumn("card", "varchar(32)").execute();
      await db.schema.alterTable("cdrs").addColumn("charge", "bigint").execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("cdrs").dropColumn("charge").execute();
      await db.schema.alterTable("cdrs").dropColumn("card").execute();
    },
  };
}
