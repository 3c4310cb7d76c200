/** The tenants routes' view of the tenant manager (issue 21): rows as the API shows them. */
import type { TenantItemType, TenantsView } from "../api/routes/tenants.js";
import type { Domain } from "../store/domain-repository.js";
import type { Store } from "../store/index.js";
import type { Tenant, TenantManager } from "./tenant-manager.js";

export function tenantsView(manager: TenantManager, store: Store): TenantsView {
  const item = async (tenant: Tenant): Promise<TenantItemType> =>
    toItem(tenant.runtime.domain, {
      users: await store.users.count(tenant.runtime.domain.id),
      registrations: tenant.runtime.location.size,
      activeCalls: tenant.runtime.originator.list().length,
    });
  const byName = async (name: string) => {
    const tenant = manager.get(name);
    if (tenant === undefined) return undefined;
    return item(tenant);
  };
  const must = async (name: string) => (await byName(name)) as TenantItemType;
  const deleted = async (): Promise<TenantItemType[]> =>
    (await store.domains.list())
      .filter((d) => d.state === "deleted")
      .map((d) => toItem(d, { users: 0, registrations: 0, activeCalls: 0 }));
  return {
    list: async () => [...(await Promise.all(manager.list().map(item))), ...(await deleted())],
    async recordsOf(name) {
      const running = manager.get(name);
      if (running) return running.runtime.domain.id;
      return (await store.domains.list()).find((d) => d.name === name && d.state === "deleted")?.id;
    },
    get: byName,
    async create(input) {
      const { domain, apiToken } = await manager.create({
        name: input.name,
        domain: input.domain,
        ...(input.realm === undefined ? {} : { realm: input.realm }),
        ...(input.ports === undefined ? {} : { ports: input.ports }),
        ...(input.limits === undefined ? {} : { limits: input.limits }),
        adminPassword: input.admin.password,
        ...(input.users === undefined ? {} : { users: input.users }),
      });
      return { tenant: await must(domain.name), apiToken };
    },
    async update(name, patch) {
      await manager.update(name, {
        ...(patch.domain === undefined ? {} : { domain: patch.domain }),
        ...(patch.ports === undefined ? {} : { ports: patch.ports }),
        ...(patch.limits === undefined ? {} : { limits: patch.limits }),
        ...(patch.admin === undefined ? {} : { adminPassword: patch.admin.password }),
      });
      return must(name);
    },
    async setSuspended(name, suspended) {
      await manager.setSuspended(name, suspended);
      return must(name);
    },
    requestDelete: (name) => manager.requestDelete(name),
    confirmDelete: (name, code) => manager.confirmDelete(name, code),
    rotateToken: (name) => manager.rotateToken(name),
  };
}

function toItem(d: Domain, totals: TenantItemType["totals"]): TenantItemType {
  return {
    name: d.name,
    domain: d.sipDomain ?? "",
    realm: d.realm,
    ports: d.ports,
    limits: d.limits,
    state: d.state,
    totals,
    createdAt: new Date(d.createdAt).toISOString(),
    updatedAt: new Date(d.updatedAt).toISOString(),
    ...(d.purgeAt === undefined ? {} : { cdrsKeptUntil: new Date(d.purgeAt).toISOString() }),
  };
}
