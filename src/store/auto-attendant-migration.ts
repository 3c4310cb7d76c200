/**
 * Migration 009: the auto-attendant (issue 17): menus, time conditions (office hours) and entry
 * points, every row carrying its domain (deleted with it). A menu's and a time condition's
 * settings are one JSON document (`data`): they are read and written whole, validated in code
 * (auto-attendant-validation.ts), and a new setting needs no migration. Every domain gets the
 * default menu ("welcome, please enter the extension number"); a domain made later gets it from
 * the service at start (AutoAttendantRepository.ensureDefaultMenu).
 */
import { type Generated, type Kysely, type Migration, sql } from "kysely";
import { DEFAULT_MENU_DESCRIPTION, DEFAULT_MENU_NAME, MENU_DEFAULTS } from "./auto-attendant-model.js";
import type { StoreKind } from "./connect.js";
import { DOMAIN_FK, idColumn, idType, tableOptions } from "./migrations.js";

/** The tables' row types, added to the store's Database type where they are used. */
export type AutoAttendantTables = {
  auto_attendant_menus: DocumentRow;
  auto_attendant_time_conditions: DocumentRow;
  auto_attendant_entries: EntryRow;
};

type DocumentRow = {
  id: Generated<number>;
  domain_id: number;
  name: string;
  data: string;
  created_at: number;
  updated_at: number;
};

type EntryRow = {
  id: Generated<number>;
  domain_id: number;
  kind: string;
  entry_key: string;
  menu: string;
  time_condition: string;
  created_at: number;
  updated_at: number;
};

export function autoAttendant(kind: StoreKind): Migration {
  const documents = (db: Kysely<unknown>, table: string) =>
    db.schema
      .createTable(table)
      .addColumn("id", idType(kind), idColumn(kind))
      .addColumn("domain_id", "integer", (c) => c.notNull())
      .addColumn("name", "varchar(64)", (c) => c.notNull())
      .addColumn("data", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addUniqueConstraint(`${table}_key`, ["domain_id", "name"])
      .addForeignKeyConstraint(`${table}_domain`, [...DOMAIN_FK], "domains", ["id"], (c) =>
        c.onDelete("cascade"),
      )
      .modifyEnd(tableOptions(kind))
      .execute();
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await documents(db, "auto_attendant_menus");
      await documents(db, "auto_attendant_time_conditions");
      await db.schema
        .createTable("auto_attendant_entries")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("kind", "varchar(16)", (c) => c.notNull())
        .addColumn("entry_key", "varchar(64)", (c) => c.notNull())
        .addColumn("menu", "varchar(64)", (c) => c.notNull())
        .addColumn("time_condition", "varchar(64)", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("auto_attendant_entries_key", ["domain_id", "kind", "entry_key"])
        .addForeignKeyConstraint("auto_attendant_entries_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      const data = JSON.stringify({ ...MENU_DEFAULTS, description: DEFAULT_MENU_DESCRIPTION });
      const now = Date.now();
      const domains = await sql<{ id: number }>`select id from domains`.execute(db);
      for (const { id } of domains.rows)
        await sql`insert into auto_attendant_menus (domain_id, name, data, created_at, updated_at)
          values (${Number(id)}, ${DEFAULT_MENU_NAME}, ${data}, ${now}, ${now})`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("auto_attendant_entries").execute();
      await db.schema.dropTable("auto_attendant_time_conditions").execute();
      await db.schema.dropTable("auto_attendant_menus").execute();
    },
  };
}
