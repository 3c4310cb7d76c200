/**
 * Migration 012: CDRs carry talk time and their hang-up cause (issue 23). `talk_time` is whole
 * seconds from answer to end (what `duration` held until now), `duration` becomes the whole call,
 * start to end, and `hangup_cause` says why the call ended (cdr-model.ts HangupCause). Rows
 * written before get their talk time from the old duration, their duration from their times, and
 * a cause from what they recorded: the disposition (busy, cancel, no-answer), the SIP status of a
 * failure (`rejected 404`), and "unknown" for an answered call (who hung up was not kept).
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { StoreKind } from "./connect.js";

/** The cause given to answered calls recorded before 012 (who hung up was not recorded). */
export const LEGACY_ANSWERED_CAUSE = "unknown";

export function cdrTalkTime(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable("cdrs")
        .addColumn("talk_time", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable("cdrs")
        .addColumn("hangup_cause", "varchar(64)", (c) => c.notNull().defaultTo(""))
        .execute();
      // Integer division rounds down on SQLite and PostgreSQL with integer operands; MySQL needs DIV.
      const seconds =
        kind === "mysql"
          ? sql`(ended_at - started_at + 999) div 1000`
          : sql`(ended_at - started_at + 999) / 1000`;
      const rejected =
        kind === "mysql"
          ? sql`concat('rejected ', sip_status)`
          : sql`'rejected ' || cast(sip_status as varchar(8))`;
      await sql`update cdrs set
          talk_time = duration,
          duration = ${seconds},
          hangup_cause = case disposition
            when 'answered' then ${LEGACY_ANSWERED_CAUSE}
            when 'busy' then 'busy'
            when 'cancelled' then 'cancel'
            when 'no-answer' then 'no-answer'
            else ${rejected}
          end`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`update cdrs set duration = talk_time`.execute(db);
      await db.schema.alterTable("cdrs").dropColumn("hangup_cause").execute();
      await db.schema.alterTable("cdrs").dropColumn("talk_time").execute();
    },
  };
}
