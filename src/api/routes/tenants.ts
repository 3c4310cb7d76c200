/**
 * /api/v1/tenants (issue 21, virtual PBXs): the provider's routes. Each tenant is a PBX of its own
 * in this process, with its SIP domain, optional own ports, limits and administrator. Create,
 * suspend, resume and delete are one call each; deleting takes two (the first answers a code, the
 * second, with the code, removes the config and files and keeps the CDRs for a retention time).
 * Only the provider (the default tenant's token or session) reaches these routes; a tenant's own
 * token never does (its requests are served by its tenant's API, which has none of them: 404).
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import type { Store } from "../../store/index.js";
import { ApiError, errorResponses } from "../errors.js";
import { CdrListQuery, CdrPage } from "../schemas.js";
import { Timestamp } from "../timestamps.js";
import { toCdr, toFilter } from "./cdrs.js";

const Name = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,62}$", description: "The tenant's key." });
const Ports = Type.Object(
  {
    udp: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    tcp: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    tls: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    ws: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  },
  {
    additionalProperties: false,
    description: "Its own SIP ports (0 or absent: none); it is always reachable on the shared ports too.",
  },
);
const Limits = Type.Object(
  {
    users: Type.Optional(Type.Integer({ minimum: 0, description: "Local users at most." })),
    calls: Type.Optional(Type.Integer({ minimum: 0, description: "Concurrent calls at most." })),
    lines: Type.Optional(Type.Integer({ minimum: 0, description: "External lines and trunks at most." })),
    storageMb: Type.Optional(
      Type.Integer({ minimum: 0, description: "MB of voicemail and recordings at most." }),
    ),
  },
  { additionalProperties: false, description: "Absent: unlimited." },
);
const Domain = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$",
  description: "Its SIP domain: how the shared ports tell its requests apart.",
});

export const TenantItem = Type.Object({
  name: Type.String(),
  domain: Type.String(),
  realm: Type.String(),
  ports: Ports,
  limits: Limits,
  state: Type.Union([Type.Literal("active"), Type.Literal("suspended"), Type.Literal("deleted")]),
  totals: Type.Object({
    users: Type.Integer(),
    registrations: Type.Integer(),
    activeCalls: Type.Integer(),
  }),
  createdAt: Timestamp("When it was created."),
  updatedAt: Timestamp("When it was last changed."),
  cdrsKeptUntil: Type.Optional(Timestamp("A deleted tenant's CDRs are purged then.")),
});
export type TenantItemType = Static<typeof TenantItem>;

const NewTenant = Type.Object(
  {
    name: Name,
    domain: Domain,
    realm: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    ports: Type.Optional(Ports),
    limits: Type.Optional(Limits),
    admin: Type.Object(
      { password: Type.String({ minLength: 8, maxLength: 256, writeOnly: true }) },
      { additionalProperties: false },
    ),
    users: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 128, writeOnly: true }),
            displayName: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 10000 },
      ),
    ),
  },
  { additionalProperties: false },
);
const TenantPatch = Type.Object(
  {
    domain: Type.Optional(Domain),
    ports: Type.Optional(Ports),
    limits: Type.Optional(Limits),
    admin: Type.Optional(
      Type.Object(
        {
          password: Type.String({
            minLength: 8,
            maxLength: 256,
            writeOnly: true,
            description: "A new password for the tenant's administrator (its sign-ins end).",
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** What the routes need (tenancy/tenants-view.ts implements it over the tenant manager). */
export interface TenantsView {
  list(): Promise<TenantItemType[]>;
  get(name: string): Promise<TenantItemType | undefined>;
  create(input: Static<typeof NewTenant>): Promise<{ tenant: TenantItemType; apiToken: string }>;
  update(name: string, patch: Static<typeof TenantPatch>): Promise<TenantItemType>;
  setSuspended(name: string, suspended: boolean): Promise<TenantItemType>;
  requestDelete(name: string): { confirm: string; expiresAt: number };
  confirmDelete(name: string, code: string): Promise<{ cdrsKeptUntil: number }>;
  rotateToken(name: string): Promise<string>;
  /** The domain id of a tenant's records, running or deleted (its CDRs stay readable). */
  recordsOf(name: string): Promise<number | undefined>;
}

const NameParam = Type.Object({ name: Type.String() });
const tags = ["tenants"];

