/**
 * Migration 014: script triggers (issue 18), every row carrying its domain (deleted with it). The
 * table's row type lives here too (ScriptTriggersTable): the repository adds it to the store's
 * Database with Kysely's withTables(), so the shared schema stays untouched.
 *
 * The dial plan's "script" route type needs no column: analyze records are JSON in
 * `routing_config.config` (migration 003), so their new `script` field is stored with the rest.
 */
import type { Generated, Kysely, Migration } from "kysely";
import type { StoreKind } from "./connect.js";
import { DOMAIN_FK, idColumn, idType, tableOptions } from "./migrations.js";

/** Script triggers (migration 014); `position` is the record's `order` (a reserved word in SQL). */
export interface ScriptTriggersTable {
  id: Generated<number>;
  domain_id: number;
  point: string;
  dial_plan: string;
  prefix: string;
  script: string;
  position: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export function scriptTriggers(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("script_triggers")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("point", "varchar(16)", (c) => c.notNull())
        .addColumn("dial_plan", "varchar(64)", (c) => c.notNull())
        .addColumn("prefix", "varchar(32)", (c) => c.notNull())
        .addColumn("script", "varchar(64)", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addForeignKeyConstraint("script_triggers_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      await db.schema
        .createIndex("script_triggers_point")
        .on("script_triggers")
        .columns(["domain_id", "point", "position"])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("script_triggers").execute();
    },
  };
}
