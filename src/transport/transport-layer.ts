import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { SipRequest, SipResponse } from "../sip/types.js";
import { ipFamily, isWildcard, unbracket, unmapIPv4 } from "./addresses.js";
import { FlowTable } from "./flow-table.js";
import { bindStreamListener, bindUdpListener } from "./listener-binding.js";
import { ListenerSet } from "./listener-set.js";
import { LocalAddresses } from "./local-address.js";
import type { SipMessageCounts } from "./message-counts.js";
import { MessageReceiver } from "./message-receiver.js";
import type { ListeningAddress, SipTransportOptions, TransportStats } from "./options.js";
import { RequestSender } from "./request-sender.js";
import { ResponseSender } from "./response-sender.js";
import { loadTlsCredentials } from "./tls-credentials.js";
import { type ConnectionCloseEvent, TransportContext } from "./transport-context.js";
import { TransportError } from "./transport-error.js";
import type {
  Destination,
  ReceivedMessage,
  SendErrorListener,
  SendResult,
  SentResponse,
  SocketAddress,
  TransportLayer,
  TransportProtocol,
} from "./types.js";
import { UdpSender } from "./udp-sender.js";
import { WebSocketAcceptor } from "./websocket-acceptor.js";
import { bindWebSocketListener } from "./websocket-listener.js";

export { UDP_MTU_THRESHOLD } from "./request-sender.js";
export { TransportError } from "./transport-error.js";

/**
 * The socket transports of RFC 3261 18: UDP, TCP and TLS listeners on IPv4 and IPv6, SIP over
 * WebSocket (RFC 7118: WS and WSS listeners, or upgrades handed in by the web server), connection
 * (flow) management, stream framing, Via received/rport (RFC 3581) and response routing
 * (RFC 3261 18.2.2).
 *
 * This class is the layer's face and its life (start, stop); the work is done by its parts: the
 * listeners (listener-set.ts, listener-binding.ts), the receive path (message-receiver.ts), the
 * TCP/TLS flows (flow-table.ts), and the send paths (request-sender.ts, response-sender.ts,
 * udp-sender.ts), which share one TransportContext (settings, state, counters, events).
 */
export class SipTransportLayer implements TransportLayer {
  private readonly context: TransportContext;
  private readonly listeners: ListenerSet;
  private readonly receiver: MessageReceiver;
  private readonly flows: FlowTable;
  private readonly webSockets: WebSocketAcceptor;
  private readonly udp: UdpSender;
  private readonly requests: RequestSender;
  private readonly responses: ResponseSender;
  private stopping: Promise<void> | undefined;
  /** This host's addresses, for the local address facing a peer (local-address.ts). */
  private readonly hostAddresses = new LocalAddresses();

  constructor(private readonly options: SipTransportOptions) {
    this.context = new TransportContext(options);
    this.listeners = new ListenerSet(options.advertisedAddress);
    this.receiver = new MessageReceiver(this.context);
    this.flows = new FlowTable(this.context, this.listeners, this.receiver);
    this.webSockets = new WebSocketAcceptor(this.context, this.flows);
    this.udp = new UdpSender(this.context);
    this.requests = new RequestSender(this.context, this.listeners, this.flows, this.udp);
    this.responses = new ResponseSender(this.context, this.listeners, this.flows, this.udp);
    for (const l of options.listeners) {
      if (ipFamily(l.address) === 0)
        throw new TransportError(`listener address "${l.address}" is not an IP address`);
    }
  }

  /** The bound listeners with their real ports (after start()). */
  get listening(): ListeningAddress[] {
    return this.listeners.listening;
  }

  /** Counters since start (a copy). */
  /** Since the last call: the share of event-loop turns that found a full batch of datagrams waiting, and the datagrams read. */
  takeBacklog(): { share: number; datagrams: number } {
    return this.context.backlog.take();
  }

  get stats(): TransportStats & { connectionsOpen: number } {
    return { ...this.context.counters, connectionsOpen: this.flows.size };
  }

  /** SIP messages received and sent, by method and status (live counts, read at scrape time). */
  get messages(): SipMessageCounts {
    return this.context.messages;
  }

  /** The TLS certificate in use, if a TLS or WSS listener is configured (after start()). */
  get tlsCertificate(): { certFile: string; cert: string } | undefined {
    const credentials = this.context.credentials;
    return credentials && { certFile: credentials.certFile, cert: credentials.cert };
  }

  onMessage(handler: (message: ReceivedMessage) => void): void {
    this.receiver.onMessage(handler);
  }

  /**
   * Drop every datagram, stream message and new connection from a source for which `rejects`
   * says true, before parsing and without an answer (undefined: accept every source).
   */
  setSourceFilter(rejects: ((address: string) => boolean) | undefined): void {
    this.context.rejectSource = rejects;
  }

