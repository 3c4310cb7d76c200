import { parseMessage } from "../sip/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../sip/types.js";
import type { Clock } from "../util/clock.js";
import {
  type Destination,
  isReliable,
  type ReceivedMessage,
  type SendErrorListener,
  type SendResult,
  type SentResponse,
  type SocketAddress,
  type TransportLayer,
  type TransportProtocol,
} from "./types.js";
import { completeTopVia, stampReceived } from "./via.js";

/** One message handed to the loop network, as recorded in `LoopNetwork.sent`. */
export interface LoopPacket {
  /** Order of sending, from 0. */
  readonly seq: number;
  /** clock.now() when it was sent. */
  readonly at: number;
  readonly from: SocketAddress;
  readonly to: SocketAddress;
  readonly protocol: TransportProtocol;
  /** The serialized bytes, exactly as a socket would carry them. */
  readonly wire: Buffer;
  /** The wire bytes parsed again (undefined if they did not parse). */
  readonly message: SipMessage | undefined;
  /** What the network did with it. */
  fate: "delivered" | "in-flight" | "dropped" | "failed" | "no-route" | "unparsable";
}

/** What a rule does to the packets it matches. */
export type LoopAction =
  /** Lose the packet silently (the send succeeds). */
  | { readonly kind: "drop" }
  /** Reject the send: a transport error. */
  | { readonly kind: "fail" }
  /** Deliver later than the network's latency. */
  | { readonly kind: "delay"; readonly ms: number }
  /** Deliver the packet `copies` extra times. */
  | { readonly kind: "duplicate"; readonly copies: number }
  /** Hold matching packets until `count` are held, then deliver them in reverse order. */
  | { readonly kind: "reorder"; readonly count: number };

/** A fault injected into the network. */
export interface LoopRule {
  readonly action: LoopAction;
  readonly match: ((packet: LoopPacket) => boolean) | undefined;
  /** Packets the rule still applies to; Infinity for all. */
  remaining: number;
  /** Take the rule out of the network. */
  remove(): void;
}

/** Selects packets for a rule or a query, e.g. `LoopNetwork.request("INVITE")`. */
type PacketMatch = (packet: LoopPacket) => boolean;

/**
 * An in-memory network of named endpoints, each a `TransportLayer` with its own address:port,
 * driven by an injected clock (pjsip's loop transport). Every message is serialized and parsed
 * again on delivery, so the wire form is exercised. Faults (drop, fail, delay, duplicate,
 * reorder) are rules matched in the order added.
 */
export class LoopNetwork {
  /** Every packet sent, in order. */
  readonly sent: LoopPacket[] = [];
  private readonly endpoints = new Map<string, LoopEndpoint>();
  private readonly rules: LoopRule[] = [];
  private readonly held = new Map<LoopRule, LoopPacket[]>();
  private nextPort = 5060;

  constructor(
    readonly clock: Clock,
    /** Delay of every delivery in ms; 0 delivers on the clock's next advance. */
    readonly latency = 0,
  ) {}

  /** Add an endpoint at `address:port` (default 127.0.0.1 and the next free port from 5060). */
  endpoint(name: string, address = "127.0.0.1", port?: number): LoopEndpoint {
    const local: SocketAddress = { address, port: port ?? this.nextPort++ };
    const key = `${local.address}:${local.port}`;
    if (this.endpoints.has(key)) throw new Error(`loop: ${key} is taken`);
    const ep = new LoopEndpoint(this, name, local);
    this.endpoints.set(key, ep);
    return ep;
  }

  // --- Faults ---

  addRule(action: LoopAction, match?: PacketMatch, times = Number.POSITIVE_INFINITY): LoopRule {
    const rules = this.rules;
    const rule: LoopRule = {
      action,
      match,
      remaining: times,
      remove() {
        const i = rules.indexOf(rule);
        if (i >= 0) rules.splice(i, 1);
      },
    };
    rules.push(rule);
    return rule;
  }

  dropNext(count = 1, match?: PacketMatch): LoopRule {
    return this.addRule({ kind: "drop" }, match, count);
  }

  dropAll(match?: PacketMatch): LoopRule {
    return this.addRule({ kind: "drop" }, match);
  }

  failNext(count = 1, match?: PacketMatch): LoopRule {
    return this.addRule({ kind: "fail" }, match, count);
  }

  failAll(match?: PacketMatch): LoopRule {
    return this.addRule({ kind: "fail" }, match);
  }

  delay(ms: number, match?: PacketMatch, times?: number): LoopRule {
    return this.addRule({ kind: "delay", ms }, match, times);
  }

  duplicate(match?: PacketMatch, copies = 1, times?: number): LoopRule {
    return this.addRule({ kind: "duplicate", copies }, match, times);
  }

  /** Deliver the next `count` matching packets in reverse order. */
  reorderNext(count: number, match?: PacketMatch): LoopRule {
    return this.addRule({ kind: "reorder", count }, match, count);
  }

  clearRules(): void {
    this.rules.length = 0;
  }

  // --- Predicates and queries for tests ---

  static request(method?: string): PacketMatch {
    return (p) => p.message?.kind === "request" && (method === undefined || p.message.method === method);
  }

  static response(status?: number | ((status: number) => boolean)): PacketMatch {
    return (p) =>
      p.message?.kind === "response" &&
      (status === undefined ||
        (typeof status === "number" ? p.message.status === status : status(p.message.status)));
  }

  /** The packets sent that match, e.g. `net.packets(LoopNetwork.request("INVITE"))`. */
  packets(match?: PacketMatch): LoopPacket[] {
    return match ? this.sent.filter(match) : [...this.sent];
  }

  /** The send times of the matching packets. */
  times(match?: PacketMatch): number[] {
    return this.packets(match).map((p) => p.at);
  }

