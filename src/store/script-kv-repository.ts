/**
 * The key-value store of service scripts (issue 18, migration 017) on SQLite, MySQL/MariaDB and
 * PostgreSQL: values as JSON text under (domain, script, key), so a script only ever reaches its
 * own keys. Writes validate first (a ValidationError names the key or the value); incr() is
 * atomic in the database, so two calls running the same script at once lose no increment.
 */
import { type Kysely, sql } from "kysely";
import type { StoreKind } from "./connect.js";
import { ValidationError } from "./errors.js";
import type { Database } from "./schema.js";
import type { ScriptKvTable } from "./script-kv-migration.js";
import { encodeValue, keyError, keyLength, SCRIPT_KV_LIMITS } from "./script-kv-model.js";

export interface ScriptKvRepository {
  /** The value under `key`, or undefined when there is none. */
  get(domainId: number, script: string, key: string): Promise<unknown>;
  /** Stores plain data under `key`, replacing what was there. */
  set(domainId: number, script: string, key: string, value: unknown): Promise<void>;
  /** Resolves to whether the key existed. */
  delete(domainId: number, script: string, key: string): Promise<boolean>;
  /** The script's keys that start with `prefix` ("" = all), in code-unit order, at most `limit`. */
  keys(domainId: number, script: string, prefix?: string, limit?: number): Promise<string[]>;
  /** Adds `by` to the number under `key` (none: 0) and resolves to the sum. */
  incr(domainId: number, script: string, key: string, by: number): Promise<number>;
  /** Deletes every key of a script (the script was removed); resolves to how many. */
  clear(domainId: number, script: string): Promise<number>;
}

type KvDatabase = Database & { script_kv: ScriptKvTable };

const PRIMARY_KEY = ["domain_id", "script", "key"] as const;

/**
 * incr() tries again when the row it made vanishes before it could lock it (a delete ran between),
 * or when the engine chose it as a deadlock's victim: on InnoDB two inserts over a row a delete
 * just marked each hold a shared lock and wait for the other's ("try restarting transaction").
 */
const INCR_ATTEMPTS = 10;

/** MySQL/MariaDB ER_LOCK_DEADLOCK, PostgreSQL deadlock_detected. */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ER_LOCK_DEADLOCK" || code === "40P01";
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function check(...errors: Array<{ field: string; message: string } | undefined>): void {
  const found = errors.filter((e) => e !== undefined);
  if (found.length > 0) throw new ValidationError(found);
}

export class KyselyScriptKvRepository implements ScriptKvRepository {
  private readonly db: Kysely<KvDatabase>;

  constructor(
    db: Kysely<Database>,
    private readonly kind: StoreKind,
    private readonly now: () => number,
  ) {
    this.db = db.withTables<{ script_kv: ScriptKvTable }>();
  }

  private row(db: Kysely<KvDatabase>, domainId: number, script: string, key: string) {
    return db
      .selectFrom("script_kv")
      .select("value")
      .where("domain_id", "=", domainId)
      .where("script", "=", script)
      .where("key", "=", key);
  }

  async get(domainId: number, script: string, key: string): Promise<unknown> {
    const row = await this.row(this.db, domainId, script, key).executeTakeFirst();
    return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
  }

  async set(domainId: number, script: string, key: string, value: unknown): Promise<void> {
    const encoded = encodeValue(value);
    check(keyError(key), "error" in encoded ? encoded.error : undefined);
    const text = (encoded as { text: string }).text;
    const now = this.now();
    const insert = this.db
      .insertInto("script_kv")
      .values({ domain_id: domainId, script, key, value: text, updated_at: now });
    // One statement either way: two writers of a new key never collide on the primary key.
    if (this.kind === "mysql") {
      await insert.onDuplicateKeyUpdate({ value: text, updated_at: now }).execute();
    } else {
      await insert
        .onConflict((c) => c.columns([...PRIMARY_KEY]).doUpdateSet({ value: text, updated_at: now }))
        .execute();
    }
  }

