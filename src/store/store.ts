/**
 * The store: one query layer (Kysely) over SQLite (embedded default), MySQL/MariaDB or
 * PostgreSQL, with the same schema and the same repositories on all three.
 *
 * Usage at start: `const store = await storeFromUrl(settings.databaseUrl, dataDir);
 * await store.migrate(); if (await store.seedDefaults()) log.warn(...)`.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { type AutoAttendantRepository, KyselyAutoAttendantRepository } from "./auto-attendant-repository.js";
import type { BindingRepository } from "./binding-model.js";
import { type CallingCardRepository, KyselyCallingCardRepository } from "./calling-card-repository.js";
import { type CdrRepository, KyselyCdrRepository } from "./cdr-repository.js";
import {
  type ConferenceRoomRepository,
  KyselyConferenceRoomRepository,
} from "./conference-room-repository.js";
import { type Connection, connect, type StoreKind, type StoreOptions } from "./connect.js";
import { type DomainRepository, KyselyDomainRepository } from "./domain-repository.js";
import { type HuntGroupRepository, KyselyHuntGroupRepository } from "./hunt-group-repository.js";
import { KyselyBindingRepository } from "./kysely-binding-repository.js";
import { KyselyListRepository, type ListRepository } from "./list-repository.js";
import { migrateToLatest } from "./migrations.js";
import { KyselyRecordingRepository, type RecordingRepository } from "./recording-repository.js";
import { RoutingRepository } from "./routing-repository.js";
import type { Database } from "./schema.js";
import { KyselyScriptKvRepository, type ScriptKvRepository } from "./script-kv-repository.js";
import { KyselyScriptTriggerRepository, type ScriptTriggerRepository } from "./script-trigger-repository.js";
import { SqliteBindingRepository } from "./sqlite-binding-repository.js";
import {
  KyselySystemSettingsRepository,
  type SystemSettingsRepository,
} from "./system-settings-repository.js";
import { TenantRepository } from "./tenant-repository.js";
import { KyselyUserRepository, type UserRepository } from "./user-repository.js";
import { KyselyVoicemailRepository, type VoicemailRepository } from "./voicemail-repository.js";

export interface Store {
  readonly kind: StoreKind;
  /** The query layer, for repositories added later in src/store (CDR, lines, dial plans). */
  readonly db: Kysely<Database>;
  readonly domains: DomainRepository;
  /** Issue 21: creating, changing and deleting tenants (domain rows). */
  readonly tenants: TenantRepository;
  readonly users: UserRepository;
  readonly bindings: BindingRepository;
  /** Call detail records: one per finished call, written durably (see cdr-repository.ts). */
  readonly cdrs: CdrRepository;
  /** External lines, SIP trunks and dial plan tables (see routing-repository.ts). */
  readonly routing: RoutingRepository;
  /** Voice messages' metadata (see voicemail-repository.ts). */
  readonly voicemail: VoicemailRepository;
  /** Settings changed at run time, per domain (the SMTP server). */
  readonly systemSettings: SystemSettingsRepository;
  /** The black and white list and the IP black and white list (see list-repository.ts). */
  readonly lists: ListRepository;
  /** Hunt groups and their detection table (see hunt-group-repository.ts). */
  readonly huntGroups: HuntGroupRepository;
  /** Configured conference rooms (see conference-room-repository.ts). */
  readonly conferenceRooms: ConferenceRoomRepository;
  /** Call recordings' rows (see recording-repository.ts). */
  readonly recordings: RecordingRepository;
  /** The auto-attendant's menus, time conditions and entry points (auto-attendant-repository.ts). */
  readonly autoAttendant: AutoAttendantRepository;
  /** Which service scripts run at which detection points (see script-trigger-repository.ts). */
  readonly scriptTriggers: ScriptTriggerRepository;
  /** Calling cards and their rates; charge() debits atomically (see calling-card-repository.ts). */
  readonly callingCards: CallingCardRepository;
  /** Service scripts' key-value store, per domain and script (see script-kv-repository.ts). */
  readonly scriptKv: ScriptKvRepository;
  /** Applies pending migrations (idempotent); resolves to the names applied now. */
  migrate(): Promise<string[]>;
  /**
   * Creates the preset users 100, 101, 102 (passwords 100, 101, 102) in the default domain when
   * there are no users at all. Resolves to whether it did: the caller must then warn that these
   * well-known passwords be changed.
   */
  seedDefaults(): Promise<boolean>;
  /** Commits queued writes and closes every connection; idempotent. */
  close(): Promise<void>;
}

