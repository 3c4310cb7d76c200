/**
 * Lines and trunks as one unit for the composition root: the routing service over the stored dial
 * plan (with the lines' and trunks' live state), the live counts, the lines' registrations and the
 * call engine's routing, plus the views the API shows (live state, the dry run's service).
 */
import type { LiveBinding } from "../registrar/location-service.js";
import { RoutingService } from "../routing/routing-service.js";
import type { Store } from "../store/index.js";
import type { OwnListener } from "../store/self-reference.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { TrunkCallRouting } from "./call-routing.js";
import { CarrierState } from "./carrier-state.js";
import { LineManager } from "./line-manager.js";
import type { RequestSender } from "./line-registration.js";
import { OutgoingLegs } from "./outgoing-legs.js";
import { TrunkMonitor } from "./trunk-monitor.js";

export interface TrunkServicesOptions {
  readonly store: Store;
  readonly domainId: number;
  readonly sender: RequestSender;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Parley's address as providers and peers reach it. */
  readonly contactHost: string;
  readonly sipPort: number;
  /** Read at each call, never copied: both may change at run time (config/live-settings.ts). */
  readonly settings: { readonly outGroupPrefix: string; readonly noAnswerTime: number };
  readonly lineFreshCallId: boolean;
  /** Called when a line's state or the tables change (the live events stream). */
  readonly onChange?: () => void;
  /** Live registrations of a type 1 line's gateway (the location service). */
  readonly gatewayBindings: (account: string) => readonly LiveBinding[];
  /** Parley's SIP listeners (the transport's): a line or trunk may not point at one (issue 23). */
  readonly listeners?: () => readonly OwnListener[];
}

/** How often each SIP trunk's peer is asked OPTIONS (its live state). */
const TRUNK_CHECK_MS = 30_000;
/** How often the stored lines are compared with the registrations running. */
const LINE_RESYNC_MS = 10_000;

export function createTrunkServices(o: TrunkServicesOptions) {
  let resyncTimer: TimerHandle | undefined;
  const carriers = new CarrierState((account) => o.gatewayBindings(account).length > 0);
  const load = () => o.store.routing.snapshot(o.domainId);
  const routing = new RoutingService({
    load,
    user: (name) => o.store.users.get(o.domainId, name),
    get outGroupPrefix() {
      return o.settings.outGroupPrefix;
    },
    checkLine: (line) => carriers.lineCheck(line),
    checkTrunk: (trunk) => carriers.trunkCheck(trunk),
  });
  const lines = new LineManager({
    load: async () => (await load()).lines,
    sender: o.sender,
    clock: o.clock,
    logger: o.logger,
    carriers,
    contactHostPort: `${o.contactHost}:${o.sipPort}`,
    freshCallIdOnAuth: o.lineFreshCallId,
    onState: () => o.onChange?.(),
  });
  const trunks = new TrunkMonitor({
    load: async () => (await routing.snapshot()).trunks,
    sender: o.sender,
    clock: o.clock,
    logger: o.logger,
    localHost: o.contactHost,
    intervalMs: TRUNK_CHECK_MS,
    onChange: () => o.onChange?.(),
  });
  const changed = () => {
    routing.invalidate();
    trunks.run();
    void routing.snapshot().then(
      () => o.onChange?.(),
      () => {},
    );
    lines
      .sync()
      .then(undefined, (error: unknown) => o.logger.error({ err: error }, "external lines: sync failed"));
  };
  const callRouting = new TrunkCallRouting({
    routing,
    legs: new OutgoingLegs({
      carriers,
      get noAnswerTime() {
        return o.settings.noAnswerTime;
      },
      localHost: o.contactHost,
      gatewayBindings: o.gatewayBindings,
    }),
    carriers,
    logger: o.logger,
    get noAnswerTime() {
      return o.settings.noAnswerTime;
    },
  });
  const lineState = (account: string): "online" | "offline" => {
    const line = routing.cachedSnapshot?.lines.find((l) => l.account === account);
    return line === undefined ? "offline" : carriers.lineState(line);
  };
  return {
    routing,
    carriers,
    callRouting,
    /** The API's view (src/api/routes/routing.ts RoutingLive). */
    live: {
      service: routing,
      lineState,
      lineCalls: (account: string) => {
        const c = carriers.calls("line", account);
        return c.incoming + c.outgoing;
      },
      trunkCalls: (trunkId: string) => carriers.calls("trunk", trunkId),
      trunkState: (trunkId: string) => trunks.state(trunkId),
      changed,
      ...(o.listeners === undefined ? {} : { listeners: o.listeners }),
    },
    async start(): Promise<void> {
      await routing.snapshot();
      await lines.sync();
      trunks.start();
      // Lines changed outside this process (the CLI on the same database) are picked up too.
      const resync = () => {
        lines
          .sync()
          .then(undefined, (error: unknown) => o.logger.error({ err: error }, "external lines: sync failed"));
        resyncTimer = o.clock.setTimer(LINE_RESYNC_MS, resync);
      };
      resyncTimer = o.clock.setTimer(LINE_RESYNC_MS, resync);
    },
    stop(): void {
      resyncTimer?.cancel();
      trunks.stop();
      lines.stop();
    },
  };
}
