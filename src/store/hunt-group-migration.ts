/**
 * Migration 007: hunt groups and the hunt group detection table (issue 16), every row carrying
 * its domain (deleted with it). Kept beside the other migrations' helpers (migrations.ts lists it).
 */
import type { Kysely, Migration } from "kysely";
import type { StoreKind } from "./connect.js";
import { DOMAIN_FK, idColumn, idType, tableOptions } from "./migrations.js";

export function huntGroups(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("hunt_groups")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("number", "varchar(32)", (c) => c.notNull())
        .addColumn("name", "varchar(64)", (c) => c.notNull())
        .addColumn("members", "text", (c) => c.notNull())
        .addColumn("strategy", "varchar(16)", (c) => c.notNull())
        .addColumn("ring_time", "integer", (c) => c.notNull())
        .addColumn("no_answer", "varchar(16)", (c) => c.notNull())
        .addColumn("no_answer_target", "varchar(32)", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("hunt_groups_key", ["domain_id", "number"])
        .addForeignKeyConstraint("hunt_groups_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      await db.schema
        .createTable("hunt_detections")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("dial_plan", "varchar(32)", (c) => c.notNull())
        .addColumn("called_number", "varchar(32)", (c) => c.notNull())
        .addColumn("hunt_group", "varchar(32)", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("hunt_detections_key", ["domain_id", "dial_plan", "called_number"])
        .addForeignKeyConstraint("hunt_detections_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("hunt_detections").execute();
      await db.schema.dropTable("hunt_groups").execute();
    },
  };
}
