/**
 * Domains (tenants). Every config row belongs to one; a fresh install has exactly one, "default",
 * created by the first migration.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, DomainsTable } from "./schema.js";

export const DEFAULT_DOMAIN_NAME = "default";
export const DEFAULT_REALM = "parley";

export interface Domain {
  id: number;
  name: string;
  /** Digest realm. Stored HA1s include it: changing it requires resetting every user's password. */
  realm: string;
  /** Accepts requests addressed to any host (IP or name) of the server. */
  acceptsAnyHost: boolean;
  createdAt: number;
  updatedAt: number;
  /** Issue 21: the SIP domain a tenant is told apart by on the shared ports (none: the default's). */
  sipDomain?: string;
  /** The tenant's own listening ports (none: only the shared ones). */
  ports: TenantPorts;
  limits: TenantLimits;
  state: TenantState;
  /** A deleted tenant's CDRs are kept until then (epoch ms). */
  purgeAt?: number;
}

export type TenantState = "active" | "suspended" | "deleted";
export interface TenantPorts {
  udp?: number;
  tcp?: number;
  tls?: number;
  ws?: number;
}
export interface TenantLimits {
  users?: number;
  calls?: number;
  lines?: number;
  storageMb?: number;
}

export interface DomainRepository {
  /** The domain named "default"; it always exists once migrations have run. */
  getDefault(): Promise<Domain>;
  list(): Promise<Domain[]>;
  get(id: number): Promise<Domain | undefined>;
}

function toDomain(row: Selectable<DomainsTable>): Domain {
  return {
    id: Number(row.id),
    name: row.name,
    realm: row.realm,
    acceptsAnyHost: Number(row.accepts_any_host) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...(row.sip_domain ? { sipDomain: row.sip_domain } : {}),
    ports: parseJson(row.ports) as TenantPorts,
    limits: parseJson(row.limits) as TenantLimits,
    state: (row.state as TenantState | undefined) ?? "active",
    ...(row.purge_at === null || row.purge_at === undefined ? {} : { purgeAt: Number(row.purge_at) }),
  };
}

/** A JSON object column; a row written before migration 018 (or by hand, badly) reads as {}. */
function parseJson(text: string | null | undefined): object {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

export class KyselyDomainRepository implements DomainRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async getDefault(): Promise<Domain> {
    const row = await this.db
      .selectFrom("domains")
      .selectAll()
      .where("name", "=", DEFAULT_DOMAIN_NAME)
      .executeTakeFirst();
    if (!row) throw new Error("the default domain is missing: has store.migrate() run?");
    return toDomain(row);
  }

  async list(): Promise<Domain[]> {
    const rows = await this.db.selectFrom("domains").selectAll().orderBy("id").execute();
    return rows.map(toDomain);
  }

  async get(id: number): Promise<Domain | undefined> {
    const row = await this.db.selectFrom("domains").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toDomain(row) : undefined;
  }
}
