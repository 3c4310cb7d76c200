/**
 * The admin web UI and REST API over HTTPS (issue 22), on a port of its own (`--https-port`),
 * beside plain HTTP: the same Fastify application answers both (its router is handed the HTTPS
 * server's requests), with the configured certificate (`--tls-cert`/`--tls-key`) or the one
 * generated for SIP over TLS under `<dataDir>/tls/`. And a warning when the admin listens on plain
 * HTTP beyond this machine. Both servers may also carry SIP over WebSocket (RFC 7118) on the path
 * `/sip` (issue 20): a browser that accepted the page's certificate needs nothing more.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Settings } from "./config/settings.js";
import { loadTlsCredentials } from "./transport/tls-credentials.js";
import type { Logger } from "./util/logger.js";

export interface AdminHttps {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A web server's "upgrade" listener (node:http). */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The path of the web servers where SIP over WebSocket is answered. */
export const SIP_WEBSOCKET_PATH = "/sip";

/**
 * SIP over WebSocket on the web servers (issue 20): an upgrade request for `/sip` goes to the SIP
 * transport; any other upgrade is closed, as Node does for a server without an upgrade listener.
 * Upgraded sockets are no longer the web server's, yet its close() waits for them: `closeAll()`
 * ends them first.
 */
export class SipWebSocketPath {
  private readonly sockets = new Set<Duplex>();

  constructor(
    private readonly transport: {
      handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, secure: boolean): void;
    },
  ) {}

  /** The upgrade listener of the HTTP (`secure` false) or HTTPS server. */
  listener(secure: boolean): UpgradeListener {
    return (req, socket, head) => {
      const url = req.url ?? "";
      const query = url.indexOf("?");
      if ((query < 0 ? url : url.slice(0, query)) !== SIP_WEBSOCKET_PATH) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
      this.transport.handleUpgrade(req, socket, head, secure);
    };
  }

  /** Close every SIP WebSocket connection taken from the web servers (before closing them). */
  closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/**
 * Listen for HTTPS with `app`'s routes, and upgrade requests to `onUpgrade` when given; rejects
 * (naming the port) if it cannot.
 */
export async function listenAdminHttps(
  app: FastifyInstance,
  settings: Settings,
  onUpgrade?: UpgradeListener,
  /** Issue 21: a tenant's request goes to its own API first (true: taken). */
  dispatch?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<AdminHttps> {
  const credentials = await loadTlsCredentials({
    tls:
      settings.tlsCert !== undefined && settings.tlsKey !== undefined
        ? { certFile: settings.tlsCert, keyFile: settings.tlsKey }
        : undefined,
    dataDir: settings.dataDir,
  });
  await app.ready();
  const server: Server = createServer({ cert: credentials.cert, key: credentials.key }, (req, res) => {
    if (!dispatch?.(req, res)) app.routing(req, res);
  });
  if (onUpgrade !== undefined) server.on("upgrade", onUpgrade);
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
