/**
 * Message-waiting indication on a loop network and a virtual clock (STYLE.md, tier two): Parley's
 * real SIP core, transaction and dialog layers, Authenticator and location service, with
 * `createMessageWaiting` on top and mailbox counts in memory. Devices are bare SIP agents on
 * Parley's transaction layer: they SUBSCRIBE (answering a 401 with their password), record every
 * request they receive and answer it as the test says (200, a failure, or nothing).
 */
import { pino } from "pino";
import { Authenticator, type CredentialSource } from "../../src/auth/authenticator.js";
import { BanList } from "../../src/auth/ban-list.js";
import { SipCore } from "../../src/core/sip-core.js";
import { DialogManager } from "../../src/dialog/dialog-manager.js";
import { createMessageWaiting, type MessageWaitingService } from "../../src/presence/message-waiting.js";
import { type Binding, LocationService } from "../../src/registrar/location-service.js";
import {
  createRequest,
  createResponse,
  generateBranch,
  generateCallId,
  generateTag,
} from "../../src/sip/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/types.js";
import { computeHa1 } from "../../src/store/digest-ha1.js";
import type { MessageCounts } from "../../src/store/index.js";
import {
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from "../../src/transaction/index.js";
import type { LoopEndpoint, LoopNetwork } from "../../src/transport/loop-transport.js";
import type { ReceivedMessage } from "../../src/transport/types.js";
import { DigestClient } from "../../src/trunks/digest-client.js";
import type { VirtualClock } from "../../src/util/clock.js";
import { loop, run } from "../helpers/sip-harness.js";

export const DOMAIN = { id: 1, realm: "pbx.test" } as const;
export const PARLEY = { address: "127.0.0.1", port: 5060 } as const;
export const EPOCH = Date.UTC(2025, 0, 1);

/** How a device answers what it receives: a status, or "silent" (no answer: the sender times out). */
export type Answer = number | "silent";

export interface Received {
  readonly request: SipRequest;
  readonly tx: ServerTransaction;
}

/** A bare SIP device: requests it receives are recorded and answered with `answer`. */
export class Device implements TransactionUser {
  readonly endpoint: LoopEndpoint;
  readonly layer: TransactionLayer;
  readonly received: Received[] = [];
  answer: Answer = 200;
  readonly fromTag = generateTag();
  readonly callId = generateCallId();
  /** Parley's tag once a SUBSCRIBE was accepted: later SUBSCRIBEs go within that dialog. */
  toTag: string | undefined;
  private cseq = 0;
  private readonly digest: DigestClient;

  constructor(
    clock: VirtualClock,
    net: LoopNetwork,
    readonly user: string,
    readonly address: string,
    readonly port: number,
    private readonly parley: LoopEndpoint,
    password = user,
  ) {
    this.endpoint = net.endpoint(`${user}@${address}`, address, port);
    this.layer = new TransactionLayer({ transport: this.endpoint, clock, user: this });
    this.digest = new DigestClient({ username: user, password });
  }

  get contact(): string {
    return `sip:${this.user}@${this.address}:${this.port}`;
  }

  /** The NOTIFYs received, in order. */
  get notifies(): SipRequest[] {
    return this.received.filter((r) => r.request.method === "NOTIFY").map((r) => r.request);
  }

  /** The binding a REGISTER from this device leaves (RFC 3261 10.3). */
  binding(now: number, callId = `reg-${this.address}:${this.port}`): Binding {
    return {
      domainId: DOMAIN.id,
      user: this.user,
      contactUri: this.contact,
      expiresAt: now + 3_600_000,
      callId,
      cseq: 1,
      path: [],
      sourceAddress: this.address,
      sourcePort: this.port,
      transport: "udp",
      updatedAt: now,
    };
  }

  /**
   * A SUBSCRIBE (within the subscription's dialog once one exists), answering one 401 unless
   * `authenticate` is false; resolves with the final response. An Event or Expires of null is
   * left out.
   */
  subscribe(
    options: {
      resource?: string;
      event?: string | null;
      expires?: number | null;
      authenticate?: boolean;
    } = {},
  ): Promise<SipResponse> {
    const resource = options.resource ?? this.user;
    const headers = this.headers("SUBSCRIBE", resource);
    const event = options.event === undefined ? "message-summary" : options.event;
    if (event !== null) headers.push(["Event", event]);
    const expires = options.expires === undefined ? 3600 : options.expires;
    if (expires !== null) headers.push(["Expires", String(expires)]);
    headers.push(["Accept", "application/simple-message-summary"]);
    const request = createRequest({ method: "SUBSCRIBE", uri: `sip:${resource}@${DOMAIN.realm}`, headers });
    return this.send(request, options.authenticate !== false);
  }

  /** Another request in the subscription's dialog (or outside any, before one exists). */
  request(method: string): Promise<SipResponse> {
    const request = createRequest({
      method,
      uri: `sip:${this.user}@${DOMAIN.realm}`,
      headers: this.headers(method, this.user),
    });
    return this.send(request, false);
  }

  private headers(method: string, resource: string): Array<readonly [string, string]> {
    return [
      ["Via", `SIP/2.0/UDP ${this.address}:${this.port};branch=${generateBranch()};rport`],
      ["Max-Forwards", "70"],
      ["From", `<sip:${this.user}@${DOMAIN.realm}>;tag=${this.fromTag}`],
      ["To", `<sip:${resource}@${DOMAIN.realm}>${this.toTag === undefined ? "" : `;tag=${this.toTag}`}`],
      ["Call-ID", this.callId],
      ["CSeq", `${++this.cseq} ${method}`],
      ["Contact", `<${this.contact}>`],
    ];
  }

  private send(request: SipRequest, mayRetry: boolean): Promise<SipResponse> {
    return new Promise((resolve) => {
      this.layer.sendRequest(request, this.parley.destination(), {
        onResponse: (response) => {
          if (response.status < 200) return;
          const credentials =
            response.status === 401 && mayRetry ? this.digest.authorize(response, request) : undefined;
          if (credentials !== undefined) {
            const retry = createRequest({
              method: request.method,
              uri: request.uriText,
              headers: [
                ...request.headers
                  .filter((h) => h.key !== "via" && h.key !== "cseq" && h.key !== "content-length")
                  .map((h) => [h.name, h.value] as const),
                ["Via", `SIP/2.0/UDP ${this.address}:${this.port};branch=${generateBranch()};rport`],
                ["CSeq", `${++this.cseq} ${request.method}`],
                ...credentials,
              ],
            });
            resolve(this.send(retry, false));
            return;
          }
          if (response.status < 300 && this.toTag === undefined) this.toTag = response.to?.tag;
          resolve(response);
        },
      });
    });
  }

  onRequest(rx: ReceivedMessage, tx: ServerTransaction): void {
    const request = rx.message as SipRequest;
    this.received.push({ request, tx });
    if (this.answer === "silent") return;
    tx.respond(
      createResponse(request, this.answer, undefined, { toTag: request.to?.tag ? undefined : "dev" }),
    );
  }
  onAck(): void {}
  onStrayResponse(): void {}
}

export interface MwiHarness {
  readonly clock: VirtualClock;
  readonly net: LoopNetwork;
  readonly endpoint: LoopEndpoint;
  readonly service: MessageWaitingService;
  readonly location: LocationService;
  /** The mailboxes' counts, by user (0/0 when absent). */
  readonly counts: Map<string, MessageCounts>;
  /** While `down`, reading the counts fails (the store is unreachable). */
  readonly store: { down: boolean };
  /** The users with voicemail (all of them unless the options say otherwise). */
  readonly voicemail: Set<string>;
  /** Parley's log lines at info level and above, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Errors reported by Parley's transaction and dialog layers (a test expects none). */
  readonly errors: unknown[];
  /** A device of `user` at 127.0.1.<n>:5060, registered (a new binding) unless told not to. */
  device(user: string, options?: { register?: boolean; password?: string }): Device;
  /** Epoch ms now. */
  now(): number;
  run(ms: number, step?: number): Promise<void>;
  until<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
}

export interface MwiHarnessOptions {
  readonly unsolicited?: boolean;
  readonly users?: readonly string[];
  /** The users with voicemail (default: every user); null: Parley is not told (no hasVoicemail). */
  readonly voicemail?: readonly string[] | null;
  /** Subscription limits (subscription-server.ts); the server's defaults when absent. */
  readonly maxSubscriptions?: number;
  readonly maxPerUser?: number;
}

export function createMwiHarness(o: MwiHarnessOptions = {}): MwiHarness {
  const { clock, net } = loop();
  const now = () => EPOCH + clock.now();
  const logs: Array<Record<string, unknown>> = [];
  const errors: unknown[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const names = o.users ?? ["100", "101"];
  const users = new Map(names.map((name) => [name, { auth: computeHa1(name, DOMAIN.realm, name) }]));
  const voicemail = new Set(o.voicemail === undefined ? names : (o.voicemail ?? []));
  const find = (domainId: number, name: string) => (domainId === DOMAIN.id ? users.get(name) : undefined);
  const credentials: CredentialSource = {
    lookup: (domainId, name) => Promise.resolve(find(domainId, name)),
    cached: (domainId, name) => ({ entry: find(domainId, name) }),
    byIp: () => Promise.resolve([]),
    cachedByIp: () => [],
  };
  const endpoint = net.endpoint("parley", PARLEY.address, PARLEY.port);
  const core = new SipCore({ transport: endpoint, logger, serverName: "Parley/test" });
  const transactions = new TransactionLayer({
    transport: endpoint,
    clock,
    user: core,
    onError: (e) => errors.push(e),
  });
  const dialogs = new DialogManager({
    transactions,
    contact: `sip:parley@${PARLEY.address}:${PARLEY.port}`,
    onError: (e) => errors.push(e),
  });
  core.useDialogs(dialogs);
  const bans = new BanList(clock, {
    threshold: 10,
    userThreshold: 1000,
    windowMs: 60_000,
    banMs: 600_000,
    allow: [],
  });
  const authenticator = new Authenticator({ clock, credentials, bans });
  const location = new LocationService(clock, now, undefined);
  const counts = new Map<string, MessageCounts>();
  const store = { down: false };
  const service = createMessageWaiting({
    core,
    dialogs,
    transactions,
    authenticator,
    location,
    domain: DOMAIN,
    host: DOMAIN.realm,
    counts: (_domainId, user) =>
      store.down
        ? Promise.reject(new Error("store down"))
        : Promise.resolve(counts.get(user) ?? { new: 0, old: 0 }),
    ...(o.voicemail === null
      ? {}
      : { hasVoicemail: (_domainId: number, user: string) => Promise.resolve(voicemail.has(user)) }),
    clock,
    now,
    logger,
    ...(o.unsolicited === undefined ? {} : { unsolicited: o.unsolicited }),
    ...(o.maxSubscriptions === undefined ? {} : { maxSubscriptions: o.maxSubscriptions }),
    ...(o.maxPerUser === undefined ? {} : { maxPerUser: o.maxPerUser }),
  });
  let hosts = 0;
  return {
    clock,
    net,
    endpoint,
    service,
    location,
    counts,
    store,
    voicemail,
    logs,
    errors,
    device: (user, options = {}) => {
      const d = new Device(clock, net, user, `127.0.1.${++hosts}`, 5060, endpoint, options.password);
      if (options.register !== false) location.apply(DOMAIN.id, user, [], [d.binding(now())]);
      return d;
    },
    now,
    run: (ms, step) => run(clock, ms, step),
    until: async (promise, maxMs = 5000) => {
      let done = false;
      const mark = () => {
        done = true;
      };
      promise.then(mark, mark);
      for (let t = 0; !done && t < maxMs; t += 10) await run(clock, 10);
      if (!done) throw new Error(`still pending after ${maxMs} ms of virtual time`);
      return promise;
    },
  };
}
