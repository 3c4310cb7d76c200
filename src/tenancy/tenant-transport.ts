/**
 * A tenant's transport (issue 21): the messages of its own ports, and those of the shared ports
 * that the router (tenant-router.ts) found to be its, as one TransportLayer for its transactions.
 * A response leaves by the transport its request came on (RFC 3261 18.2.2: the same socket or
 * connection); a request leaves by the connection it names when that is on the shared ports, else
 * from the tenant's own ports when it has them, so peers see the tenant's own address.
 */
import type { LegAddressing } from "../call/leg-address.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { SipTransportLayer } from "../transport/transport-layer.js";
import type {
  Destination,
  ReceivedMessage,
  SendErrorListener,
  SendResult,
  SentResponse,
  TransportLayer,
} from "../transport/types.js";

export class TenantTransport implements TransportLayer, LegAddressing {
  private handler: ((message: ReceivedMessage) => void) | undefined;
  /** The messages the shared ports delivered (their answers go back that way). */
  private readonly viaShared = new WeakSet<ReceivedMessage>();

  constructor(
    private readonly shared: SipTransportLayer,
    private readonly own: SipTransportLayer | undefined,
  ) {}

  /** A message of the shared ports that is this tenant's. */
  deliver(rx: ReceivedMessage): void {
    this.viaShared.add(rx);
    this.handler?.(rx);
  }

  onMessage(handler: (message: ReceivedMessage) => void): void {
    this.handler = handler;
    this.own?.onMessage(handler);
  }

  sendRequest(request: SipRequest, destination: Destination): Promise<SendResult> {
    return this.toward(destination).sendRequest(request, destination);
  }

  sendResponse(response: SipResponse, request: ReceivedMessage): Promise<void> {
    return this.of(request).sendResponse(response, request);
  }

  transmitResponse(response: SipResponse, request: ReceivedMessage, errors: SendErrorListener): SentResponse {
    return this.of(request).transmitResponse(response, request, errors);
  }

  localAddressOf(rx: ReceivedMessage): string | undefined {
    return this.of(rx).localAddressOf(rx);
  }

  localAddressToward(destination: Destination): string | undefined {
    return this.toward(destination).localAddressToward(destination);
  }

  private of(rx: ReceivedMessage): SipTransportLayer {
    return this.own === undefined || this.viaShared.has(rx) ? this.shared : this.own;
  }

  private toward(destination: Destination): SipTransportLayer {
    if (this.own === undefined) return this.shared;
    if (destination.flowId !== undefined && this.shared.hasFlow(destination.flowId)) return this.shared;
    return this.own;
  }
}
