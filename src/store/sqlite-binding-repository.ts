/**
 * Bindings on SQLite: prepared statements on the raw better-sqlite3 handle (no query building per
 * REGISTER) and writes batched by SqliteWriteQueue, so the SIP path spends microseconds here.
 */
import type BetterSqlite3 from "better-sqlite3";
import type { Selectable } from "kysely";
import {
  type Binding,
  type BindingRepository,
  bindingToRow,
  contactKey,
  rowToBinding,
  UPDATABLE_BINDING_COLUMNS,
} from "./binding-model.js";
import type { BindingsTable } from "./schema.js";
import { SqliteWriteQueue } from "./sqlite-write-queue.js";

const INSERT_COLUMNS = ["domain_id", "user_name", "contact_uri", "contact_key", ...UPDATABLE_BINDING_COLUMNS];

const SQL = {
  upsert:
    `insert into bindings (${INSERT_COLUMNS.join(", ")}) values (${INSERT_COLUMNS.map((c) => `@${c}`).join(", ")})` +
    ` on conflict (domain_id, user_name, contact_key) do update set ` +
    UPDATABLE_BINDING_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", "),
  refresh:
    "update bindings set expires_at = ?, call_id = ?, cseq = ?, updated_at = ?" +
    " where domain_id = ? and user_name = ? and contact_key = ?",
  remove: "delete from bindings where domain_id = ? and user_name = ? and contact_key = ?",
  removeAll: "delete from bindings where domain_id = ? and user_name = ?",
  listActive: "select * from bindings where expires_at > ? order by id",
  purge: "delete from bindings where expires_at <= ?",
} as const;

type Statements = { [K in keyof typeof SQL]: BetterSqlite3.Statement };

export class SqliteBindingRepository implements BindingRepository {
  private statements: Statements | undefined;
  private readonly writes: SqliteWriteQueue;

  constructor(private readonly sqlite: BetterSqlite3.Database) {
    this.writes = new SqliteWriteQueue(sqlite);
  }

  /** Prepared on first use, after migrations have created the table. */
  private get st(): Statements {
    if (!this.statements) {
      const entries = Object.entries(SQL).map(([key, text]) => [key, this.sqlite.prepare(text)]);
      this.statements = Object.fromEntries(entries) as Statements;
    }
    return this.statements;
  }

  upsert(binding: Binding): Promise<void> {
    const row = bindingToRow(binding);
    return this.writes.enqueue(() => this.st.upsert.run(row).changes).then(() => undefined);
  }

  refreshAll(bindings: readonly Binding[]): Promise<void> {
    // One queued write for the batch: the rows share the queue's transaction and one promise.
    return this.writes
      .enqueue(() => {
        let failure: unknown;
        let failed = false;
        for (const b of bindings) {
          try {
            const key = contactKey(b.contactUri);
            const { changes } = this.st.refresh.run(
              b.expiresAt,
              b.callId,
              b.cseq,
              b.updatedAt,
              b.domainId,
              b.user,
              key,
            );
            if (changes === 0) this.st.upsert.run(bindingToRow(b));
          } catch (error) {
            if (!failed) failure = error;
            failed = true;
          }
        }
        if (failed) throw failure;
        return bindings.length;
      })
      .then(() => undefined);
  }

  remove(domainId: number, user: string, contactUri: string): Promise<number> {
    const key = contactKey(contactUri);
    return this.writes.enqueue(() => this.st.remove.run(domainId, user, key).changes);
  }

  removeAllForUser(domainId: number, user: string): Promise<number> {
    return this.writes.enqueue(() => this.st.removeAll.run(domainId, user).changes);
  }

  async listActive(nowMs: number): Promise<Binding[]> {
    this.writes.flush();
    const rows = this.st.listActive.all(nowMs) as Array<Selectable<BindingsTable>>;
    return rows.map(rowToBinding);
  }

  purgeExpired(nowMs: number): Promise<number> {
    return this.writes.enqueue(() => this.st.purge.run(nowMs).changes);
  }

  /** Commits queued writes; called by the store before it closes the handle. */
  flush(): void {
    this.writes.flush();
  }
}
