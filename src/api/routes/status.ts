/** /api/v1/status: version, uptime, listeners and counters. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses } from "../errors.js";
import { Status } from "../schemas.js";
import type { StatusSource } from "../types.js";

export interface StatusRoutesOptions {
  status: StatusSource;
  now: () => number;
}

export const statusRoutes: FastifyPluginAsyncTypebox<StatusRoutesOptions> = async (app, { status, now }) => {
  app.get(
    "/status",
    {
      schema: {
        operationId: "getStatus",
        tags: ["status"],
        summary: "Version, uptime, listeners and counts",
        response: { 200: Status, ...errorResponses(401) },
      },
    },
    async () => {
      const s = status.status();
      return {
        version: s.version,
        startedAt: new Date(s.startedAt).toISOString(),
        uptimeSeconds: Math.max(0, Math.floor((now() - s.startedAt) / 1000)),
        listeners: s.listeners,
        counts: s.counts,
      };
    },
  );
};
