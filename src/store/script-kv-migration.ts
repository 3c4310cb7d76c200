/**
 * Migration 017: the key-value store of service scripts (issue 18: "a small key-value and table
 * store per script in the Parley database"). One row per (domain, script, key); the value is JSON
 * text. The row type lives here too (ScriptKvTable): the repository adds it to the store's
 * Database with Kysely's withTables(), so the shared schema stays untouched.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { StoreKind } from "./connect.js";
import { DOMAIN_FK, tableOptions } from "./migrations.js";

export interface ScriptKvTable {
  domain_id: number;
  /** The script's name (script-files.ts SCRIPT_NAME: at most 64 characters). */
  script: string;
  key: string;
  /** JSON text, at most SCRIPT_KV_LIMITS.valueBytes. */
  value: string;
  /** Epoch milliseconds of the last write. */
  updated_at: number;
}

export function scriptKv(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // MySQL's TEXT holds 65,535 bytes, one short of the 64 KiB a value may take: MEDIUMTEXT there.
      const valueType = kind === "mysql" ? sql`mediumtext` : sql`text`;
      await db.schema
        .createTable("script_kv")
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("script", "varchar(64)", (c) => c.notNull())
        // 200 characters: 800 bytes in utf8mb4, within InnoDB's 3072-byte key.
        .addColumn("key", "varchar(200)", (c) => c.notNull())
        .addColumn("value", valueType, (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("script_kv_key", ["domain_id", "script", "key"])
        .addForeignKeyConstraint("script_kv_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("script_kv").execute();
    },
  };
}
