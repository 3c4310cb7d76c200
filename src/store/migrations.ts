/**
 * Versioned schema migrations, defined in code and applied in name order by Kysely's Migrator.
 * Applied migrations are recorded in `parley_migration`; a migration once released never changes:
 * add `002_...` instead.
 */
import { type ColumnDefinitionBuilder, type Kysely, type Migration, Migrator, sql } from "kysely";
import { autoAttendant } from "./auto-attendant-migration.js";
import { callingCards } from "./calling-card-migration.js";
import { cdrCardCharge } from "./cdr-card-charge-migration.js";
import { cdrTalkTime } from "./cdr-talk-time-migration.js";
import { conferenceRooms } from "./conference-room-migration.js";
import type { StoreKind } from "./connect.js";
import { emergencyNumbers } from "./emergency-migration.js";
import { huntGroups } from "./hunt-group-migration.js";
import { callRecording } from "./recording-migration.js";
import { routingRecordIds } from "./routing-record-id-migration.js";
import type { Database } from "./schema.js";
import { scriptKv } from "./script-kv-migration.js";
import { scriptTriggers } from "./script-trigger-migration.js";
import { tenantColumns } from "./tenant-migration.js";

/** A migration's view of the database: the schema builder only, typed loosely on purpose. */
type AnyDb = Kysely<unknown>;

/** An auto-incrementing integer primary key (SERIAL already increments on PostgreSQL). */
export function idColumn(kind: StoreKind) {
  return (col: ColumnDefinitionBuilder) =>
    kind === "postgres" ? col.primaryKey() : col.primaryKey().autoIncrement();
}

/** Table-level foreign key: MySQL ignores an inline REFERENCES clause. */
export const DOMAIN_FK = ["domain_id"] as const;

/** The id column's type: SERIAL on PostgreSQL, INTEGER elsewhere (SQLite needs exactly INTEGER). */
export function idType(kind: StoreKind): "serial" | "integer" {
  return kind === "postgres" ? "serial" : "integer";
}

/** MySQL/MariaDB tables default to latin1 on some installs and compare case-insensitively. */
export function tableOptions(kind: StoreKind) {
  return kind === "mysql" ? sql`default charset=utf8mb4 collate=utf8mb4_bin` : sql``;
}

