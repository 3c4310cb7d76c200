/**
 * A standalone SIP WebSocket listener (RFC 7118): an HTTP server (WS) or HTTPS server (WSS, with
 * the transport's TLS credentials) whose upgrade requests go to the WebSocket acceptor. Plain HTTP
 * requests get 426 Upgrade Required.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { unmapIPv4 } from "./addresses.js";
import type { FlowTable } from "./flow-table.js";
import type { BindTarget } from "./listener-binding.js";
import type { WebSocketListener, WebSocketProtocol } from "./listeners.js";
import type { TransportContext } from "./transport-context.js";
import type { WebSocketAcceptor } from "./websocket-acceptor.js";

/** Listen for SIP over WebSocket; each accepted upgrade becomes a flow. Rejects if it cannot bind. */
export function bindWebSocketListener(
  context: TransportContext,
  flows: FlowTable,
  acceptor: WebSocketAcceptor,
  protocol: WebSocketProtocol,
  { address, port, family, dualStack }: BindTarget,
): Promise<WebSocketListener> {
  const server: Server =
    protocol === "WS"
      ? createHttpServer()
      : createHttpsServer({
          cert: context.credentials?.cert,
          key: context.credentials?.key,
          handshakeTimeout: context.partialMessageTimeoutMs,
        });
  // A handshake request must arrive as promptly as a started SIP message must complete.
  server.headersTimeout = context.partialMessageTimeoutMs;
  server.requestTimeout = context.partialMessageTimeoutMs;
  server.on("connection", (socket: Socket) => {
    // A rejected source is closed before a byte is read or a TLS handshake made.
    const source = unmapIPv4(socket.remoteAddress ?? "");
    if (context.rejectSource?.(source)) {
      socket.destroy();
      context.counters.dropped++;
      return;
    }
    const caps = context.caps;
    if (caps !== undefined) {
      if (!caps.admit(source, protocol)) {
        socket.destroy();
        context.counters.dropped++;
        return;
      }
      socket.once("close", () => caps.release(source));
    }
    flows.track(socket);
  });
  server.on("upgrade", (req, socket, head: Buffer) =>
    acceptor.handleUpgrade(req, socket, head, protocol, true),
  );
  server.on("request", (_req, res) => {
    res.writeHead(426, { connection: "close", upgrade: "websocket", "content-type": "text/plain" });
    res.end("SIP over WebSocket (RFC 7118): connect with the sip subprotocol\n");
  });
  server.on("tlsClientError", (err: Error, socket: Socket) => {
    socket.destroy();
    context.emit({
      kind: "error",
      protocol,
      context: `TLS handshake from ${socket.remoteAddress}`,
      error: err,
    });
  });
  server.on("clientError", (_err: Error, socket: Socket) => socket.destroy());
  return new Promise<WebSocketListener>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address, port, ipv6Only: family === 6 && !dualStack, exclusive: true }, () => {
      server.off("error", reject);
      server.on("error", (err) =>
        context.emit({ kind: "error", protocol, context: `${protocol} listener`, error: err }),
      );
      const bound = server.address();
      const realPort = typeof bound === "object" && bound ? bound.port : port;
      resolve({ protocol, address, port: realPort, family, dualStack, server });
    });
  });
}
