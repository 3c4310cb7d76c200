/**
 * Tenants (issue 21): a tenant is a domain row (domain-repository.ts reads them). This repository
 * writes them: create, change, suspend/resume, and the two ends of deleting, where the config rows
 * go at once and the records (CDRs) stay until their retention time is over.
 */
import { type Kysely, sql } from "kysely";
import type {
  Domain,
  DomainRepository,
  TenantLimits,
  TenantPorts,
  TenantState,
} from "./domain-repository.js";
import { ConflictError, NotFoundError } from "./errors.js";
import type { Database } from "./schema.js";

export interface NewTenant {
  readonly name: string;
  readonly sipDomain: string;
  readonly realm: string;
  readonly ports?: TenantPorts;
  readonly limits?: TenantLimits;
}

export interface TenantPatch {
  readonly sipDomain?: string;
  readonly ports?: TenantPorts;
  readonly limits?: TenantLimits;
}

/** The tables that keep rows after a tenant's config is removed: its records. */
const KEPT_TABLES = new Set(["domains", "cdrs"]);

export class TenantRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly domains: DomainRepository,
    private readonly now: () => number = Date.now,
  ) {}

  async byName(name: string): Promise<Domain | undefined> {
    return (await this.domains.list()).find((d) => d.name === name);
  }

  async create(tenant: NewTenant): Promise<Domain> {
    const taken = (await this.domains.list()).find(
      (d) => d.name === tenant.name || (d.sipDomain !== undefined && d.sipDomain === tenant.sipDomain),
    );
    if (taken)
      throw taken.name === tenant.name
        ? new ConflictError("tenant", tenant.name)
        : new ConflictError("domain", tenant.sipDomain);
    const at = this.now();
    await this.db
      .insertInto("domains")
      .values({
        name: tenant.name,
        realm: tenant.realm,
        accepts_any_host: 0,
        created_at: at,
        updated_at: at,
        sip_domain: tenant.sipDomain,
        ports: JSON.stringify(tenant.ports ?? {}),
        limits: JSON.stringify(tenant.limits ?? {}),
        state: "active",
        purge_at: null,
      })
      .execute();
    const created = await this.byName(tenant.name);
    if (!created) throw new Error(`tenant ${tenant.name} was not stored`);
    return created;
  }

  async update(id: number, patch: TenantPatch): Promise<Domain> {
    await this.db
      .updateTable("domains")
      .set({
        updated_at: this.now(),
        ...(patch.sipDomain === undefined ? {} : { sip_domain: patch.sipDomain }),
        ...(patch.ports === undefined ? {} : { ports: JSON.stringify(patch.ports) }),
        ...(patch.limits === undefined ? {} : { limits: JSON.stringify(patch.limits) }),
      })
      .where("id", "=", id)
      .execute();
    return this.must(id);
  }

  async setState(id: number, state: TenantState, purgeAt?: number): Promise<Domain> {
    await this.db
      .updateTable("domains")
      .set({ state, updated_at: this.now(), purge_at: purgeAt ?? null })
      .where("id", "=", id)
      .execute();
    return this.must(id);
  }

  /**
   * Step two of deleting: every row of the tenant but its records, in every table that has a
   * `domain_id` column (read from the database, so a table a later migration adds is covered).
   */
  async removeConfig(id: number): Promise<void> {
    const tables = await this.db.introspection.getTables();
    const scoped = tables.filter(
      (t) => !KEPT_TABLES.has(t.name) && t.columns.some((c) => c.name === "domain_id"),
    );
    await this.db.transaction().execute(async (trx) => {
      for (const table of scoped)
        await sql`delete from ${sql.table(table.name)} where domain_id = ${id}`.execute(trx);
    });
  }

  /** Deleted tenants whose retention is over: their records and their row go. Returns their names. */
  async purgeDue(): Promise<string[]> {
    const due = (await this.domains.list()).filter(
      (d) => d.state === "deleted" && d.purgeAt !== undefined && d.purgeAt <= this.now(),
    );
    for (const d of due) {
      await this.removeConfig(d.id);
      await this.db.deleteFrom("cdrs").where("domain_id", "=", d.id).execute();
      await this.db.deleteFrom("domains").where("id", "=", d.id).execute();
    }
    return due.map((d) => d.name);
  }

  private async must(id: number): Promise<Domain> {
    const domain = await this.domains.get(id);
    if (!domain) throw new NotFoundError("tenant", String(id));
    return domain;
  }
}
