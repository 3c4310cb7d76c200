/**
 * Migration 010: call recording (issue 17). A user's recording setting ("never", "always",
 * "on-demand"; external lines' and SIP trunks' `recordCalls` live in their JSON config, so they
 * need no column), the CDR's link to its recording, and one row per recording, carrying its
 * domain (deleted with it). The recordings table's row type lives here (RecordingsTable): the
 * repository adds it to the store's Database with Kysely's withTables(), as 008 does.
 */
import type { Generated, Kysely, Migration } from "kysely";
import type { StoreKind } from "./connect.js";
import { DOMAIN_FK, idColumn, idType, tableOptions } from "./migrations.js";

/** One call recording (migration 010); the WAV is `<dataDir>/recordings/<file>`. */
export interface RecordingsTable {
  id: Generated<number>;
  domain_id: number;
  /** The recording's id in the API and the CDR: the call's id, `-2` and on for later segments. */
  recording_id: string;
  /** Parley's id of the call (the CDR's). */
  call_id: string;
  caller: string;
  callee: string;
  started_at: number;
  duration_ms: number;
  bytes: number;
  /** 1 (both directions mixed) or 2 (caller left, callee right). */
  channels: number;
  /** The WAV, relative to the recordings folder: calls/yyyy/mm/dd/<id>.wav. */
  file: string;
}

export function callRecording(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable("users")
        .addColumn("recording", "varchar(16)", (c) => c.notNull().defaultTo("never"))
        .execute();
      await db.schema.alterTable("cdrs").addColumn("recording", "varchar(80)").execute();
      await db.schema
        .createTable("call_recordings")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("recording_id", "varchar(80)", (c) => c.notNull())
        .addColumn("call_id", "varchar(64)", (c) => c.notNull())
        .addColumn("caller", "varchar(128)", (c) => c.notNull())
        .addColumn("callee", "varchar(128)", (c) => c.notNull())
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("duration_ms", "bigint", (c) => c.notNull())
        .addColumn("bytes", "bigint", (c) => c.notNull())
        .addColumn("channels", "integer", (c) => c.notNull())
        .addColumn("file", "varchar(255)", (c) => c.notNull())
        .addUniqueConstraint("call_recordings_key", ["domain_id", "recording_id"])
        .addForeignKeyConstraint("call_recordings_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      await db.schema
        .createIndex("call_recordings_started")
        .on("call_recordings")
        .columns(["domain_id", "started_at"])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("call_recordings").execute();
      await db.schema.alterTable("cdrs").dropColumn("recording").execute();
      await db.schema.alterTable("users").dropColumn("recording").execute();
    },
  };
}