  /**
   * Take an HTTP upgrade request for SIP over WebSocket from a web server of Parley's own (the
   * admin web server's `/sip` path): `secure` when it came over HTTPS (the flow is then WSS).
   * The same checks as a standalone WS/WSS listener apply (source filter, connection caps, `sip`
   * subprotocol, Origin); a refused handshake is answered and closed.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, secure: boolean): void {
    this.webSockets.handleUpgrade(req, socket, head, secure ? "WSS" : "WS", false);
  }

  /**
   * Calls `listener` when a flow (TCP, TLS, WS, WSS connection) closes, e.g. so the registrar
   * drops the bindings of a WebSocket client whose connection is gone (RFC 7118 5). Returns the
   * function that removes the listener.
   */
  onConnectionClose(listener: (event: ConnectionCloseEvent) => void): () => void {
    this.context.closeListeners.add(listener);
    return () => this.context.closeListeners.delete(listener);
  }

  /** Bind every listener. Rejects (and releases whatever was bound) if one cannot bind. */
  async start(): Promise<void> {
    const context = this.context;
    if (context.state !== "new")
      throw new TransportError(`cannot start a transport that is ${context.state}`);
    context.state = "starting";
    try {
      if (this.options.listeners.some((l) => l.protocol === "TLS" || l.protocol === "WSS")) {
        const credentials = await loadTlsCredentials(this.options);
        context.credentials = credentials;
        context.emit({
          kind: "tls-certificate",
          certFile: credentials.certFile,
          generated: credentials.generated,
        });
      }
      for (const config of this.options.listeners) {
        const family = ipFamily(config.address) as 4 | 6;
        // An IPv6 wildcard is dual-stack unless an IPv4 listener of the same protocol exists.
        const dualStack =
          config.address === "::" &&
          !this.options.listeners.some((o) => o.protocol === config.protocol && ipFamily(o.address) === 4);
        const target = { address: config.address, port: config.port, family, dualStack };
        const protocol = config.protocol;
        const listener =
          protocol === "UDP"
            ? await bindUdpListener(context, this.receiver, target)
            : protocol === "WS" || protocol === "WSS"
              ? await bindWebSocketListener(context, this.flows, this.webSockets, protocol, target)
              : await bindStreamListener(context, this.flows, protocol, target);
        this.listeners.add(listener);
        context.emit({
          kind: "listening",
          protocol: listener.protocol,
          local: { address: listener.address, port: listener.port },
        });
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    context.state = "running";
  }

  /** Close every listener and connection. Idempotent. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.context.state = "stopped";
    this.stopping = (async () => {
      this.flows.closeAll();
      await this.listeners.close();
    })();
    return this.stopping;
  }

  /**
   * Where this transport says it is, for a Via sent-by or the core's Contact: the advertised
   * address or the listener's bound address (for a wildcard, a local address of the right family),
   * and the listener's port. Undefined when no listener of that protocol and family exists.
   */
  localSentBy(protocol: TransportProtocol, remoteAddress: string): SocketAddress | undefined {
    return this.listeners.localSentBy(protocol, remoteAddress);
  }

  /**
   * The local address `rx` arrived on (a leg's media address, issue 23): its connection's, its
   * listener's when bound to one address, else this host's address facing its source.
   */
  localAddressOf(rx: ReceivedMessage): string | undefined {
    const local = unmapIPv4(rx.local.address);
    return local === "" || isWildcard(local) ? this.hostAddresses.facing(rx.source.address) : local;
  }

  /**
   * The local address requests to `destination` leave from: its open connection's, the listener's
   * when bound to one address, else this host's address facing it.
   */
  localAddressToward(destination: Destination): string | undefined {
    const flow = destination.flowId === undefined ? undefined : this.flows.get(destination.flowId);
    if (flow?.isOpen) return flow.local.address;
    const address = unmapIPv4(unbracket(destination.address));
    const listener =
      destination.protocol === "UDP"
        ? this.listeners.pickUdp(address)
        : this.listeners.pickStream(destination.protocol, address);
    if (listener !== undefined && !isWildcard(listener.address)) return listener.address;
    return this.hostAddresses.facing(address);
  }

  /** Is `flowId` one of this transport's open connections (issue 21: a tenant's two transports)? */
  hasFlow(flowId: string): boolean {
    return this.flows.get(flowId)?.isOpen === true;
  }

  sendRequest(request: SipRequest, destination: Destination): Promise<SendResult> {
    return this.requests.send(request, destination);
  }

  sendResponse(response: SipResponse, request: ReceivedMessage): Promise<void> {
    return this.responses.send(response, request);
  }

  transmitResponse(response: SipResponse, request: ReceivedMessage, errors: SendErrorListener): SentResponse {
    return this.responses.transmit(response, request, errors);
  }
}