export interface StoreHooks {
  /** Wall-clock epoch milliseconds for createdAt/updatedAt; Date.now by default. */
  now?: () => number;
}

export const PRESET_USERS = ["100", "101", "102"] as const;
export const SQLITE_FILE_NAME = "parley.db";

class KyselyStore implements Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  readonly domains: DomainRepository;
  /** Issue 21: creating, changing and deleting tenants (domain rows). */
  readonly tenants: TenantRepository;
  readonly users: UserRepository;
  readonly bindings: BindingRepository;
  readonly cdrs: CdrRepository;
  readonly routing: RoutingRepository;
  readonly voicemail: VoicemailRepository;
  readonly systemSettings: SystemSettingsRepository;
  readonly lists: ListRepository;
  readonly huntGroups: HuntGroupRepository;
  readonly conferenceRooms: ConferenceRoomRepository;
  readonly recordings: RecordingRepository;
  readonly autoAttendant: AutoAttendantRepository;
  readonly scriptTriggers: ScriptTriggerRepository;
  readonly callingCards: CallingCardRepository;
  readonly scriptKv: ScriptKvRepository;
  private closing: Promise<void> | undefined;
  private readonly sqliteBindings: SqliteBindingRepository | undefined;

  constructor(connection: Connection, now: () => number) {
    this.kind = connection.kind;
    this.db = connection.db;
    this.domains = new KyselyDomainRepository(this.db);
    this.tenants = new TenantRepository(this.db, this.domains, now);
    this.sqliteBindings = connection.sqlite ? new SqliteBindingRepository(connection.sqlite) : undefined;
    this.bindings = this.sqliteBindings ?? new KyselyBindingRepository(this.db, this.kind);
    this.users = new KyselyUserRepository(this.db, this.bindings, now, connection.sqlite);
    this.cdrs = new KyselyCdrRepository(this.db, this.kind, connection.sqlite);
    this.routing = new RoutingRepository(this.db, now);
    this.voicemail = new KyselyVoicemailRepository(this.db);
    this.systemSettings = new KyselySystemSettingsRepository(this.db, now);
    this.lists = new KyselyListRepository(this.db, now);
    this.huntGroups = new KyselyHuntGroupRepository(this.db, now);
    this.conferenceRooms = new KyselyConferenceRoomRepository(this.db, now);
    this.recordings = new KyselyRecordingRepository(this.db);
    this.autoAttendant = new KyselyAutoAttendantRepository(this.db, now);
    this.scriptTriggers = new KyselyScriptTriggerRepository(this.db, this.kind, now);
    this.scriptKv = new KyselyScriptKvRepository(this.db, this.kind, now);
    this.callingCards = new KyselyCallingCardRepository(this.db, this.kind, now);
  }

  migrate(): Promise<string[]> {
    return migrateToLatest(this.db, this.kind);
  }

  async seedDefaults(): Promise<boolean> {
    if ((await this.users.count()) > 0) return false;
    const domain = await this.domains.getDefault();
    for (const name of PRESET_USERS) await this.users.create(domain.id, { name, password: name });
    return true;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.sqliteBindings?.flush();
      await this.db.destroy();
    })();
    return this.closing;
  }
}

export async function openStore(options: StoreOptions, hooks: StoreHooks = {}): Promise<Store> {
  return new KyselyStore(connect(options), hooks.now ?? Date.now);
}

/** The options a database URL stands for: none → SQLite at `<dataDir>/parley.db`. */
export function storeOptionsFromUrl(url: string | undefined, dataDir: string): StoreOptions {
  if (url === undefined || url === "") return { kind: "sqlite", file: join(dataDir, SQLITE_FILE_NAME) };
  const scheme = url.slice(0, url.indexOf(":")).toLowerCase();
  switch (scheme) {
    case "mysql":
    case "mariadb":
      return { kind: "mysql", url: scheme === "mariadb" ? `mysql${url.slice(scheme.length)}` : url };
    case "postgres":
    case "postgresql":
      return { kind: "postgres", url };
    case "sqlite":
      return { kind: "sqlite", file: url.slice("sqlite:".length) };
    default:
      throw new Error(
        `unsupported database URL scheme "${scheme}:" (use mysql://, postgres:// or sqlite:<file>)`,
      );
  }
}

/** Opens the store a database URL names (undefined: the embedded SQLite file in the data dir). */
export async function storeFromUrl(
  url: string | undefined,
  dataDir: string,
  hooks: StoreHooks = {},
): Promise<Store> {
  const options = storeOptionsFromUrl(url, dataDir);
  if (options.kind === "sqlite") mkdirSync(dataDir, { recursive: true });
  return openStore(options, hooks);
}
