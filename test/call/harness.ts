/**
 * The call engine (the B2BUA) on a loop network and a virtual clock, with its real neighbours: the
 * SIP core, the transaction and dialog layers, the Authenticator with its ban list, the location
 * service. Users live in memory; CDRs are collected; the dial plan, trunks and lines are a small
 * hand-made routing. `createEngineHarness()` is the only place that knows how the engine is
 * built: everything else in the call tests talks SIP through simulated phones (phone.ts).
 */
import { pino } from "pino";
import { Authenticator, type CredentialSource } from "../../src/auth/authenticator.js";
import { BanList } from "../../src/auth/ban-list.js";
import { CallEngine } from "../../src/call/call-engine.js";
import type { CallRouting, InboundOrigin, RoutingDecision } from "../../src/call/call-routing.js";
import type { FeatureCodes } from "../../src/call/stages/route.js";
import { OverloadGate } from "../../src/core/overload-gate.js";
import { SipCore } from "../../src/core/sip-core.js";
import { DialogManager } from "../../src/dialog/dialog-manager.js";
import { LocationService } from "../../src/registrar/location-service.js";
import type { CdrSink } from "../../src/store/cdr-csv-writer.js";
import type { NewCallRecord } from "../../src/store/cdr-model.js";
import { computeHa1, type Ha1Pair } from "../../src/store/digest-ha1.js";
import { defaultSettings, type LocalUser, type UserSettings } from "../../src/store/user-model.js";
import { TransactionLayer } from "../../src/transaction/index.js";
import type { LoopEndpoint, LoopNetwork } from "../../src/transport/loop-transport.js";
import type { VirtualClock } from "../../src/util/clock.js";
import { loop, run } from "../helpers/sip-harness.js";
import { Phone } from "./phone.js";

/** Parley's domain in these tests. */
export const DOMAIN = { id: 1, realm: "pbx.test" } as const;
/** Where Parley listens. */
export const PARLEY = { address: "127.0.0.1", port: 5060 } as const;
/** The wall clock at virtual time 0 (CDR times are this plus the virtual time). */
export const EPOCH = Date.UTC(2025, 0, 1);

/** A local user: its settings over the defaults; the password is its name unless given. */
export type TestUser = Partial<UserSettings> & { readonly name: string; readonly password?: string };

/** What the dial plan does with a number dialed by a local user or a trunk. */
export type TestRoute =
  | { readonly kind: "local-user"; readonly number: string }
  | { readonly kind: "reject"; readonly status: number; readonly reason: string }
  /** An outside number through lines or trunks, tried in order (a sequential fork). */
  | {
      readonly kind: "outbound";
      readonly number: string;
      readonly carriers: readonly TestCarrier[];
      /** Ringing time of the whole call. */
      readonly noAnswerMs: number;
    };

/** A line's provider or a trunk's peer, as an outbound target. */
export interface TestCarrier {
  readonly address: string;
  readonly port: number;
  /** This attempt's own ringing time before the next carrier is tried; 0 = none. */
  readonly noAnswerMs?: number;
  /** Counts the call on the carrier; returns the release (FEATURES.md section 3 limits). */
  readonly acquire?: () => () => void;
}

/** A SIP trunk: a peer trusted by its address; `refuse` answers its calls at identification. */
export interface TestTrunk {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly refuse?: { readonly status: number; readonly reason: string };
}

export interface EngineHarnessOptions {
  /** Default: 100, 101 and 102, password = name. */
  readonly users?: readonly TestUser[];
  /** The system's no-answer time in seconds (default 30). */
  readonly noAnswerTime?: number;
  /** Failed authentications from one address that ban it (default 10). */
  readonly banThreshold?: number;
  /** The dial plan; default: every number is a local user's. */
  readonly dialPlan?: (call: { caller: string; callRight: number; dialed: string }) => TestRoute;
  readonly trunks?: readonly TestTrunk[];
  /** The feature code table analysed before the dial plan (default: none). */
  readonly features?: FeatureCodes;
  /** Whether Parley is overloaded now (the overload gate's input; default: never). */
  readonly overloaded?: () => boolean;
}

