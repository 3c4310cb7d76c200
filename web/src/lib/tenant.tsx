/**
 * Who the signed-in administrator acts as (issue 21): GET /tenant once signed in (the tenant's name
 * for the header bar; `provider` shows the tenant switcher and the Tenants page), the provider's
 * tenants (GET /tenants) for the switcher, and the tenant the provider chose to act in, which
 * ApiClient then names in every request.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { TenantItemType } from "../../../src/api/routes/tenants";
import { api } from "./api";

export type Tenant = TenantItemType;

/**
 * GET /tenant. NOTE: src/api/tenant-scope.ts declares this schema inline, so its fields are spelled
 * here, once.
 */
export interface TenantScope {
  name: string;
  domain: string;
  provider: boolean;
}

interface TenantState {
  /** Undefined until GET /tenant answers (or on a server without tenants). */
  scope: TenantScope | undefined;
  /** GET /tenant answered (or failed): the scope is known. */
  ready: boolean;
  /** The provider's tenants (deleted ones too, until their call records go); undefined for a tenant. */
  tenants: Tenant[] | undefined;
  /** The tenant the provider acts in; undefined: as the provider (or a tenant's own administrator). */
  acting: string | undefined;
  act(name: string | undefined): void;
  /** Read the scope and the tenants again (after the Tenants page changed them). */
  reload(): Promise<void>;
}

const Context = createContext<TenantState | undefined>(undefined);

export function TenantProvider({ children }: { children: ReactNode }) {
  const [scope, setScope] = useState<TenantScope>();
  const [ready, setReady] = useState(false);
  const [tenants, setTenants] = useState<Tenant[]>();
  const [acting, setActing] = useState(api.actingTenant);
  const act = useCallback((name: string | undefined) => {
    api.setActing(name);
    setActing(name);
  }, []);
  const reload = useCallback(async () => {
    let found: TenantScope;
    try {
      found = await api.request<TenantScope>("GET", "/tenant", { home: true });
    } catch {
      setReady(true);
      return; // a server without tenants: the UI as before them
    }
    setScope(found);
    setReady(true);
    if (!found.provider) return;
    const list = (await api.request<{ items: Tenant[] }>("GET", "/tenants", { home: true })).items;
    setTenants(list);
    // The tenant acted in was deleted meanwhile: back to the provider.
    const current = api.actingTenant;
    if (current !== undefined && !list.some((t) => t.name === current && t.state !== "deleted"))
      act(undefined);
  }, [act]);
  useEffect(() => {
    void reload().catch(() => {});
  }, [reload]);
  const value = useMemo(
    () => ({ scope, ready, tenants, acting, act, reload }),
    [scope, ready, tenants, acting, act, reload],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useTenant(): TenantState {
  const value = useContext(Context);
  if (value === undefined) throw new Error("useTenant outside TenantProvider");
  return value;
}
