/**
 * Which API a web request is for (issue 21). One web server serves every tenant:
 *  - a tenant's API token (`pt.<tenant>.<secret>`) always acts in that tenant, whatever else the
 *    request says, so a tenant can never name another (it gets 404s from its own API);
 *  - the provider (default tenant's token or session) acts in a tenant by naming it in the
 *    `X-Parley-Tenant` header or the `tenant` query parameter (an EventSource cannot send headers);
 *    a tenant administrator's web UI does the same to sign in and afterwards;
 *  - anything else is the default tenant's (the provider's) API.
 * A tenant's API is a Fastify instance of its own, built at its first request and kept; the web
 * server hands it the request untouched (`routing`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { bearerToken } from "../api/auth.js";
import { createApi } from "../api/index.js";
import type { ApiDeps } from "../api/types.js";
import type { Settings } from "../config/settings.js";
import type { Clock } from "../util/clock.js";
import { liveEventsOf, tenantApiDeps } from "./tenant-api-deps.js";
import type { Tenant, TenantManager } from "./tenant-manager.js";
import { tenantOfToken } from "./tenant-settings.js";

export interface TenantHttpOptions {
  readonly tenants: TenantManager;
  readonly settings: Settings;
  readonly clock: Clock;
  readonly startedAt: number;
  readonly provider: NonNullable<ApiDeps["provider"]>;
}

export const TENANT_HEADER = "x-parley-tenant";
/** The web phone names its user's tenant by SIP domain (`100@acme.example.com`). */
export const DOMAIN_HEADER = "x-parley-domain";

export class TenantHttp {
  private readonly apps = new Map<string, BuiltApi>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: TenantHttpOptions) {
    // A tenant's API costs a few MB: one unused for a while (no request, no live view open) is
    // dropped, and built again at its next request. Sign-ins of it live on in the admin password's
    // sessions only while it is built, so the idle time is the session's.
    this.sweeper = setInterval(() => this.dropIdle(), 60_000);
    this.sweeper.unref();
  }

  /** True when the request is a tenant's (answered by its API, or 404 for an unknown tenant). */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? "/";
    if (!url.startsWith("/api/")) return false;
    const name = this.tenantOf(req, url);
    if (name === undefined) return false;
    const tenant = this.o.tenants.get(name);
    if (tenant === undefined) {
      res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ error: "not_found", message: `no tenant ${name}` }));
      return true;
    }
    const built = this.appOf(tenant);
    built.open++;
    built.usedAt = Date.now();
    res.once("close", () => {
      built.open--;
      built.usedAt = Date.now();
    });
    built.app.then(
      (app) => app.routing(req, res),
      (err: unknown) => {
        tenant.runtime.logger.error({ err }, "tenant API not built");
        res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ error: "internal", message: "the tenant's API could not start" }));
      },
    );
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const apps = [...this.apps.values()];
    this.apps.clear();
    await Promise.all(apps.map(async (a) => (await a.app).close()));
  }

  private tenantOf(req: IncomingMessage, url: string): string | undefined {
    const bearer = bearerToken(req.headers.authorization);
    const byToken = bearer === undefined ? undefined : tenantOfToken(bearer);
    if (byToken !== undefined) return byToken;
    const header = req.headers[TENANT_HEADER];
    const domain = req.headers[DOMAIN_HEADER];
    const named =
      typeof header === "string" && header !== ""
        ? header
        : typeof domain === "string" && domain !== ""
          ? this.byDomain(domain)
          : queryTenant(url);
    return named === undefined || named === "default" ? undefined : named;
  }

  /** The tenant of a SIP domain; an unknown one is the default tenant's (a name never taken). */
  private byDomain(domain: string): string | undefined {
    const lower = domain.toLowerCase();
    return this.o.tenants.list().find((t) => t.sipDomain === lower)?.name;
  }

  private dropIdle(now = Date.now()): void {
    for (const [name, built] of this.apps)
      if (built.open === 0 && now - built.usedAt > this.o.settings.sessionTtl * 1000) {
        this.apps.delete(name);
        built.app.then((a) => a.close()).catch(() => {});
      }
  }

  private appOf(tenant: Tenant): BuiltApi {
    const built = this.apps.get(tenant.name);
    // A tenant whose PBX was started again (new ports), or whose token or password changed, gets a
    // new API (its sign-ins end).
    if (built !== undefined && built.runtime === tenant.runtime && built.version === tenant.secrets.version)
      return built;
    built?.app.then((a) => a.close()).catch(() => {});
    const runtime = tenant.runtime;
    const app = (async () => {
      const deps = tenantApiDeps(
        {
          runtime,
          settings: this.o.settings,
          clock: this.o.clock,
          startedAt: this.o.startedAt,
          token: tenant.secrets.token,
          admin: tenant.secrets.admin,
          listeners: () => [...(tenant.own?.listening ?? [])],
        },
        liveEventsOf(runtime),
      );
      const instance = await createApi({
        ...deps,
        webUi: false,
        provider: this.o.provider,
        limits: () => runtime.domain.limits,
      });
      await instance.ready();
      return instance;
    })();
    const entry: BuiltApi = { runtime, version: tenant.secrets.version, app, open: 0, usedAt: Date.now() };
    this.apps.set(tenant.name, entry);
    return entry;
  }
}

interface BuiltApi {
  readonly runtime: object;
  readonly version: number;
  readonly app: Promise<FastifyInstance>;
  /** Requests (live views included) it is serving now. */
  open: number;
  usedAt: number;
}

function queryTenant(url: string): string | undefined {
  const q = url.indexOf("?");
  if (q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get("tenant") ?? undefined;
}
