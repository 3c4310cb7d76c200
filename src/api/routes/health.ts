/**
 * Probes for an orchestrator or a load balancer (issue 23), without a token: `GET /health` says
 * the process answers (liveness); `GET /ready` says it can serve: the store answers a query and
 * the SIP sockets are bound (503 with the failing checks named, otherwise 200).
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";

/** One readiness check and, when it fails, why. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface HealthRoutesOptions {
  /** The checks beyond the store's (the SIP sockets bound); none when not given. */
  readonly checks?: () => ReadinessCheck[];
  /** A cheap query of the store; it throws when the store cannot answer. */
  readonly store: () => Promise<unknown>;
}

const Check = Type.Object(
  { name: Type.String(), ok: Type.Boolean(), detail: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const Readiness = Type.Object(
  { status: Type.Union([Type.Literal("ready"), Type.Literal("not ready")]), checks: Type.Array(Check) },
  { additionalProperties: false },
);

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, o) => {
  app.get(
    "/health",
    {
      schema: {
        operationId: "health",
        tags: ["meta"],
        summary: "Liveness: the process answers (no token needed)",
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false }),
        },
      },
    },
    async () => ({ status: "ok" as const }),
  );
  app.get(
    "/ready",
    {
      schema: {
        operationId: "ready",
        tags: ["meta"],
        summary: "Readiness: the store answers and the SIP sockets are bound (no token needed)",
        security: [],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const store = await o.store().then(
        () => ({ name: "store", ok: true }),
        (err: unknown) => ({
          name: "store",
          ok: false,
          detail: err instanceof Error ? err.message : String(err),
        }),
      );
      const checks: ReadinessCheck[] = [store, ...(o.checks?.() ?? [])];
      const ok = checks.every((c) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? "ready" : "not ready", checks });
    },
  );
};