function initial(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable("domains")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("name", "varchar(253)", (c) => c.notNull().unique())
        .addColumn("realm", "varchar(253)", (c) => c.notNull())
        .addColumn("accepts_any_host", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .modifyEnd(tableOptions(kind))
        .execute();

      const str = (n: number) => `varchar(${n})` as const;
      let users = db.schema
        .createTable("users")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("name", str(32), (c) => c.notNull())
        .addColumn("ha1_md5", "char(32)", (c) => c.notNull())
        .addColumn("ha1_sha256", "char(64)", (c) => c.notNull());
      const texts: Array<[string, number]> = [
        ["display_name", 64],
        ["specific_external_line", 128],
        ["fwd_unconditional_number", 32],
        ["fwd_unreachable_number", 32],
        ["fwd_busy_number", 32],
        ["fwd_no_answer_number", 32],
        ["email", 254],
        ["follow_me_a", 32],
        ["follow_me_b", 32],
        ["follow_me_c", 32],
        ["static_contact", 256],
      ];
      const ints = [
        "no_answer_time",
        "max_duration",
        "max_concurrent_calls",
        "max_concurrent_outgoing_calls",
        "call_right",
        "fwd_unconditional_enabled",
        "fwd_unreachable_enabled",
        "fwd_busy_enabled",
        "fwd_no_answer_enabled",
        "voicemail_on_unreachable_or_no_answer",
        "follow_me_strategy",
        "follow_me_interval",
        "auto_attendant",
        "suppress_ring_group_on_direct_call",
        "ringing_group_id",
        "pickup_group_id",
        "call_park",
        "call_retrieve",
        "call_waiting",
        "multi_device",
        "max_devices",
        "operator_break_in",
        "operator_overstep",
        "subscribe_all_presence",
        "presence_group",
        "music_on_hold",
        "relay_media",
      ];
      // Defaults live in code (user-model.ts); every insert writes every column.
      for (const [name, n] of texts) users = users.addColumn(name, str(n), (c) => c.notNull());
      for (const name of ints) users = users.addColumn(name, "integer", (c) => c.notNull());
      await users
        .addColumn("ip_authorization", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("users_domain_name", ["domain_id", "name"])
        .addForeignKeyConstraint("users_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();

      await db.schema
        .createTable("bindings")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("user_name", "varchar(64)", (c) => c.notNull())
        .addColumn("contact_uri", "text", (c) => c.notNull())
        .addColumn("contact_key", "char(64)", (c) => c.notNull())
        .addColumn("q", "integer")
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("call_id", "varchar(255)", (c) => c.notNull())
        .addColumn("cseq", "bigint", (c) => c.notNull())
        .addColumn("instance_id", "varchar(255)")
        .addColumn("reg_id", "integer")
        .addColumn("path", "text", (c) => c.notNull())
        .addColumn("source_address", "varchar(64)", (c) => c.notNull())
        .addColumn("source_port", "integer", (c) => c.notNull())
        .addColumn("transport", "varchar(8)", (c) => c.notNull())
        .addColumn("flow_id", "varchar(128)")
        .addColumn("user_agent", "text")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("bindings_contact", ["domain_id", "user_name", "contact_key"])
        .addForeignKeyConstraint("bindings_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      await db.schema.createIndex("bindings_expires_at").on("bindings").column("expires_at").execute();

      // A fresh install has one domain that accepts requests addressed to any host of the server.
      const now = Date.now();
      await sql`insert into domains (name, realm, accepts_any_host, created_at, updated_at)
                values (${"default"}, ${"parley"}, ${1}, ${now}, ${now})`.execute(db);
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.dropTable("bindings").execute();
      await db.schema.dropTable("users").execute();
      await db.schema.dropTable("domains").execute();
    },
  };
}

/** Call detail records: one row per finished call, queried by time range, number and disposition. */
function cdrs(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable("cdrs")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("call_id", "varchar(64)", (c) => c.notNull())
        .addColumn("caller", "varchar(64)", (c) => c.notNull())
        .addColumn("caller_name", "varchar(128)", (c) => c.notNull())
        .addColumn("dialed", "varchar(64)", (c) => c.notNull())
        .addColumn("callee", "varchar(64)")
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("answered_at", "bigint")
        .addColumn("ended_at", "bigint", (c) => c.notNull())
        .addColumn("duration", "integer", (c) => c.notNull())
        .addColumn("disposition", "varchar(16)", (c) => c.notNull())
        .addColumn("sip_status", "integer", (c) => c.notNull())
        .addColumn("sip_reason", "varchar(128)", (c) => c.notNull())
        // MySQL TEXT holds 64 KiB: far more than the legs of a call (cdr-validation.ts caps them).
        .addColumn("legs", "text", (c) => c.notNull())
        .addColumn("media", "text")
        .addForeignKeyConstraint("cdrs_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      // Every query is "of a domain, newest first", filtered by time, a number or a disposition;
      // a number matches caller, dialed or callee, so each has its own index (OR of three seeks).
      const indexes: Array<[string, string[]]> = [
        ["cdrs_started", ["domain_id", "started_at"]],
        ["cdrs_caller", ["domain_id", "caller", "started_at"]],
        ["cdrs_dialed", ["domain_id", "dialed", "started_at"]],
        ["cdrs_callee", ["domain_id", "callee", "started_at"]],
        ["cdrs_disposition", ["domain_id", "disposition", "started_at"]],
      ];
      for (const [name, columns] of indexes) {
        await db.schema.createIndex(name).on("cdrs").columns(columns).execute();
      }
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.dropTable("cdrs").execute();
    },
  };
}

/** External lines, SIP trunks and the dial plan tables (routing-repository.ts). */
function dialplanTrunks(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable("routing_config")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("kind", "varchar(16)", (c) => c.notNull())
        .addColumn("key", "varchar(160)", (c) => c.notNull())
        .addColumn("config", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("routing_config_key", ["domain_id", "kind", "key"])
        .addForeignKeyConstraint("routing_config_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.dropTable("routing_config").execute();
    },
  };
}

/**
 * Do not disturb (issue 15): a user flag. Existing users get 0 (off) from the column's default;
 * new rows write it like every other column (defaults live in user-model.ts).
 */
function doNotDisturb(): Migration {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .alterTable("users")
        .addColumn("do_not_disturb", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.alterTable("users").dropColumn("do_not_disturb").execute();
    },
  };
}

/**
 * Voicemail (issue 15): two user fields (voicemail on busy, the mailbox PIN), the messages'
 * metadata (the audio is a file in the data directory), and a small per-domain table of system
 * settings changed at run time (the SMTP server that mails voice messages).
 */
