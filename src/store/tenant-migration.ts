/**
 * Migration 018: the tenant columns of `domains` (issue 21, virtual PBXs). A domain row was
 * already the scope of every config row; these columns make it a tenant: the SIP domain it is told
 * apart by on the shared ports, its own ports and limits (JSON text), its state, and when its
 * records (CDRs) may be purged once it was deleted.
 */
import { type Kysely, type Migration, sql } from "kysely";

export function tenantColumns(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      const add = (name: string, type: "varchar(253)" | "varchar(512)" | "varchar(16)" | "bigint") =>
        db.schema.alterTable("domains").addColumn(name, type).execute();
      await add("sip_domain", "varchar(253)");
      await add("ports", "varchar(512)");
      await add("limits", "varchar(512)");
      await db.schema
        .alterTable("domains")
        .addColumn("state", "varchar(16)", (c) => c.notNull().defaultTo("active"))
        .execute();
      await add("purge_at", "bigint");
      await sql`update domains set state = 'active'`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const name of ["purge_at", "state", "limits", "ports", "sip_domain"])
        await db.schema.alterTable("domains").dropColumn(name).execute();
    },
  };
}
