/**
 * The composition root: builds every layer from the settings and wires them together, nothing
 * else (ARCHITECTURE.md). The process's parts — store, CDR sink, shared SIP ports, media workers,
 * web server — are built here; each tenant's PBX, the default one first, by tenancy/ (issue 21).
 */

import { mkdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AdminHttps, listenAdminHttps, SipWebSocketPath, warnPlainHttp } from "./admin-https.js";
import { createApi } from "./api/index.js";
import type { BanList } from "./auth/ban-list.js";
import type { CallEngine } from "./call/call-engine.js";
import { MediaPlane } from "./call/media-plane.js";
import type { Settings } from "./config/settings.js";
import type { SipCore } from "./core/sip-core.js";
import type { SettingSourceMap } from "./live-settings-wiring.js";
import { mediaPlaneOptions } from "./media-plane-options.js";
import { serverMetrics } from "./metrics/server-metrics.js";
import { overloadControl } from "./overload-control.js";
import type { LocationService } from "./registrar/location-service.js";
import { transportLimits } from "./source-protection.js";
import { listenersFor, portsNeeded } from "./startup-ports.js";
import { startupSecrets } from "./startup-secrets.js";
import {
  CdrCsvWriter,
  CdrRecorder,
  type CdrSink,
  CdrSpool,
  type Store,
  storeFromUrl,
} from "./store/index.js";
import type { UserDirectory } from "./store/user-directory.js";
import { liveEventsOf, tenantApiDeps } from "./tenancy/tenant-api-deps.js";
import { TenantHttp } from "./tenancy/tenant-http.js";
import { TenantManager } from "./tenancy/tenant-manager.js";
import { type RoutedTenant, TenantRouter } from "./tenancy/tenant-router.js";
import { createTenantRuntime, type SharedParts, type TenantRuntime } from "./tenancy/tenant-runtime.js";
import { tenantsView } from "./tenancy/tenants-view.js";
import { probePorts } from "./transport/port-probe.js";
import { SipTransportLayer } from "./transport/transport-layer.js";
import type { TransportProtocol } from "./transport/types.js";
import { type Clock, systemClock } from "./util/clock.js";
import type { Logger } from "./util/logger.js";
import { traceSip } from "./util/sip-trace.js";

export interface ParleyServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly listening: ReadonlyArray<{ protocol: TransportProtocol; address: string; port: number }>;
  readonly core: SipCore;
  readonly store: Store;
  readonly location: LocationService;
  readonly bans: BanList;
  readonly users: UserDirectory;
  /** Where a finished call's record goes: the store, and the daily CSV file when `cdrCsvDir` is set. */
  readonly cdrs: CdrSink;
  /** The calls in progress (the B2BUA call engine). */
  readonly calls: CallEngine;
  /** The HTTP (REST API) address once started, if enabled. */
  readonly http: { address: string; port: number } | undefined;
  /** The other tenants' PBXs (issue 21). */
  readonly tenants: TenantManager;
}

export interface ServerDeps {
  logger: Logger;
  clock?: Clock;
  sources?: SettingSourceMap;
}

