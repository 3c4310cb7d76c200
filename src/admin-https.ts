/**
 * The admin web UI and REST API over HTTPS (issue 22), on a port of its own (`--https-port`),
 * beside plain HTTP: the same Fastify application answers both (its router is handed the HTTPS
 * server's requests), with the configured certificate (`--tls-cert`/`--tls-key`) or the one
 * generated for SIP over TLS under `<dataDir>/tls/`. And a warning when the admin listens on plain
 * HTTP beyond this machine.
 */
import { createServer, type Server } from "node:https";
import type { FastifyInstance } from "fastify";
import type { Settings } from "./config/settings.js";
import { loadTlsCredentials } from "./transport/tls-credentials.js";
import type { Logger } from "./util/logger.js";

export interface AdminHttps {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listen for HTTPS with `app`'s routes; rejects (naming the port) if it cannot. */
export async function listenAdminHttps(app: FastifyInstance, settings: Settings): Promise<AdminHttps> {
  const credentials = await loadTlsCredentials({
    tls:
      settings.tlsCert !== undefined && settings.tlsKey !== undefined
        ? { certFile: settings.tlsCert, keyFile: settings.tlsKey }
        : undefined,
    dataDir: settings.dataDir,
  });
  await app.ready();
  const server: Server = createServer({ cert: credentials.cert, key: credentials.key }, (req, res) =>
    app.routing(req, res),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: settings.httpsPort, host: settings.httpBind, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : settings.httpsPort;
  return {
    address: settings.httpBind,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** Warn once at start-up when the admin (and its passwords) goes over plain HTTP off this machine. */
export function warnPlainHttp(settings: Settings, logger: Logger): void {
  if (settings.httpPort === 0 || LOOPBACK.test(settings.httpBind)) return;
  logger.warn(
    { httpBind: settings.httpBind, httpPort: settings.httpPort, httpsPort: settings.httpsPort || undefined },
    settings.httpsPort > 0
      ? "the admin web UI and API also answer plain HTTP beyond this machine: use the HTTPS port, or --http-bind 127.0.0.1"
      : "the admin web UI and API answer plain HTTP beyond this machine (passwords and tokens in clear): set --https-port, or --http-bind 127.0.0.1",
  );
}