function voicemail(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .alterTable("users")
        .addColumn("voicemail_on_busy", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable("users")
        .addColumn("voicemail_pin", "varchar(16)", (c) => c.notNull().defaultTo(""))
        .execute();
      await db.schema
        .createTable("voicemail_messages")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("mailbox", "varchar(64)", (c) => c.notNull())
        .addColumn("caller", "varchar(128)", (c) => c.notNull())
        .addColumn("caller_name", "varchar(128)", (c) => c.notNull())
        .addColumn("received_at", "bigint", (c) => c.notNull())
        .addColumn("duration_ms", "integer", (c) => c.notNull())
        .addColumn("folder", "varchar(8)", (c) => c.notNull())
        .addColumn("file", "varchar(255)", (c) => c.notNull())
        .addColumn("call_id", "varchar(128)", (c) => c.notNull())
        .addForeignKeyConstraint("voicemail_messages_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      await db.schema
        .createIndex("voicemail_messages_mailbox")
        .on("voicemail_messages")
        .columns(["domain_id", "mailbox", "received_at"])
        .execute();
      await db.schema
        .createTable("system_settings")
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("name", "varchar(64)", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("system_settings_key", ["domain_id", "name"])
        .addForeignKeyConstraint("system_settings_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.dropTable("system_settings").execute();
      await db.schema.dropTable("voicemail_messages").execute();
      await db.schema.alterTable("users").dropColumn("voicemail_pin").execute();
      await db.schema.alterTable("users").dropColumn("voicemail_on_busy").execute();
    },
  };
}

/**
 * The black and white list and the IP black and white list (issue 16), one table each, per
 * domain. A caller and called prefix pair holds one record, so the longest match is never a tie.
 */
function lists(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable("call_lists")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("caller_prefix", "varchar(32)", (c) => c.notNull())
        .addColumn("called_prefix", "varchar(32)", (c) => c.notNull())
        .addColumn("kind", "varchar(8)", (c) => c.notNull())
        .addColumn("rate", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("call_lists_key", ["domain_id", "caller_prefix", "called_prefix"])
        .addForeignKeyConstraint("call_lists_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
      await db.schema
        .createTable("ip_lists")
        .addColumn("id", idType(kind), idColumn(kind))
        .addColumn("domain_id", "integer", (c) => c.notNull())
        .addColumn("address", "varchar(64)", (c) => c.notNull())
        .addColumn("kind", "varchar(8)", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("ip_lists_key", ["domain_id", "address"])
        .addForeignKeyConstraint("ip_lists_domain", [...DOMAIN_FK], "domains", ["id"], (c) =>
          c.onDelete("cascade"),
        )
        .modifyEnd(tableOptions(kind))
        .execute();
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.dropTable("ip_lists").execute();
      await db.schema.dropTable("call_lists").execute();
    },
  };
}

/** Every migration, by name; names sort in the order they apply. */
export function migrations(kind: StoreKind): Record<string, Migration> {
  return {
    "001_initial": initial(kind),
    "002_cdrs": cdrs(kind),
    "003_dialplan_trunks": dialplanTrunks(kind),
    "004_do_not_disturb": doNotDisturb(),
    "005_voicemail": voicemail(kind),
    "006_lists": lists(kind),
    "007_hunt_groups": huntGroups(kind),
    "008_conference_rooms": conferenceRooms(kind),
    "009_auto_attendant": autoAttendant(kind),
    "010_call_recording": callRecording(kind),
    "011_emergency_numbers": emergencyNumbers(kind),
    "012_cdr_talk_time": cdrTalkTime(kind),
    "013_routing_record_ids": routingRecordIds(kind),
    "014_script_triggers": scriptTriggers(kind),
    "015_calling_cards": callingCards(kind),
    "016_cdr_card_charge": cdrCardCharge(),
    "017_script_kv": scriptKv(kind),
    "018_tenants": tenantColumns(),
  };
}

export const MIGRATION_TABLE = "parley_migration";
export const MIGRATION_LOCK_TABLE = "parley_migration_lock";

/**
 * The migrator of a store. On PostgreSQL it is told the schema the store works in (the first on
 * its search path): without it, Kysely takes a migration table of another schema of the same
 * database for its own and never creates it here ("relation parley_migration_lock does not
 * exist" when two Parleys, or two test groups, share a database).
 */
export async function migratorFor(db: Kysely<Database>, kind: StoreKind): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (kind === "postgres") {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
  }
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations(kind) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
}

/** Applies every pending migration; throws (with the failing migration's name) on failure. */
export async function migrateToLatest(db: Kysely<Database>, kind: StoreKind): Promise<string[]> {
  const migrator = await migratorFor(db, kind);
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined) {
    const where = failed ? ` in migration ${failed.migrationName}` : "";
    throw new Error(
      `store migration failed${where}: ${String(error instanceof Error ? error.message : error)}`,
      {
        cause: error,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