  // --- Used by the endpoints ---

  /** Send bytes from `from` to `to`; rejects on an injected failure or a refused connection. */
  transmit(
    from: LoopEndpoint,
    to: SocketAddress,
    protocol: TransportProtocol,
    message: SipMessage,
  ): Promise<void> {
    const wire = message.serialize();
    const parsed = parseMessage(wire);
    const packet: LoopPacket = {
      seq: this.sent.length,
      at: this.clock.now(),
      from: from.local,
      to,
      protocol,
      wire,
      message: parsed.ok ? parsed.message : undefined,
      fate: "in-flight",
    };
    this.sent.push(packet);
    if (!parsed.ok) {
      packet.fate = "unparsable";
      return Promise.resolve();
    }
    let delay = this.latency;
    let copies = 1;
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || (rule.match && !rule.match(packet))) continue;
      rule.remaining--;
      const action = rule.action;
      switch (action.kind) {
        case "drop":
          packet.fate = "dropped";
          this.prune();
          return Promise.resolve();
        case "fail":
          packet.fate = "failed";
          this.prune();
          return Promise.reject(new Error(`loop: injected send failure to ${to.address}:${to.port}`));
        case "delay":
          delay += action.ms;
          break;
        case "duplicate":
          copies += action.copies;
          break;
        case "reorder": {
          const held = this.held.get(rule) ?? [];
          held.push(packet);
          this.held.set(rule, held);
          if (held.length === action.count) {
            this.held.delete(rule);
            for (const p of held.reverse()) this.schedule(p, delay, 1);
          }
          this.prune();
          return Promise.resolve();
        }
      }
    }
    this.prune();
    const target = this.endpoints.get(`${to.address}:${to.port}`);
    if (!target) {
      packet.fate = "no-route";
      // A stream transport cannot connect; a datagram is lost without a word.
      return isReliable(protocol)
        ? Promise.reject(new Error(`loop: connection refused by ${to.address}:${to.port}`))
        : Promise.resolve();
    }
    this.schedule(packet, delay, copies);
    return Promise.resolve();
  }

  /** A flow id for a stream between two endpoints, the same both ways. */
  flowId(a: SocketAddress, b: SocketAddress): string {
    const [x, y] = [`${a.address}:${a.port}`, `${b.address}:${b.port}`].sort();
    return `loop:${x}<>${y}`;
  }

  private schedule(packet: LoopPacket, delay: number, copies: number): void {
    for (let i = 0; i < copies; i++) {
      this.clock.setTimer(delay, () => this.deliver(packet));
    }
  }

  private deliver(packet: LoopPacket): void {
    const target = this.endpoints.get(`${packet.to.address}:${packet.to.port}`);
    if (!target) {
      packet.fate = "no-route";
      return;
    }
    // Each delivery parses its own copy, as a receiving socket would.
    const parsed = parseMessage(packet.wire);
    if (!parsed.ok) {
      packet.fate = "unparsable";
      return;
    }
    packet.fate = "delivered";
    target.receive(parsed.message, packet);
  }

  private prune(): void {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const rule = this.rules[i];
      if (rule.remaining <= 0 && !this.held.has(rule)) this.rules.splice(i, 1);
    }
  }
}

/** One endpoint of a `LoopNetwork`: a complete `TransportLayer`. */
export class LoopEndpoint implements TransportLayer {
  private handler: ((rx: ReceivedMessage) => void) | undefined;
  /** Everything this endpoint received, in order. */
  readonly received: ReceivedMessage[] = [];

  constructor(
    readonly network: LoopNetwork,
    readonly name: string,
    readonly local: SocketAddress,
  ) {}

  /** A destination pointing at this endpoint. */
  destination(protocol: TransportProtocol = "UDP"): Destination {
    return { protocol, address: this.local.address, port: this.local.port };
  }

  sendRequest(request: SipRequest, destination: Destination): Promise<SendResult> {
    // RFC 3261 18.1.1: the transport fills in the transport and sent-by of the top Via.
    if (!request.topVia) return Promise.reject(new Error("loop: request has no Via"));
    completeTopVia(request, destination.protocol, this.local.address, this.local.port);
    const to = { address: destination.address, port: destination.port };
    const flowId = isReliable(destination.protocol) ? this.network.flowId(this.local, to) : undefined;
    return this.network
      .transmit(this, to, destination.protocol, request)
      .then(() => ({ protocol: destination.protocol, flowId }));
  }

  /** Responses go back to the source of the request (the connection, or received/rport). */
  sendResponse(response: SipResponse, request: ReceivedMessage): Promise<void> {
    return this.network.transmit(this, request.source, request.protocol, response);
  }

  transmitResponse(response: SipResponse, request: ReceivedMessage, errors: SendErrorListener): SentResponse {
    // Every copy is serialized again, so a test sees exactly what each transmission carried.
    const send = (): void => {
      this.sendResponse(response, request).then(undefined, (error: unknown) =>
        errors.onTransportError(error),
      );
    };
    send();
    return { resend: send };
  }

  onMessage(handler: (rx: ReceivedMessage) => void): void {
    this.handler = handler;
  }

  /** Called by the network on delivery. */
  receive(message: SipMessage, packet: LoopPacket): void {
    // RFC 3261 18.2.1: the server transport stamps `received` (and RFC 3581 rport) on requests.
    if (message.kind === "request") stampReceived(message, packet.from);
    const rx: ReceivedMessage = {
      message,
      protocol: packet.protocol,
      source: packet.from,
      local: this.local,
      flowId: isReliable(packet.protocol) ? this.network.flowId(packet.from, this.local) : undefined,
      receivedAt: this.network.clock.now(),
    };
    this.received.push(rx);
    this.handler?.(rx);
  }
}