export interface PhoneChoices {
  readonly register?: boolean;
  /** Default: the user's password. */
  readonly password?: string;
  readonly address?: string;
}

export interface EngineHarness {
  readonly clock: VirtualClock;
  readonly net: LoopNetwork;
  readonly engine: CallEngine;
  /** Parley's endpoint. */
  readonly endpoint: LoopEndpoint;
  /** Every CDR written, in order. */
  readonly cdrs: NewCallRecord[];
  /** Errors reported by Parley's transaction and dialog layers (a test expects none). */
  readonly errors: unknown[];
  /** Parley's log lines at warn level and above, parsed. */
  readonly warnings: Array<Record<string, unknown>>;
  /**
   * A phone of `user`, registered (a binding of `user`) unless told not to, on its own address
   * unless given one (then on the next port of that address).
   */
  phone(user: string, options?: PhoneChoices): Phone;
  /** A peer at a fixed address (a SIP trunk), never registered. */
  peer(name: string, address: string, port: number): Phone;
  /** The users, as the engine's directory looks them up (for services a test registers). */
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  /** Calls in progress in the engine. */
  activeCalls(): number;
  /** Advance virtual time, letting every promise settle between steps. */
  run(ms: number, step?: number): Promise<void>;
  /** Advance virtual time until `promise` settles (at most `maxMs`), and return its value. */
  until<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
}

function localUser(u: TestUser, id: number): LocalUser {
  const { password: _password, ...settings } = u;
  return {
    ...defaultSettings(u.name),
    ...settings,
    id,
    domainId: DOMAIN.id,
    createdAt: EPOCH,
    updatedAt: EPOCH,
  };
}

/** The users in memory, as the engine's directory and the Authenticator's credential source. */
function directory(users: readonly TestUser[]) {
  const entries = new Map<string, { user: LocalUser; auth: Ha1Pair }>();
  users.forEach((u, i) => {
    entries.set(u.name, {
      user: localUser(u, i + 1),
      auth: computeHa1(u.name, DOMAIN.realm, u.password ?? u.name),
    });
  });
  const find = (domainId: number, name: string) => (domainId === DOMAIN.id ? entries.get(name) : undefined);
  const byIp = (ip: string) =>
    [...entries.values()].filter((e) => e.user.ipAuthorization.includes(ip)).map((e) => e.user);
  const credentials: CredentialSource = {
    lookup: (domainId, name) => Promise.resolve(find(domainId, name)),
    cached: (domainId, name) => ({ entry: find(domainId, name) }),
    byIp: (ip) => Promise.resolve(byIp(ip)),
    cachedByIp: byIp,
  };
  const password = (name: string) => users.find((u) => u.name === name)?.password ?? name;
  return { credentials, find, password };
}

/** The hand-made routing: trunks by address, then the dial plan. */
function routing(o: EngineHarnessOptions, find: ReturnType<typeof directory>["find"]): CallRouting {
  const dialPlan = o.dialPlan ?? (({ dialed }) => ({ kind: "local-user", number: dialed }));
  return {
    identify: async (rx): Promise<InboundOrigin | undefined> => {
      const trunk = o.trunks?.find((t) => t.address === rx.source.address && t.port === rx.source.port);
      if (trunk === undefined) return undefined;
      if (trunk.refuse !== undefined) return { kind: "refuse", ...trunk.refuse };
      return { kind: "trunk", name: trunk.name, dialed: rx.message.uri.user ?? "", release: () => {} };
    },
    decide: async (input): Promise<RoutingDecision> => {
      const callRight = input.user?.callRight ?? find(DOMAIN.id, input.userName)?.user.callRight ?? 0;
      const route = dialPlan({ caller: input.userName, callRight, dialed: input.dialed });
      if (route.kind === "reject") return { kind: "refuse", status: route.status, reason: route.reason };
      if (route.kind === "local-user") return { kind: "local-user", number: route.number };
      return {
        kind: "outbound",
        number: route.number,
        noAnswerMs: route.noAnswerMs,
        maxDurationMs: 0,
        targets: route.carriers.map((c) => ({
          uri: `sip:${route.number}@${c.address}:${c.port}`,
          destination: { protocol: "UDP" as const, address: c.address, port: c.port },
          routes: [],
          outbound: {
            from: `<sip:${input.userName}@${DOMAIN.realm}>`,
            to: `<sip:${route.number}@${c.address}>`,
            no100rel: false,
            noAnswerMs: c.noAnswerMs ?? 0,
            acquire: c.acquire ?? (() => () => {}),
          },
        })),
      };
    },
  };
}