  async delete(domainId: number, script: string, key: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("script_kv")
      .where("domain_id", "=", domainId)
      .where("script", "=", script)
      .where("key", "=", key)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async keys(
    domainId: number,
    script: string,
    prefix = "",
    limit: number = SCRIPT_KV_LIMITS.keysListed,
  ): Promise<string[]> {
    let query = this.db
      .selectFrom("script_kv")
      .select("key")
      .where("domain_id", "=", domainId)
      .where("script", "=", script);
    if (prefix !== "") {
      // Not LIKE: SQLite's is case-insensitive and each engine escapes % and _ its own way.
      // substr counts characters on all three engines.
      const n = sql.lit(keyLength(prefix));
      query = query.where(sql<string>`substr(${sql.ref("key")}, 1, ${n})`, "=", prefix);
    }
    const rows = await query
      .orderBy("key")
      .limit(Math.max(0, Math.min(limit, SCRIPT_KV_LIMITS.keysListed)))
      .execute();
    // The engines' collations order differently (PostgreSQL's follows the locale): one order here.
    return rows.map((r) => r.key).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async incr(domainId: number, script: string, key: string, by: number): Promise<number> {
    check(
      keyError(key),
      Number.isFinite(by) ? undefined : { field: "by", message: `is ${by}, not a finite number` },
    );
    for (let attempt = 0; attempt < INCR_ATTEMPTS; attempt++) {
      let sum: number | undefined;
      try {
        sum = await this.tryIncr(domainId, script, key, by);
      } catch (error) {
        if (!isDeadlock(error)) throw error;
        // Apart, so the same two do not collide again at once.
        await pause(Math.random() * 5 * (attempt + 1));
        continue;
      }
      if (sum !== undefined) return sum;
    }
    throw new Error(
      `incr: "${key}" could not be incremented in ${INCR_ATTEMPTS} attempts (deleted or deadlocked each time)`,
    );
  }

  /** One attempt: the sum, or undefined when the row was deleted before it could be locked. */
  private async tryIncr(
    domainId: number,
    script: string,
    key: string,
    by: number,
  ): Promise<number | undefined> {
    // A missing key counts as 0. Its row is made first, in a statement of its own, so two first
    // increments never both insert: each then waits for the other's row lock below.
    await this.insertZero(domainId, script, key);
    return await this.db.transaction().execute(async (tx) => {
      let select = this.row(tx, domainId, script, key);
      // SQLite has no FOR UPDATE: Kysely's one connection runs one transaction at a time.
      if (this.kind !== "sqlite") select = select.forUpdate();
      const row = await select.executeTakeFirst();
      if (row === undefined) return undefined;
      const current = JSON.parse(row.value) as unknown;
      if (typeof current !== "number") {
        const what = typeof current === "object" ? "a table" : `a ${typeof current}`;
        throw new ValidationError([{ field: "key", message: `"${key}" holds ${what}, not a number` }]);
      }
      const next = current + by;
      check(
        Number.isFinite(next)
          ? undefined
          : { field: "by", message: `would take "${key}" past the largest number` },
      );
      await tx
        .updateTable("script_kv")
        .set({ value: JSON.stringify(next), updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("script", "=", script)
        .where("key", "=", key)
        .execute();
      return next;
    });
  }

  private async insertZero(domainId: number, script: string, key: string): Promise<void> {
    const insert = this.db
      .insertInto("script_kv")
      .values({ domain_id: domainId, script, key, value: "0", updated_at: this.now() });
    if (this.kind === "mysql") await insert.ignore().execute();
    else await insert.onConflict((c) => c.columns([...PRIMARY_KEY]).doNothing()).execute();
  }

  async clear(domainId: number, script: string): Promise<number> {
    const result = await this.db
      .deleteFrom("script_kv")
      .where("domain_id", "=", domainId)
      .where("script", "=", script)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
