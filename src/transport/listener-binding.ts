/**
 * Binding the listeners of RFC 3261 18: a UDP socket whose datagrams go to the receive path, and a
 * TCP or TLS server whose connections become flows.
 */
import type { Socket } from "node:net";
import { createServer as createTcpServer } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { formatHostPort, unmapIPv4 } from "./addresses.js";
import type { FlowTable } from "./flow-table.js";
import { createUdpSocket, type StreamListener, type StreamProtocol, type UdpListener } from "./listeners.js";
import type { MessageReceiver } from "./message-receiver.js";
import type { TransportContext } from "./transport-context.js";

/** Where and how to bind one listener. */
export interface BindTarget {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** An IPv6 wildcard that also carries IPv4. */
  readonly dualStack: boolean;
}

/** Bind a UDP socket; its datagrams go to `receiver`. Rejects if it cannot bind. */
export function bindUdpListener(
  context: TransportContext,
  receiver: MessageReceiver,
  { address, port, family, dualStack }: BindTarget,
): Promise<UdpListener> {
  return new Promise<UdpListener>((resolve, reject) => {
    const socket = createUdpSocket(family, dualStack);
    const listener: UdpListener = {
      protocol: "UDP",
      address,
      port,
      family,
      dualStack,
      socket,
      local: { address, port },
    };
    socket.once("error", reject);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off("error", reject);
      listener.port = socket.address().port;
      listener.local = { address, port: listener.port };
      socket.on("error", (err) =>
        context.emit({
          kind: "error",
          protocol: "UDP",
          context: `UDP socket ${formatHostPort(address, listener.port)}`,
          error: err,
        }),
      );
      socket.on("message", (data, rinfo) => {
        try {
          receiver.onDatagram(listener, data, rinfo.address, rinfo.port);
        } catch (err) {
          context.emit({ kind: "error", protocol: "UDP", context: "UDP receive", error: err });
        }
      });
      resolve(listener);
    });
  });
}

/** Listen for TCP or TLS connections; each one becomes a flow of `flows`. Rejects if it cannot bind. */
export function bindStreamListener(
  context: TransportContext,
  flows: FlowTable,
  protocol: StreamProtocol,
  { address, port, family, dualStack }: BindTarget,
): Promise<StreamListener> {
  const server =
    protocol === "TCP"
      ? createTcpServer()
      : createTlsServer({
          cert: context.credentials?.cert,
          key: context.credentials?.key,
          handshakeTimeout: context.partialMessageTimeoutMs,
        });
  const accept = (socket: Socket) => flows.accept(socket, protocol);
  server.on("connection", (socket: Socket) => {
    // A rejected source (the IP black list) is closed before a byte is read or a handshake made.
    const source = unmapIPv4(socket.remoteAddress ?? "");
    if (context.rejectSource?.(source)) {
      socket.destroy();
      context.counters.dropped++;
      return;
    }
    // Connection caps (issue 22): refused before a byte is read or a handshake made.
    const caps = context.caps;
    if (caps !== undefined) {
      if (!caps.admit(source, protocol)) {
        socket.destroy();
        context.counters.dropped++;
        return;
      }
      socket.once("close", () => caps.release(source));
    }
    // Track raw sockets (TLS ones before their handshake too) so stop() can close them all.
    flows.track(socket);
    if (protocol === "TCP") accept(socket);
  });
  if (protocol === "TLS") server.on("secureConnection", accept);
  server.on("tlsClientError", (err: Error, socket: Socket) => {
    socket.destroy();
    context.emit({
      kind: "error",
      protocol,
      context: `TLS handshake from ${socket.remoteAddress}`,
      error: err,
    });
  });
  return new Promise<StreamListener>((resolve, reject) => {
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
