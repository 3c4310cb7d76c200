/**
 * GET /metrics (issue 23): Parley's metrics in the Prometheus text exposition format, for a
 * Prometheus server to scrape. Public like the probes, as scrapers usually are, unless the
 * operator sets `metricsToken` (--metrics-token): then `Authorization: Bearer <it>` is required
 * and anything else gets 401.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { requireToken } from "../auth.js";
import { errorResponses } from "../errors.js";

/** The exposition (src/metrics/parley-metrics.ts builds it over a registry of our own). */
export interface MetricsView {
  /** `text/plain; version=0.0.4; charset=utf-8` */
  readonly contentType: string;
  text(): Promise<string>;
}

export interface MetricsRoutesOptions {
  readonly metrics: MetricsView;
  /** The bearer token a scraper must present; public when undefined. */
  readonly token: string | undefined;
}

export const metricsRoutes: FastifyPluginAsyncTypebox<MetricsRoutesOptions> = async (app, o) => {
  const exposition = "text/plain";
  app.get(
    "/metrics",
    {
      ...(o.token === undefined ? {} : { onRequest: requireToken(o.token) }),
      schema: {
        operationId: "metrics",
        tags: ["meta"],
        summary:
          o.token === undefined
            ? "Metrics in the Prometheus text format (no token needed)"
            : "Metrics in the Prometheus text format (the metrics token needed)",
        security: o.token === undefined ? [] : [{ bearer: [] }],
        response: {
          200: {
            description: "Prometheus text exposition format 0.0.4",
            content: { [exposition]: { schema: { type: "string" } } },
          },
          ...(o.token === undefined ? {} : errorResponses(401)),
        },
      },
    },
    async (_request, reply) => {
      const body = await o.metrics.text();
      return reply.type(o.metrics.contentType).serializer(String).send(body);
    },
  );
};