export const tenantsRoutes: FastifyPluginAsyncTypebox<{ tenants: TenantsView; store: Store }> = async (
  app,
  { tenants, store },
) => {
  const must = async (name: string) => {
    const tenant = await tenants.get(name);
    if (tenant === undefined) throw new ApiError("not_found", `no tenant ${name}`);
    return tenant;
  };
  app.get(
    "/tenants",
    {
      schema: {
        operationId: "listTenants",
        tags,
        summary: "The tenants (virtual PBXs), with their totals (provider only)",
        response: { 200: Type.Object({ items: Type.Array(TenantItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: await tenants.list() }),
  );
  app.post(
    "/tenants",
    {
      schema: {
        operationId: "createTenant",
        tags,
        summary: "Create a tenant with its administrator and, optionally, preset users (provider only)",
        body: NewTenant,
        response: {
          201: Type.Object({
            tenant: TenantItem,
            apiToken: Type.String({ description: "The tenant administrator's API token; shown once." }),
          }),
          ...errorResponses(400, 401, 409),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await tenants.create(request.body)),
  );
  app.get(
    "/tenants/:name",
    {
      schema: {
        operationId: "getTenant",
        tags,
        summary: "One tenant (provider only)",
        params: NameParam,
        response: { 200: TenantItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => must(request.params.name),
  );
  app.patch(
    "/tenants/:name",
    {
      schema: {
        operationId: "updateTenant",
        tags,
        summary: "Change a tenant's domain, ports, limits or administrator password (provider only)",
        params: NameParam,
        body: TenantPatch,
        response: { 200: TenantItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => tenants.update(request.params.name, request.body),
  );
  for (const [action, suspended] of [
    ["suspend", true],
    ["resume", false],
  ] as const)
    app.post(
      `/tenants/:name/${action}`,
      {
        schema: {
          operationId: `${action}Tenant`,
          tags,
          summary: suspended
            ? "Suspend a tenant: its phones get 403 and its calls are refused (provider only)"
            : "Resume a suspended tenant (provider only)",
          params: NameParam,
          response: { 200: TenantItem, ...errorResponses(401, 404) },
        },
      },
      async (request) => tenants.setSuspended(request.params.name, suspended),
    );
  app.delete(
    "/tenants/:name",
    {
      schema: {
        operationId: "deleteTenant",
        tags,
        summary:
          "Delete a tenant in two steps: without `confirm`, answers 202 with a code (valid 10 minutes); " +
          "with `?confirm=<code>`, removes its config and files and keeps its CDRs for the retention time",
        params: NameParam,
        querystring: Type.Object({ confirm: Type.Optional(Type.String()) }),
        response: {
          200: Type.Object({
            name: Type.String(),
            state: Type.Literal("deleted"),
            cdrsKeptUntil: Timestamp("Its CDRs are purged then."),
          }),
          202: Type.Object({ confirm: Type.String(), expiresAt: Timestamp("The code expires then.") }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      await must(name);
      const code = request.query.confirm;
      if (code === undefined) {
        const pending = tenants.requestDelete(name);
        return reply
          .code(202)
          .send({ confirm: pending.confirm, expiresAt: new Date(pending.expiresAt).toISOString() });
      }
      const { cdrsKeptUntil } = await tenants.confirmDelete(name, code);
      return { name, state: "deleted" as const, cdrsKeptUntil: new Date(cdrsKeptUntil).toISOString() };
    },
  );
  app.get(
    "/tenants/:name/cdrs",
    {
      schema: {
        operationId: "listTenantCdrs",
        tags,
        summary: "A tenant's call records, also a deleted one's until they are purged (provider only)",
        params: NameParam,
        querystring: CdrListQuery,
        response: { 200: CdrPage, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const domainId = await tenants.recordsOf(request.params.name);
      if (domainId === undefined) throw new ApiError("not_found", `no tenant ${request.params.name}`);
      const { offset, limit } = request.query;
      const page = await store.cdrs.list({ ...toFilter(domainId, request.query), offset, limit });
      return { items: page.items.map(toCdr), total: page.total, offset, limit };
    },
  );
  app.post(
    "/tenants/:name/token",
    {
      schema: {
        operationId: "rotateTenantToken",
        tags,
        summary: "A new API token for the tenant's administrator; the old one stops (provider only)",
        params: NameParam,
        response: { 200: Type.Object({ apiToken: Type.String() }), ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      await must(request.params.name);
      return { apiToken: await tenants.rotateToken(request.params.name) };
    },
  );
};
