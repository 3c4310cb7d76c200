/** Bindings through Kysely: the MySQL/MariaDB and PostgreSQL path (their I/O never blocks the loop). */
import type { Kysely } from "kysely";
import {
  type Binding,
  type BindingRepository,
  bindingToRow,
  contactKey,
  rowToBinding,
  UPDATABLE_BINDING_COLUMNS,
} from "./binding-model.js";
import type { StoreKind } from "./connect.js";
import type { Database } from "./schema.js";

export class KyselyBindingRepository implements BindingRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: StoreKind,
  ) {}

  async upsert(binding: Binding): Promise<void> {
    const row = bindingToRow(binding);
    const changes = Object.fromEntries(UPDATABLE_BINDING_COLUMNS.map((c) => [c, row[c]]));
    const insert = this.db.insertInto("bindings").values(row);
    if (this.kind === "mysql") await insert.onDuplicateKeyUpdate(changes).execute();
    else
      await insert
        .onConflict((oc) => oc.columns(["domain_id", "user_name", "contact_key"]).doUpdateSet(changes))
        .execute();
  }

  async refreshAll(bindings: readonly Binding[]): Promise<void> {
    const results = await Promise.allSettled(bindings.map((b) => this.upsert(b)));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  async remove(domainId: number, user: string, contactUri: string): Promise<number> {
    const result = await this.db
      .deleteFrom("bindings")
      .where("domain_id", "=", domainId)
      .where("user_name", "=", user)
      .where("contact_key", "=", contactKey(contactUri))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async removeAllForUser(domainId: number, user: string): Promise<number> {
    const result = await this.db
      .deleteFrom("bindings")
      .where("domain_id", "=", domainId)
      .where("user_name", "=", user)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async listActive(nowMs: number): Promise<Binding[]> {
    const rows = await this.db
      .selectFrom("bindings")
      .selectAll()
      .where("expires_at", ">", nowMs)
      .orderBy("id")
      .execute();
    return rows.map(rowToBinding);
  }

  async purgeExpired(nowMs: number): Promise<number> {
    const result = await this.db.deleteFrom("bindings").where("expires_at", "<=", nowMs).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
