/**
 * HTTP access log (issue 23): one line per request, written when the response has gone, with the
 * method, URL, status and duration, at the level of --http-access-log: "info" (seen with the
 * default log level), "debug" (the default: quiet unless --log-level debug) or "off". It replaces
 * Fastify's own two lines per request ("incoming request", "request completed").
 */
import type { FastifyInstance } from "fastify";

export type AccessLogLevel = "info" | "debug" | "off";

export function accessLog(app: FastifyInstance, level: AccessLogLevel): void {
  if (level === "off") return;
  app.addHook("onResponse", async (request, reply) => {
    request.log[level](
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        remoteAddress: request.ip,
      },
      `${request.method} ${request.url} ${reply.statusCode}`,
    );
  });
}
