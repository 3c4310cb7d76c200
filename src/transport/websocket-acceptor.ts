/**
 * The WebSocket handshake of SIP over WebSocket (RFC 7118): an HTTP upgrade request, from a
 * standalone WS/WSS listener or from the admin web server's `/sip` path, becomes a flow once it
 * passes the source filter, the connection caps, the `sip` subprotocol and the Origin check.
 */
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { unmapIPv4 } from "./addresses.js";
import type { FlowTable } from "./flow-table.js";
import type { WebSocketProtocol } from "./listeners.js";
import type { TransportContext } from "./transport-context.js";
import { originAllowed } from "./websocket-origin.js";

/** RFC 7118 1: the WebSocket subprotocol that carries SIP. */
export const SIP_SUBPROTOCOL = "sip";

export class WebSocketAcceptor {
  private readonly server: WebSocketServer;

  constructor(
    private readonly context: TransportContext,
    private readonly flows: FlowTable,
  ) {
    this.server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // No compression: a small compressed frame must not inflate into a huge message.
      perMessageDeflate: false,
      // A message over the transport's limit is refused by the receiver before it is buffered,
      // with close code 1009 "Message Too Big" (RFC 6455 7.4.1).
      maxPayload: context.maxMessageSize,
      handleProtocols: (protocols) => (protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
      // NOTE: handleProtocols returning false still completes the handshake (without a
      // subprotocol): the refusal is here, before the upgrade.
      verifyClient: (info, done) => {
        const refusal = this.refusal(info.req);
        if (refusal === undefined) done(true);
        else {
          this.refused(info.req, refusal.reason);
          done(false, refusal.status, refusal.reason);
        }
      },
    });
  }

  /**
   * Take an HTTP upgrade request. `admitted`: the connection caps already counted this socket
   * (a standalone listener does so on accept); otherwise they are applied here.
   */
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    protocol: WebSocketProtocol,
    admitted: boolean,
  ): void {
    const context = this.context;
    const raw = socket as Socket;
    const source = unmapIPv4(raw.remoteAddress ?? "");
    if (context.state !== "running") {
      socket.destroy();
      return;
    }
    // A rejected source (the IP black list, a ban) is closed before the handshake is answered.
    if (context.rejectSource?.(source)) {
      socket.destroy();
      context.counters.dropped++;
      return;
    }
    const caps = context.caps;
    if (!admitted && caps !== undefined) {
      if (!caps.admit(source, protocol)) {
        socket.destroy();
        context.counters.dropped++;
        return;
      }
      socket.once("close", () => caps.release(source));
    }
    if (!admitted) this.flows.track(raw);
    try {
      this.server.handleUpgrade(req, socket, head, (ws) => this.flows.acceptWebSocket(ws, raw, protocol));
    } catch (err) {
      socket.destroy();
      context.emit({ kind: "error", protocol, context: "WebSocket upgrade", error: err });
    }
  }

  /** Why a handshake is refused (HTTP status and reason), or undefined to accept it. */
  private refusal(req: IncomingMessage): { status: number; reason: string } | undefined {
    // RFC 7118 4.1: a SIP WebSocket client offers the "sip" subprotocol in its handshake; one
    // that does not is not speaking SIP over WebSocket, and is refused before the upgrade.
    const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    if (!offered.includes(SIP_SUBPROTOCOL))
      return { status: 400, reason: "the sip WebSocket subprotocol is required (RFC 7118)" };
    const origin = req.headers.origin;
    if (!originAllowed(origin, req.headers.host, this.context.options.wsOrigins ?? []))
      return { status: 403, reason: "Origin not allowed (--ws-origins)" };
    return undefined;
  }

  private refused(req: IncomingMessage, reason: string): void {
    const socket = req.socket;
    this.context.counters.dropped++;
    this.context.emit({
      kind: "drop",
      protocol: "encrypted" in socket && socket.encrypted ? "WSS" : "WS",
      source: { address: unmapIPv4(socket.remoteAddress ?? ""), port: socket.remotePort ?? 0 },
      flowId: undefined,
      reason: `WebSocket handshake refused: ${reason}`,
    });
  }
}
