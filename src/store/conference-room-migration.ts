/**
 * Migration 008: configured conference rooms (issue 17), every row carrying its domain (deleted
 * with it). The table's row type lives here too (ConferenceRoomsTable): the repository adds it to
 * the store's Database with Kysely's withTables(), so the shared schema stays untouched.
 */
import type { Generated, Kysely, Migration } from "kysely";
import type { StoreKind } from "./connect.js";
import { DOMAIN_FK, idColumn, idType, tableOptions } from "./migrations.js";

/** Conference rooms (migration 008): a number unique per domain; booleans as 0/1. */
export interface ConferenceRoomsTable {
  id: Generated<number>;
  domain_id: number;
  number: string;
  name: string;
  pin: string;
  max_members: number;
  moderator_pin: string;
  wait_for_moderator: number;
  locked: number;
  created_at: number;
  updated_at: number;
}

export function conferenceRooms(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("conference_rooms")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("number", "varchar(16)", (c) => c.notNull())
        .addColumn("name", "varchar(64)", (c) => c.notNull())
        .addColumn("pin", "varchar(16)", (c) => c.notNull())
        .addColumn("max_members", "integer", (c) => c.notNull())
        .addColumn("moderator_pin", "varchar(16)", (c) => c.notNull())
        .addColumn("wait_for_moderator", "integer", (c) => c.notNull())
        .addColumn("locked", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("conference_rooms_key", ["domain_id", "number"])
        .addForeignKeyConstraint("conference_rooms_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("conference_rooms").execute();
    },
  };
}
