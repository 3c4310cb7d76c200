import type { SipResponse } from "../sip/types.js";
import type { FlowTable } from "./flow-table.js";
import type { ListenerSet } from "./listener-set.js";
import type { StreamProtocol } from "./listeners.js";
import { responseSlot } from "./message-counts.js";
import type { TransportContext } from "./transport-context.js";
import { TransportError } from "./transport-error.js";
import {
  isReliable,
  isWebSocket,
  type ReceivedMessage,
  type SendErrorListener,
  type SentResponse,
} from "./types.js";
import { MAX_UDP_PAYLOAD, type UdpSender } from "./udp-sender.js";
import { UdpSentResponse } from "./udp-sent-response.js";
import { reliableResponseTarget, symmetricResponseTarget, unreliableResponseTarget } from "./via.js";

/**
 * The server side of RFC 3261 18.2.2: a response goes where the top Via says, over the
 * connection its request came on while that is open, from the UDP socket the request arrived on
 * (RFC 3581 4).
 */
export class ResponseSender {
  constructor(
    private readonly context: TransportContext,
    private readonly listeners: ListenerSet,
    private readonly flows: FlowTable,
    private readonly udp: UdpSender,
  ) {}

  /** Sends a response and counts it once written. */
  async send(response: SipResponse, request: ReceivedMessage): Promise<void> {
    await this.route(response, request);
    this.context.messages.out.response(responseSlot(response.cseq?.method, response.status));
  }

  private async route(response: SipResponse, request: ReceivedMessage): Promise<void> {
    this.context.assertRunning();
    if (isWebSocket(request.protocol)) {
      await this.sendOnWebSocket(response, request);
      return;
    }
    // RFC 3261 18.2.2: the server transport uses the value of the top Via header field (of the response).
    const via = response.has("via") ? response.topVia : request.message.topVia;
    if (!via) {
      if (!response.has("via") && !request.message.has("via")) {
        throw new TransportError("response has no Via header");
      }
      // The top Via is there but does not parse (a 400 to a malformed request copies it as received).
      await this.sendToSource(response, request);
      return;
    }
    if (isReliable(request.protocol)) {
      const protocol = request.protocol as StreamProtocol;
      // RFC 3261 18.2.2: "If the 'sent-protocol' is a reliable transport protocol such as TCP or
      // SCTP, or TLS over those, the response MUST be sent using the existing connection to the
      // source of the original request that created the transaction, if that connection is still open."
      const existing = request.flowId !== undefined ? this.flows.get(request.flowId) : undefined;
      // A flow lingering after a framing error still takes the answer to its bad request.
      if (existing?.isAlive) {
        await this.flows.write(existing, response.serialize());
        return;
      }
      const target = reliableResponseTarget(via, protocol);
      if (!target.ok) throw new TransportError(target.reason);
      const flow = await this.flows.flowTo(protocol, target.address, target.port);
      await this.flows.write(flow, response.serialize());
      return;
    }
    const target = unreliableResponseTarget(via, "UDP");
    if (!target.ok) throw new TransportError(target.reason);
    // RFC 3581 4: the response "MUST be sent from the same address and port that the request was
    // received on in order to traverse symmetric NATs."
    const udp = this.listeners.udpFor(request.local, target.address);
    if (!udp) throw new TransportError(`no UDP listener can reach ${target.address}`);
    if (target.ttl !== undefined) udp.socket.setMulticastTTL(target.ttl);
    await this.udp.send(udp, response.serialize(), target.address, target.port);
  }

  transmit(response: SipResponse, request: ReceivedMessage, errors: SendErrorListener): SentResponse {
    // The common case, a response over UDP, resolves its route once and keeps only the bytes.
    if (this.context.state === "running" && request.protocol === "UDP") {
      const via = response.has("via") ? response.topVia : request.message.topVia;
      const target = via === undefined ? undefined : unreliableResponseTarget(via, "UDP");
      if (target?.ok && target.ttl === undefined) {
        const udp = this.listeners.udpFor(request.local, target.address);
        const data = udp === undefined ? undefined : response.serialize();
        if (udp !== undefined && data !== undefined && data.length <= MAX_UDP_PAYLOAD) {
          const slot = responseSlot(response.cseq?.method, response.status);
          const out = this.context.messages.out;
          const sent = new UdpSentResponse(
            this.udp,
            udp,
            data,
            target.address,
            target.port,
            errors,
            out,
            slot,
          );
          sent.resend();
          return sent;
        }
      }
    }
    // Everything else (streams, multicast, an unroutable Via, errors) takes the general path.
    const send = (): void => {
      this.send(response, request).then(undefined, (error: unknown) => errors.onTransportError(error));
    };
    send();
    return { resend: send };
  }

  /**
   * RFC 7118 5: "the SIP WebSocket Server MUST send the response over the same WebSocket
   * connection" the request came on, whatever its Via says; Parley cannot dial a WebSocket
   * client, so when that connection is gone the response is dropped (counted) and the
   * transaction told.
   */
  private async sendOnWebSocket(response: SipResponse, request: ReceivedMessage): Promise<void> {
    const flow = request.flowId !== undefined ? this.flows.get(request.flowId) : undefined;
    if (flow?.isAlive) {
      await this.flows.write(flow, response.serialize());
      return;
    }
    this.context.counters.dropped++;
    const reason = `response ${response.status} dropped: the ${request.protocol} connection it answers is closed`;
    this.context.emit({
      kind: "drop",
      protocol: request.protocol,
      source: request.source,
      flowId: request.flowId,
      reason,
    });
    throw new TransportError(reason);
  }

  /**
   * NOTE: RFC 3261 18.2.2 routes a response by its top Via; when that Via cannot be parsed we
   * answer symmetrically instead, as RFC 3581 4 does: to the source address and port of the
   * request, from the address it arrived on, over the same connection for a stream transport.
   */
  private async sendToSource(response: SipResponse, request: ReceivedMessage): Promise<void> {
    const target = symmetricResponseTarget(request.source);
    const data = response.serialize();
    if (isReliable(request.protocol)) {
      const existing = request.flowId !== undefined ? this.flows.get(request.flowId) : undefined;
      const flow = existing?.isAlive
        ? existing
        : await this.flows.flowTo(request.protocol as StreamProtocol, target.address, target.port);
      await this.flows.write(flow, data);
      return;
    }
    const udp = this.listeners.udpFor(request.local, target.address);
    if (!udp) throw new TransportError(`no UDP listener can reach ${target.address}`);
    await this.udp.send(udp, data, target.address, target.port);
  }
}