export async function createServer(settings: Settings, deps: ServerDeps): Promise<ParleyServer> {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  const wallNow = () => Date.now();
  // Ports first: one in use stops the start before anything is written (issue 23).
  await probePorts(portsNeeded(settings));
  mkdirSync(settings.dataDir, { recursive: true });

  // Store: configuration and persistent registrations.
  const store = await storeFromUrl(settings.databaseUrl, settings.dataDir);
  const applied = await store.migrate();
  if (applied.length) logger.info({ migrations: applied, store: store.kind }, "database migrated");
  if (await store.seedDefaults()) {
    logger.warn(
      { users: ["100", "101", "102"] },
      "created default users 100, 101 and 102 with passwords equal to their names, accepted only from private and loopback addresses until changed: change them before exposing this server",
    );
  }
  const defaultDomain = await store.domains.getDefault();
  const cdrs = new CdrRecorder(
    store.cdrs,
    logger,
    settings.cdrCsvDir === undefined ? undefined : new CdrCsvWriter(settings.cdrCsvDir, logger),
    new CdrSpool(settings.dataDir),
  );

  // The shared SIP ports: every tenant's requests arrive here too, told apart by domain (issue 21).
  let main: TenantRuntime | undefined;
  let manager: TenantManager | undefined;
  const runtimes = (): TenantRuntime[] => [
    ...(main ? [main] : []),
    ...(manager?.list().map((t) => t.runtime) ?? []),
  ];
  const limits = transportLimits(settings, logger);
  const transport = new SipTransportLayer({
    listeners: listenersFor(settings),
    advertisedAddress: settings.advertisedAddress,
    maxMessageSize: settings.maxMessageSize,
    idleTimeoutMs: settings.tcpIdleTimeout,
    dataDir: settings.dataDir,
    tls:
      settings.tlsCert && settings.tlsKey
        ? { certFile: settings.tlsCert, keyFile: settings.tlsKey }
        : undefined,
    clock,
    onTrace: settings.sipTrace ? (event) => traceSip(logger, event) : undefined,
    onBadMessage: (ctx) => main?.core.onBadMessage(ctx),
    ...limits,
    onEvent: (event) => {
      limits.onEvent?.(event);
      // RFC 7118 5: a browser whose WebSocket closed cannot be reached any other way.
      if (event.kind === "connection-close" && (event.protocol === "WS" || event.protocol === "WSS"))
        for (const r of runtimes()) r.location.removeFlow(event.flowId);
    },
  });
  // SIP over WebSocket on the web servers' /sip path (issue 20): the web phone's connection.
  const sipPath = new SipWebSocketPath(transport);
  const overload = overloadControl(
    settings.overloadLag,
    settings.overloadBusy,
    () => transport.takeBacklog(),
    defaultDomain.id,
    () => main!.location,
    logger,
  );
  // The media workers and the STUN server are the process's; each tenant has its prompts and relay.
  // settings is read again at each call: it becomes the default tenant's live view below.
  const media = new MediaPlane({ ...mediaPlaneOptions(settings, logger), mode: () => settings.mediaRelay });
  const shared: SharedParts = {
    store,
    cdrs,
    transport,
    media: media.engine,
    overloaded: () => overload.monitor.overloaded,
    clock,
    ...(deps.sources === undefined ? {} : { sources: deps.sources }),
  };
  // Logs carry the tenant (issue 21): the default one's too.
  const mainLogger = logger.child({ tenant: defaultDomain.name });
  main = await createTenantRuntime(shared, defaultDomain, settings, undefined, mainLogger, true);
  const defaultRuntime = main;
  settings = defaultRuntime.settings; // the run-time settings (out-group prefix, no-answer time, ...) read live
  const router = new TenantRouter<RoutedTenant>(() => routedDefault);
  const routedDefault: RoutedTenant = {
    name: defaultDomain.name,
    sipDomain: undefined,
    holdsTransaction: () => true,
    holdsDialog: () => true,
    ownsPeer: () => false,
    deliver: (rx) => defaultRuntime.transport.deliver(rx),
  };
  transport.onMessage((rx) => router.route(rx).deliver(rx));
  const tenants = new TenantManager({
    shared,
    settings,
    router,
    logger,
    retentionDays: settings.tenantCdrRetention,
    onChange: () => mainEvents.notify("config"),
  });
  manager = tenants;
  const mainEvents = liveEventsOf(defaultRuntime);

  // Admin REST API: the provider's (the default tenant's, with the tenants routes), and each
  // tenant's, built at its first request (tenant-http.ts).
  const startedAt = wallNow();
  let http: { address: string; port: number } | undefined;
  let https: AdminHttps | undefined;
  const listeners = () => [...transport.listening, ...(http ? [{ protocol: "HTTP", ...http }] : [])];
  let dispatchHttps: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  let stopTenantApis: () => Promise<void> = async () => {};
  const api =
    settings.httpPort === 0
      ? undefined
      : await (async () => {
          const { token, admin } = await startupSecrets(settings, logger);
          const base = tenantApiDeps(
            {
              runtime: defaultRuntime,
              settings,
              clock,
              startedAt,
              token: token.token,
              admin: admin.admin,
              listeners,
            },
            mainEvents,
          );
          const tenantHttp = new TenantHttp({
            tenants,
            settings,
            clock,
            startedAt,
            provider: { token: token.token, sessions: base.admin?.sessions },
          });
          return createApi({
            ...base,
            tenants: tenantsView(tenants, store),
            dispatch: (req, res) => tenantHttp.dispatch(req, res),
            metrics: {
              metrics: serverMetrics({
                transport,
                transactions: defaultRuntime.transactions,
                location: defaultRuntime.location,
                bans: defaultRuntime.bans,
                calls: defaultRuntime.calls,
                media,
                cdrs,
                tenants: () => [defaultRuntime, ...tenants.list().map((t) => t.runtime)],
              }),
              token: settings.metricsToken,
            },
            readiness: () => [{ name: "sip", ok: transport.listening.length > 0 }],
          }).then((app) => {
            dispatchHttps = (req, res) => tenantHttp.dispatch(req, res);
            stopTenantApis = () => tenantHttp.close();
            return app;
          });
        })();

  return {
    core: defaultRuntime.core,
    store,
    location: defaultRuntime.location,
    bans: defaultRuntime.bans,
    users: defaultRuntime.users,
    cdrs,
    calls: defaultRuntime.calls,
    tenants,
    get listening() {
      return transport.listening;
    },
    get http() {
      return http;
    },
    async start() {
      await defaultRuntime.load();
      await transport.start();
      await media.start();
      await defaultRuntime.start();
      overload.monitor.start();
      await tenants.startAll();
      if (api) {
        api.server.on("upgrade", sipPath.listener(false));
        await api.listen({ port: settings.httpPort, host: settings.httpBind });
        if (settings.httpsPort > 0)
          https = await listenAdminHttps(api, settings, sipPath.listener(true), dispatchHttps);
        warnPlainHttp(settings, logger);
        const addr = api.server.address();
        if (addr && typeof addr === "object") http = { address: addr.address, port: addr.port };
      }
    },
    async stop() {
      await tenants.stopAll();
      await defaultRuntime.stop();
      overload.monitor.stop();
      await media.stop();
      sipPath.closeAll();
      await stopTenantApis();
      await https?.close();
      await api?.close();
      await transport.stop();
      await cdrs.flush();
      cdrs.close();
      await store.close();
    },
  };
}
