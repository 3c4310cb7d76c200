/**
 * The databases the store suite runs against: SQLite always (a temp dir), MariaDB/MySQL when
 * PARLEY_TEST_MYSQL_URL is set, PostgreSQL when PARLEY_TEST_POSTGRES_URL is set. Every location is
 * private to one test group (its own file or database), so runs never collide.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import { createConnection } from "mysql2/promise";
import pg from "pg";
import { openStore, type Store, type StoreHooks, ValidationError } from "../../src/store/index.js";

export interface Location {
  /** Opens a store on this location (again and again: a "restart"). */
  open(hooks?: StoreHooks): Promise<Store>;
  /** Removes the location and everything in it. */
  drop(): Promise<void>;
}

export interface Backend {
  name: string;
  /** A reason to skip, or false to run. */
  skip: string | false;
  fresh(): Promise<Location>;
}

function uniqueName(): string {
  return `parley_test_${process.pid}_${randomBytes(4).toString("hex")}`;
}

const sqlite: Backend = {
  name: "sqlite",
  skip: false,
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), "parley-store-"));
    const file = join(dir, "parley.db");
    return {
      open: (hooks) => openStore({ kind: "sqlite", file }, hooks),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

const mysqlUrl = process.env.PARLEY_TEST_MYSQL_URL;
const mysql: Backend = {
  name: "mysql",
  skip: mysqlUrl ? false : "PARLEY_TEST_MYSQL_URL is not set (e.g. mysql://root@127.0.0.1:3306/test)",
  async fresh() {
    const base = new URL(mysqlUrl ?? "");
    const database = uniqueName();
    const admin = await createConnection({ uri: base.toString() });
    await admin.query(`create database ${database} character set utf8mb4 collate utf8mb4_bin`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${database}`;
    return {
      open: (hooks) => openStore({ kind: "mysql", url: url.toString() }, hooks),
      async drop() {
        const conn = await createConnection({ uri: base.toString() });
        await conn.query(`drop database if exists ${database}`);
        await conn.end();
      },
    };
  },
};

const postgresUrl = process.env.PARLEY_TEST_POSTGRES_URL;
const postgres: Backend = {
  name: "postgres",
  skip: postgresUrl
    ? false
    : "PARLEY_TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)",
  async fresh() {
    // A database of its own, not a schema: the migrator's introspection reads every schema of its
    // database (Kysely's getTables calls pg_get_serial_sequence on each table by name), and a
    // schema another test group drops meanwhile made it fail with "schema ... does not exist".
    const base = new URL(postgresUrl ?? "");
    const database = uniqueName();
    const admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${database}`;
    return {
      open: (hooks) => openStore({ kind: "postgres", url: url.toString() }, hooks),
      async drop() {
        const client = new pg.Client({ connectionString: base.toString() });
        await client.connect();
        // A closed pool's end() can resolve while its connections are still saying goodbye; forced
        // off by the drop, such a connection raises "terminating connection due to administrator
        // command" in the test process. So wait (up to 3 s) until no session is left on it.
        for (let i = 0; i < 60; i++) {
          const left = await client.query(
            "select count(*)::int as n from pg_stat_activity where datname = $1",
            [database],
          );
          if (left.rows[0].n === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await client.query(`drop database if exists ${database} with (force)`);
        await client.end();
      },
    };
  },
};

export const backends: Backend[] = [sqlite, mysql, postgres];

/** One test group's migrated store on a backend: a "restart" reopens it on the same location. */
export interface BackendStore {
  store: Store;
  domainId: number;
  reopen(): Promise<void>;
}

/**
 * Describes `title` on every backend, each with a fresh migrated store of its own (the default
 * domain's id at hand), closed and dropped after the group.
 */
export function onEachBackend(title: string, body: (t: BackendStore) => void): void {
  for (const backend of backends) {
    describe(`${title} on ${backend.name}`, { skip: backend.skip }, () => {
      let location: Location | undefined;
      const t: BackendStore = {
        store: undefined as unknown as Store,
        domainId: 0,
        async reopen() {
          await t.store.close();
          t.store = await location!.open();
        },
      };
      before(async () => {
        location = await backend.fresh();
        t.store = await location.open();
        await t.store.migrate();
        t.domainId = (await t.store.domains.getDefault()).id;
      });
      after(async () => {
        await t.store?.close();
        await location?.drop();
      });
      body(t);
    });
  }
}

/** The fields a store call's ValidationError names (it must throw one). */
export async function validationFields(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.errors.map((e) => e.field);
  }
  assert.fail("expected a ValidationError");
}
