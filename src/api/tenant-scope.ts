/**
 * Who an API caller acts as, and the tenant's limits on creating (issue 21). `GET /tenant` tells
 * the web UI the tenant's name and whether the caller is the provider (tenant switcher, Tenants
 * page). A create beyond the tenant's user or line limit gets 409 `limit_reached`, naming the
 * limit, before the route runs.
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Domain } from "../store/domain-repository.js";
import { API_PREFIX_PATHS } from "./api-paths.js";
import { bearerToken, isApiToken } from "./auth.js";
import { ApiError, errorResponses } from "./errors.js";
import type { ApiDeps } from "./types.js";

export function tenantScope(v1: FastifyInstance, deps: ApiDeps, domain: Domain): void {
  v1.get(
    "/tenant",
    {
      schema: {
        operationId: "getTenantScope",
        tags: ["tenants"],
        summary: "The tenant this caller acts in, and whether it is the provider",
        response: {
          200: Type.Object({ name: Type.String(), domain: Type.String(), provider: Type.Boolean() }),
          ...errorResponses(401),
        },
      },
    },
    async (request) => ({
      name: domain.name,
      domain: domain.sipDomain ?? "",
      // The provider acting inside a tenant is still the provider (its switcher stays).
      provider: deps.tenants !== undefined || isProvider(deps, request.headers.authorization),
    }),
  );
  const limits = deps.limits;
  if (limits === undefined) return;
  v1.addHook("preHandler", async (request) => {
    if (request.method !== "POST") return;
    // The route matched, not the URL as sent: a percent-encoded path (`/api/v1/%75sers`) reaches
    // the same route and must meet the same limit.
    const path = request.routeOptions.url ?? "";
    if (path === API_PREFIX_PATHS.users) {
      const max = limits().users;
      if (max !== undefined && (await deps.store.users.count(domain.id)) >= max)
        throw new ApiError("limit_reached", `tenant ${domain.name} allows ${max} users`, [
          { field: "name", message: `the tenant's limit of ${max} users is reached` },
        ]);
    }
    if (path === API_PREFIX_PATHS.lines || path === API_PREFIX_PATHS.trunks) {
      const max = limits().lines;
      if (max === undefined) return;
      const snapshot = await deps.store.routing.snapshot(domain.id);
      if (snapshot.lines.length + snapshot.trunks.length >= max)
        throw new ApiError("limit_reached", `tenant ${domain.name} allows ${max} lines and trunks`, [
          { field: "name", message: `the tenant's limit of ${max} lines and trunks is reached` },
        ]);
    }
  });
}

function isProvider(deps: ApiDeps, authorization: string | undefined): boolean {
  const presented = bearerToken(authorization);
  const provider = deps.provider;
  if (presented === undefined || provider === undefined) return false;
  return isApiToken(presented, provider.token) || provider.sessions?.check(presented, false) !== undefined;
}
