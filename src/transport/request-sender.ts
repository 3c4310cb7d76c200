import type { SipRequest } from "../sip/types.js";
import { formatHostPort, ipFamily, isWildcard, unbracket, unmapIPv4 } from "./addresses.js";
import type { Flow } from "./flow.js";
import type { FlowTable } from "./flow-table.js";
import type { ListenerSet } from "./listener-set.js";
import type { StreamProtocol, WebSocketProtocol } from "./listeners.js";
import type { TransportContext } from "./transport-context.js";
import { TransportError } from "./transport-error.js";
import { type Destination, isWebSocket, type SendResult } from "./types.js";
import type { UdpSender } from "./udp-sender.js";
import { completeTopVia } from "./via.js";

/** RFC 3261 18.1.1: "larger than 1300 bytes and the path MTU is unknown" -> congestion-controlled transport. */
export const UDP_MTU_THRESHOLD = 1300;

/**
 * The client side of RFC 3261 18.1.1: a request goes out over the transport its destination
 * names, its top Via completed with the transport and sent-by of the socket that sends it; a large
 * UDP request moves to TCP.
 */
export class RequestSender {
  constructor(
    private readonly context: TransportContext,
    private readonly listeners: ListenerSet,
    private readonly flows: FlowTable,
    private readonly udp: UdpSender,
  ) {}

  async send(request: SipRequest, destination: Destination): Promise<SendResult> {
    this.context.assertRunning();
    const address = unmapIPv4(unbracket(destination.address));
    if (ipFamily(address) === 0 && (destination.protocol === "UDP" || !destination.flowId)) {
      throw new TransportError(
        `destination "${destination.address}" is not an IP address (no DNS in the transport)`,
      );
    }
    if (isWebSocket(destination.protocol)) {
      const flow = await this.sendOnWebSocket(
        request,
        destination.protocol,
        address,
        destination.port,
        destination.flowId,
      );
      return { protocol: destination.protocol, flowId: flow.flowId };
    }
    if (destination.protocol !== "UDP") {
      const flow = await this.sendOnStream(
        request,
        destination.protocol,
        address,
        destination.port,
        destination.flowId,
      );
      return { protocol: destination.protocol, flowId: flow.flowId };
    }
    const udp = this.listeners.pickUdp(address);
    if (!udp) throw new TransportError(`no UDP listener can reach ${address}`);
    completeTopVia(request, "UDP", this.listeners.sentByHost(udp.address, address), udp.port);
    let data = request.serialize();
    // RFC 3261 18.1.1: "If a request is within 200 bytes of the path MTU, or if it is larger than
    // 1300 bytes and the path MTU is unknown, the request MUST be sent using an RFC 2914 congestion
    // controlled transport protocol, such as TCP. If this causes a change in the transport protocol
    // from the one indicated in the top Via, the value in the top Via MUST be changed."
    if (data.length > UDP_MTU_THRESHOLD && this.listeners.pickStream("TCP", address)) {
      try {
        const flow = await this.sendOnStream(request, "TCP", address, destination.port, undefined);
        return { protocol: "TCP", flowId: flow.flowId };
      } catch (err) {
        // NOTE: a peer without TCP refuses the connection; many UAs only speak UDP, so rather than
        // failing the request we fall back to (fragmented) UDP as the pre-3261 behaviour did.
        if ((err as NodeJS.ErrnoException).code !== "ECONNREFUSED") throw err;
        completeTopVia(request, "UDP", this.listeners.sentByHost(udp.address, address), udp.port);
        data = request.serialize();
      }
    }
    await this.udp.send(udp, data, address, destination.port);
    this.context.messages.out.request(request.method);
    return { protocol: "UDP", flowId: undefined };
  }

  /** Send a request on a stream: the preferred flow, an open flow to the address, or a new one. */
  private async sendOnStream(
    request: SipRequest,
    protocol: StreamProtocol,
    address: string,
    port: number,
    flowId: string | undefined,
  ): Promise<Flow> {
    const preferred = flowId !== undefined ? this.flows.get(flowId) : undefined;
    let flow: Flow;
    if (preferred?.isOpen && preferred.protocol === protocol) flow = preferred;
    else if (ipFamily(address) === 0)
      throw new TransportError(`flow ${flowId} is closed and "${address}" is not an IP address`);
    else flow = await this.flows.flowTo(protocol, address, port);
    const listener = this.listeners.pickStream(protocol, flow.remote.address);
    const host =
      this.context.options.advertisedAddress ??
      (listener && !isWildcard(listener.address) ? listener.address : flow.local.address);
    completeTopVia(request, protocol, host, listener?.port ?? flow.local.port);
    await this.flows.write(flow, request.serialize());
    this.context.messages.out.request(request.method);
    return flow;
  }

  /**
   * RFC 7118 5: a SIP WebSocket client is reached over the connection it opened (its flow, or the
   * open one from its address); Parley never dials one, so without it the request fails at once.
   * The Via names the listener the connection came in on (its local port), RFC 3261 18.1.1.
   */
  private async sendOnWebSocket(
    request: SipRequest,
    protocol: WebSocketProtocol,
    address: string,
    port: number,
    flowId: string | undefined,
  ): Promise<Flow> {
    const preferred = flowId !== undefined ? this.flows.get(flowId) : undefined;
    const flow =
      preferred?.isOpen && preferred.protocol === protocol
        ? preferred
        : this.flows.openFlowFrom(protocol, address, port);
    if (flow === undefined) {
      throw new TransportError(
        `no open ${protocol} connection ${flowId ?? "from " + formatHostPort(address, port)}: a WebSocket client cannot be dialled (RFC 7118 5)`,
      );
    }
    completeTopVia(
      request,
      protocol,
      this.context.options.advertisedAddress ?? flow.local.address,
      flow.local.port,
    );
    await this.flows.write(flow, request.serialize());
    this.context.messages.out.request(request.method);
    return flow;
  }
}
