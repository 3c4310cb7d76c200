/**
 * Migration 011: the emergency numbers table (issue 23). One row per number and domain (deleted
 * with it): the number, the external line it leaves on first ("" = the normal outbound routing)
 * and a description. Every domain gets 112, 911 and 999; the Chinese ones (110, 119, 120) come
 * at start when the prompt language is Chinese (emergency-repository.ts, seedLanguageDefaults).
 * The row type lives here; the repository adds it to the store's Database with withTables().
 */
import { type Generated, type Kysely, type Migration, sql } from "kysely";
import { DEFAULT_EMERGENCY_NUMBERS } from "../routing/emergency.js";
import type { StoreKind } from "./connect.js";
import { DOMAIN_FK, idColumn, idType, tableOptions } from "./migrations.js";

export interface EmergencyNumbersTable {
  id: Generated<number>;
  domain_id: number;
  number: string;
  /** An external line's account; "" = none. */
  line: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export const EMERGENCY_TABLE = "emergency_numbers";

export function emergencyNumbers(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable(EMERGENCY_TABLE)
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("number", "varchar(32)", (c) => c.notNull())
        .addColumn("line", "varchar(128)", (c) => c.notNull().defaultTo(""))
        .addColumn("description", "varchar(64)", (c) => c.notNull().defaultTo(""))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("emergency_numbers_key", ["domain_id", "number"])
        .addForeignKeyConstraint("emergency_numbers_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      const now = Date.now();
      const domains = await sql<{ id: number }>`select id from domains`.execute(db);
      for (const { id } of domains.rows)
        for (const number of DEFAULT_EMERGENCY_NUMBERS)
          await sql`insert into emergency_numbers (domain_id, number, line, description, created_at, updated_at)
            values (${Number(id)}, ${number}, '', '', ${now}, ${now})`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable(EMERGENCY_TABLE).execute();
    },
  };
}
