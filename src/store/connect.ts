/**
 * Opens a Kysely instance on one of the three engines, with the settings each needs to behave
 * like the others (same JavaScript types back, same text semantics).
 */
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from "kysely";
import type * as Mysql from "mysql2";
import type * as Pg from "pg";
import type { Database as Schema } from "./schema.js";

export type StoreKind = "sqlite" | "mysql" | "postgres";

export type StoreOptions =
  | { kind: "sqlite"; file: string }
  | { kind: "mysql"; url: string }
  | { kind: "postgres"; url: string };

export interface Connection {
  kind: StoreKind;
  db: Kysely<Schema>;
  /** The raw SQLite handle, for prepared statements on the hot path; absent on network engines. */
  sqlite?: Database.Database;
}

/** How long a SQLite writer waits for a lock held by another process before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** PostgreSQL type OID of BIGINT; pg returns it as a string unless told otherwise. */
const PG_INT8_OID = 20;

function openSqlite(file: string): Connection {
  const sqlite = new Database(file);
  // WAL: readers never block the writer; synchronous=NORMAL: a commit costs no fsync (durable at
  // checkpoint; a power cut may lose the last commits, never corrupt the file).
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kind: "sqlite", db, sqlite };
}

/**
 * The network engines' drivers are loaded when one is used: a SQLite install (the default) and
 * every `parley` command start without them. Both are CommonJS, so require() loads them at once.
 */
const require = createRequire(import.meta.url);

function openMysql(url: string): Connection {
  const { createPool } = require("mysql2") as typeof Mysql;
  const pool = createPool({ uri: url, charset: "utf8mb4", connectionLimit: 10 });
  return { kind: "mysql", db: new Kysely<Schema>({ dialect: new MysqlDialect({ pool }) }) };
}

function openPostgres(url: string): Connection {
  const pg = require("pg") as typeof Pg;
  const types = {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === PG_INT8_OID && format !== "binary"
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, max: 10, types });
  return { kind: "postgres", db: new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }) };
}

export function connect(options: StoreOptions): Connection {
  switch (options.kind) {
    case "sqlite":
      return openSqlite(options.file);
    case "mysql":
      return openMysql(options.url);
    case "postgres":
      return openPostgres(options.url);
  }
}
