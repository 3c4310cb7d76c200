/**
 * Migration 013: each kind of routing row addressed by id (analyze and refine records, the API's
 * `/dialplan/analyze/{id}`) is numbered on its own, so the first route an operator creates on a
 * fresh install is 1 (issue 23). Before it they shared `routing_config`'s row id with the lines,
 * trunks, dial plans and transitions, so a first analyze record created after a line and a trunk
 * was 3.
 *
 * `record_id` is that number (NULL for the kinds addressed by key); unique per domain and kind.
 * Rows that exist keep the id they were shown with (their row id), so scripts naming them still
 * reach the same record.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { StoreKind } from "./connect.js";

export function routingRecordIds(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("routing_config").addColumn("record_id", "integer").execute();
      await sql`update routing_config set record_id = id where kind in ('analyze', 'refine')`.execute(db);
      // Several NULLs (the kinds addressed by key) are allowed by SQLite, MySQL and PostgreSQL alike.
      await db.schema
        .createIndex("routing_config_record_id")
        .on("routing_config")
        .columns(["domain_id", "kind", "record_id"])
        .unique()
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      const drop = db.schema.dropIndex("routing_config_record_id");
      // Only MySQL names the table of an index it drops.
      await (kind === "mysql" ? drop.on("routing_config") : drop).execute();
      await db.schema.alterTable("routing_config").dropColumn("record_id").execute();
    },
  };
}