export function createEngineHarness(o: EngineHarnessOptions = {}): EngineHarness {
  const { clock, net } = loop();
  const now = () => EPOCH + clock.now();
  const errors: unknown[] = [];
  const warnings: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line)) });
  const cdrs: NewCallRecord[] = [];
  const users = directory(o.users ?? [{ name: "100" }, { name: "101" }, { name: "102" }]);

  const endpoint = net.endpoint("parley", PARLEY.address, PARLEY.port);
  const overload = new OverloadGate({
    overloaded: o.overloaded ?? (() => false),
    knownDevice: () => false,
    random: () => 0,
  });
  const core = new SipCore({ transport: endpoint, logger, serverName: "Parley/test", overload });
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
    threshold: o.banThreshold ?? 10,
    userThreshold: 1000,
    windowMs: 60_000,
    banMs: 600_000,
    allow: [],
  });
  const authenticator = new Authenticator({ clock, credentials: users.credentials, bans });
  const location = new LocationService(clock, now, undefined);
  const sink: CdrSink = {
    record: (cdr) => {
      cdrs.push(cdr);
      return Promise.resolve(undefined);
    },
  };
  const engine = new CallEngine({
    routing: routing(o, users.find),
    dialogs,
    authenticator,
    users: { lookup: (domainId, name) => Promise.resolve(users.find(domainId, name)) },
    location,
    cdrs: sink,
    domain: DOMAIN,
    clock,
    now,
    allow: () => core.allow,
    response: (request, status, reason) => core.response(request, status, reason),
    logger,
    noAnswerTime: o.noAnswerTime ?? 30,
    ...(o.features === undefined ? {} : { features: o.features }),
  });
  core.handle("INVITE", engine.handle);
  core.handle("REFER", engine.handleRefer);

  let hosts = 0;
  const ports = new Map<string, number>();
  const phone = (user: string, options: PhoneChoices = {}): Phone => {
    const address = options.address ?? `127.0.1.${++hosts}`;
    const port = (ports.get(address) ?? 5059) + 1;
    ports.set(address, port);
    const p = new Phone(clock, net, {
      user,
      password: options.password ?? users.password(user),
      address,
      port,
      parley: endpoint,
      domain: DOMAIN.realm,
    });
    if (options.register !== false) {
      // What the registrar stores for a REGISTER from this phone (RFC 3261 10.3).
      location.apply(DOMAIN.id, user, [], [p.binding(DOMAIN.id, now())]);
    }
    return p;
  };
  const peer = (name: string, address: string, port: number): Phone =>
    new Phone(clock, net, {
      user: name,
      password: undefined,
      address,
      port,
      parley: endpoint,
      domain: DOMAIN.realm,
    });

  return {
    clock,
    net,
    engine,
    endpoint,
    cdrs,
    errors,
    warnings,
    phone,
    peer,
    users: { lookup: (domainId, name) => Promise.resolve(users.find(domainId, name)) },
    activeCalls: () => engine.size,
    run: (ms, step) => run(clock, ms, step),
    until: async (promise, maxMs = 5000) => {
      let done = false;
      promise.then(
        () => {
          done = true;
        },
        () => {
          done = true;
        },
      );
      for (let t = 0; !done && t < maxMs; t += 10) await run(clock, 10);
      if (!done) throw new Error(`still pending after ${maxMs} ms of virtual time`);
      return promise;
    },
  };
}
