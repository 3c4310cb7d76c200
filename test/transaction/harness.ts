/**
 * Shared fixtures for the transaction tests: a virtual clock, a loop network with two endpoints
 * and a recording transaction user. "uac" and "uas" are endpoints; a test puts a TransactionLayer
 * on the side under test and drives the other side by hand (raw peer) or with a second layer. The
 * clock, network, timer constants and predicates come from the shared harness
 * (test/helpers/sip-harness.ts).
 */
import { createRequest, createResponse, generateBranch, generateTag } from "../../src/sip/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";
import {
  type ClientTransaction,
  type ClientTransactionHandler,
  type ServerTransaction,
  type TransactionFailure,
  TransactionLayer,
  type TransactionUser,
} from "../../src/transaction/index.js";
import type { LoopEndpoint, LoopNetwork } from "../../src/transport/loop-transport.js";
import type { ReceivedMessage, TransportProtocol } from "../../src/transport/types.js";
import type { VirtualClock } from "../../src/util/clock.js";
import { isRequest, isResponse, loop, settle, T1, T2, T4 } from "../helpers/sip-harness.js";

export { isRequest, isResponse, settle, T1, T2, T4 };

/** A TU that records every call; `onRequestHook` lets a test answer. */
export class RecordingUser implements TransactionUser {
  readonly requests: { rx: ReceivedMessage; tx: ServerTransaction }[] = [];
  readonly acks: ReceivedMessage[] = [];
  readonly strays: ReceivedMessage[] = [];
  readonly failures: { tx: ServerTransaction; failure: TransactionFailure }[] = [];
  readonly terminated: ServerTransaction[] = [];
  onRequestHook: ((rx: ReceivedMessage, tx: ServerTransaction) => void) | undefined;

  onRequest(rx: ReceivedMessage, tx: ServerTransaction): void {
    this.requests.push({ rx, tx });
    this.onRequestHook?.(rx, tx);
  }
  onAck(rx: ReceivedMessage): void {
    this.acks.push(rx);
  }
  onStrayResponse(rx: ReceivedMessage): void {
    this.strays.push(rx);
  }
  onServerFailure(tx: ServerTransaction, failure: TransactionFailure): void {
    this.failures.push({ tx, failure });
  }
  onServerTerminated(tx: ServerTransaction): void {
    this.terminated.push(tx);
  }
}

/** A client handler that records the responses it gets and when. */
export class RecordingHandler implements ClientTransactionHandler {
  readonly responses: { at: number; response: SipResponse }[] = [];
  terminatedAt: number | undefined;
  constructor(private readonly clock: VirtualClock) {}
  onResponse(response: SipResponse): void {
    this.responses.push({ at: this.clock.now(), response });
  }
  onTerminated(_tx: ClientTransaction): void {
    this.terminatedAt = this.clock.now();
  }
  get statuses(): number[] {
    return this.responses.map((r) => r.response.status);
  }
}

export interface Harness {
  clock: VirtualClock;
  net: LoopNetwork;
  uac: LoopEndpoint;
  uas: LoopEndpoint;
}

export function harness(): Harness {
  const { clock, net } = loop();
  const uac = net.endpoint("uac", "127.0.0.1", 5070);
  const uas = net.endpoint("uas", "127.0.0.2", 5080);
  return { clock, net, uac, uas };
}

export function layerOn(h: Harness, endpoint: LoopEndpoint, user = new RecordingUser()) {
  const layer = new TransactionLayer({ transport: endpoint, clock: h.clock, user });
  return { layer, user };
}

export interface RequestOptions {
  method?: string;
  uri?: string;
  /** Branch of the top Via; a fresh z9hG4bK one when undefined, none when null. */
  branch?: string | null;
  via?: string;
  callId?: string;
  cseq?: number;
  fromTag?: string;
  toTag?: string;
  routes?: string[];
  protocol?: TransportProtocol;
}

let callCounter = 0;

/** A minimal valid request (RFC 3261 8.1.1). */
export function request(options: RequestOptions = {}): SipRequest {
  const method = options.method ?? "INVITE";
  const protocol = options.protocol ?? "UDP";
  const headers: [string, string][] = [];
  if (options.via) headers.push(["Via", options.via]);
  else if (options.branch !== null) {
    headers.push(["Via", `SIP/2.0/${protocol} 127.0.0.1:5070;branch=${options.branch ?? generateBranch()}`]);
  }
  headers.push(
    ["Max-Forwards", "70"],
    ["From", `"Alice" <sip:alice@example.com>;tag=${options.fromTag ?? "a-tag"}`],
    ["To", `<sip:bob@example.com>${options.toTag ? `;tag=${options.toTag}` : ""}`],
    ["Call-ID", options.callId ?? `call-${++callCounter}@example.com`],
    ["CSeq", `${options.cseq ?? 1} ${method}`],
    ["Contact", "<sip:alice@127.0.0.1:5070>"],
  );
  for (const route of options.routes ?? []) headers.push(["Route", route]);
  return createRequest({ method, uri: options.uri ?? "sip:bob@127.0.0.2:5080", headers });
}

/** A response to a received request, with a To tag on anything but 100. */
export function answer(rx: ReceivedMessage, status: number, toTag = "b-tag"): SipResponse {
  return createResponse(rx.message as SipRequest, status, undefined, status === 100 ? {} : { toTag });
}

export { generateBranch, generateTag };
