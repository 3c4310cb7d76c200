/**
 * System settings changed at run time (migration 005), per domain: a name and a JSON value, e.g.
 * the SMTP server that mails voice messages. The services validate what they store; this only
 * keeps it, durably, on every store engine.
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

export interface SystemSettingsRepository {
  /** The stored value, parsed, or undefined (never set, or unreadable). */
  get(domainId: number, name: string): Promise<unknown>;
  put(domainId: number, name: string, value: unknown): Promise<void>;
  delete(domainId: number, name: string): Promise<void>;
}

export class KyselySystemSettingsRepository implements SystemSettingsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  async get(domainId: number, name: string): Promise<unknown> {
    const row = await this.db
      .selectFrom("system_settings")
      .select("value")
      .where("domain_id", "=", domainId)
      .where("name", "=", name)
      .executeTakeFirst();
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  async put(domainId: number, name: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    const updatedAt = this.now();
    // Update, then insert when nothing was there: the same two statements on all three engines.
    await this.db.transaction().execute(async (tx) => {
      const existing = await tx
        .selectFrom("system_settings")
        .select("name")
        .where("domain_id", "=", domainId)
        .where("name", "=", name)
        .executeTakeFirst();
      if (existing) {
        await tx
          .updateTable("system_settings")
          .set({ value: text, updated_at: updatedAt })
          .where("domain_id", "=", domainId)
          .where("name", "=", name)
          .execute();
      } else {
        await tx
          .insertInto("system_settings")
          .values({ domain_id: domainId, name, value: text, updated_at: updatedAt })
          .execute();
      }
    });
  }

  async delete(domainId: number, name: string): Promise<void> {
    await this.db
      .deleteFrom("system_settings")
      .where("domain_id", "=", domainId)
      .where("name", "=", name)
      .execute();
  }
}
