/**
 * The composition root: builds every layer from the settings and wires them together, nothing
 * else (ARCHITECTURE.md).
 */

import { mkdirSync } from "node:fs";
import { type AdminHttps, listenAdminHttps, SipWebSocketPath, warnPlainHttp } from "./admin-https.js";
import { LiveEvents } from "./api/admin/live-events.js";
import { SessionStore } from "./api/admin/sessions.js";
import { createApi } from "./api/index.js";
import { Authenticator } from "./auth/authenticator.js";
import type { BanList } from "./auth/ban-list.js";
import { CredentialDirectory } from "./auth/credential-directory.js";
import { CallEngine } from "./call/call-engine.js";
import { CALL_EVENT_NAMES } from "./call/call-events.js";
import { recordingMedia } from "./call/call-recording.js";
import { MediaPlane } from "./call/media-plane.js";
import { MessageRelay } from "./call/message-relay.js";
import { Originator } from "./call/originate.js";
import type { Settings } from "./config/settings.js";
import { contactHost } from "./contact-host.js";
import { optionsHandler } from "./core/options-handler.js";
import { SipCore } from "./core/sip-core.js";
import { DialogManager } from "./dialog/dialog-manager.js";
import { loadLiveSettings, type SettingSourceMap, wireLiveSettings } from "./live-settings-wiring.js";
import { mediaAddresses } from "./media-address.js";
import { serverMetrics } from "./metrics/server-metrics.js";
import { overloadControl } from "./overload-control.js";
import { createEventServer } from "./presence/event-server.js";
import { LocationService } from "./registrar/location-service.js";
import { NatKeepalive } from "./registrar/nat-keepalive.js";
import { RegisterHandler } from "./registrar/register-handler.js";
import { StaticContacts, staticContactUsers } from "./registrar/static-contacts.js";
import { registrationsView } from "./registrations-view.js";
import { FeatureCodeTable } from "./services/feature-codes.js";
import { musicOnHold } from "./services/music-on-hold/music-on-hold.js";
import { parkLamps } from "./services/park/park-lamps.js";
import { registerServices } from "./services/services.js";
import { sourceProtection, transportLimits } from "./source-protection.js";
import { listenersFor, portsNeeded } from "./startup-ports.js";
import { startupSecrets } from "./startup-secrets.js";
import { EmergencyNumberRepository } from "./store/emergency-repository.js";
import {
  CdrCsvWriter,
  CdrRecorder,
  type CdrSink,
  CdrSpool,
  type Store,
  storeFromUrl,
} from "./store/index.js";
import { UserDirectory } from "./store/user-directory.js";
import { TransactionLayer } from "./transaction/transaction-layer.js";
import { probePorts } from "./transport/port-probe.js";
import { SipTransportLayer } from "./transport/transport-layer.js";
import type { TransportProtocol } from "./transport/types.js";
import { PeerAddresses } from "./trunks/peer-addresses.js";
import { createTrunkServices } from "./trunks/trunk-services.js";
import { type Clock, systemClock } from "./util/clock.js";
import type { Logger } from "./util/logger.js";
import { traceSip } from "./util/sip-trace.js";
import { version } from "./version.js";

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
  const domain = await store.domains.getDefault();
  const live = await loadLiveSettings(settings, store.systemSettings, domain.id, deps.sources);
  settings = live.view; // the run-time settings (out-group prefix, no-answer time, ...) read live
  const emergency = new EmergencyNumberRepository(store.db);
  const added = await emergency.seedLanguageDefaults(domain.id, settings.language);
  if (added.length > 0) logger.info({ numbers: added }, "emergency numbers of the prompt language added");
  const users = new UserDirectory(store.users);
  const cdrs = new CdrRecorder(
    store.cdrs,
    logger,
    settings.cdrCsvDir === undefined ? undefined : new CdrCsvWriter(settings.cdrCsvDir, logger),
    new CdrSpool(settings.dataDir),
  );

  // Transport, core, transactions.
  let core: SipCore | undefined;
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
    onBadMessage: (ctx) => core?.onBadMessage(ctx),
    ...limits,
    onEvent: (event) => {
      limits.onEvent?.(event);
      // RFC 7118 5: a browser whose WebSocket closed cannot be reached any other way.
      if (event.kind === "connection-close" && (event.protocol === "WS" || event.protocol === "WSS"))
        location.removeFlow(event.flowId);
    },
  });
  // SIP over WebSocket on the web servers' /sip path (issue 20): the web phone's connection.
  const sipPath = new SipWebSocketPath(transport);
  const overload = overloadControl(
    settings.overloadLag,
    settings.overloadBusy,
    () => transport.takeBacklog(),
    domain.id,
    () => location,
    logger,
  );
  core = new SipCore({ transport, logger, serverName: `Parley/${version}`, overload: overload.gate });
  const sipCore = core;
  const transactions = new TransactionLayer({
    transport,
    clock,
    timers: { t1: settings.timerT1, t2: settings.timerT2, t4: settings.timerT4 },
    user: core,
    onError: (err) => logger.error({ err }, "transaction layer error"),
  });

  // Security: the IP lists, per-source rate limits, failed-authentication bans.
  const { bans, ipLists, ...protection } = sourceProtection({
    settings,
    clock,
    wallNow,
    logger,
    store,
    domainId: domain.id,
    setSourceFilter: (rejects) => transport.setSourceFilter(rejects),
  });
  // Dial plan, external lines and SIP trunks (issue 5).
  const trunks = createTrunkServices({
    store,
    domainId: domain.id,
    sender: transactions,
    clock,
    logger,
    contactHost: contactHost(settings),
    sipPort: settings.sipPort,
    settings,
    lineFreshCallId: settings.lineFreshCallId,
    onChange: () => liveEvents.notify(),
    gatewayBindings: (account) => location.lookup(domain.id, account),
    // Issue 23: a line or trunk pointing at one of these is refused.
    listeners: () => transport.listening,
  });
  const carriers = new PeerAddresses(
    () => trunks.routing.cachedSnapshot,
    () => clock.now(),
  );
  protection.exemptCarriers((address) => carriers.has(address));
  // REGISTER and call credentials: local users, and the accounts of type 1 lines (FXO gateways).
  const credentials = new CredentialDirectory({
    users,
    realm: domain.realm,
    cachedLines: () => trunks.routing.cachedSnapshot?.lines,
    loadLines: async () => (await trunks.routing.snapshot()).lines,
  });
  const authenticator = new Authenticator({
    clock,
    credentials,
    bans,
    algorithms: settings.digestAlgorithms,
    onFailure: (info) => logger.info(info, "authentication failed"),
  });

  // The admin UI's live view: the registrar and the call engine signal changes here.
  const liveEvents = new LiveEvents();
  // Presence subscribers of a user that went online or offline (set once presence is built).
  let userChanged: (domainId: number, user: string) => void = () => {};

  // Registrar.
  const location = new LocationService(clock, wallNow, store.bindings, {
    onAvailability: (domainId, user, online) => {
      logger.info({ domainId, user, state: online ? "online" : "offline" }, "user state");
      liveEvents.notify();
      userChanged(domainId, user);
    },
    onPersistError: (err) => logger.error({ err }, "could not write a registration to the store"),
  });
  const registrar = new RegisterHandler({
    location,
    authenticator,
    users: credentials,
    domainFor: () => domain,
    respond: (request, status, reason, headers) => sipCore.response(request, status, reason, headers),
    now: wallNow,
    logger,
    minExpires: settings.minExpires,
    maxExpires: settings.maxExpires,
    defaultExpires: settings.defaultExpires,
  });
  // OPTIONS keep-alives to the bindings registered from behind NAT (issue 6).
  const keepalive = new NatKeepalive({
    intervalMs: settings.natKeepalive * 1000,
    clock,
    bindings: () => location.all(),
    send: (request, destination) => transport.sendRequest(request, destination),
    host: contactHost(settings),
    onError: (err) => logger.debug({ err }, "NAT keep-alive not sent"),
  });
  // Devices that never REGISTER: their static contact, probed with OPTIONS, stands for a binding.
  const staticContacts = new StaticContacts({
    users: () => staticContactUsers(store.users, domain.id),
    location,
    transactions,
    intervalSeconds: settings.staticContactInterval,
    clock,
    now: wallNow,
    host: contactHost(settings),
    logger,
  });
  store.users.onChange((domainId, name) => staticContacts.changed(domainId, name));

  // Dialogs and calls (the B2BUA, issue 4).
  const dialogs = new DialogManager({
    transactions,
    contact: `sip:parley@${contactHost(settings)}:${settings.sipPort}`,
    onError: (err) => logger.error({ err }, "dialog layer error"),
  });
  core.useDialogs(dialogs);
  // Media relay and STUN (issue 6).
  const media = new MediaPlane({
    rtpPorts: settings.rtpPorts,
    mode: () => settings.mediaRelay,
    // Issue 23: each leg's own local address unless --media-address (warned when not this host's).
    ...mediaAddresses(settings, contactHost(settings), logger),
    workers: settings.mediaWorkers,
    timeoutSeconds: settings.mediaTimeout,
    relatchAfterMs: settings.relayRelatchSilence,
    stun: { addresses: settings.bind, port: settings.stunPort },
    logger,
    dataDir: settings.dataDir,
    language: settings.language,
    tonePlan: settings.tonePlan,
  });
  // Feature codes, analysed before the dial plan; the services add theirs (issue 14 on).
  const features = new FeatureCodeTable();
  const calls = new CallEngine({
    routing: trunks.callRouting,
    dialogs,
    authenticator,
    users,
    location,
    cdrs,
    domain,
    clock,
    now: wallNow,
    allow: () => sipCore.allow,
    response: (request, status, reason) => sipCore.response(request, status, reason),
    logger,
    addressing: transport,
    noAnswerTime: () => settings.noAnswerTime,
    // Call recording (a service, registered below) decides before the relay whether to anchor.
    media: media.relay && recordingMedia(media.relay, (id, r) => services.recording.prepare(id, r), logger),
    features,
    holdMusic: musicOnHold(users, media.server),
  });
  // Click-to-call (issue 18): calls Parley places itself, listed and hung up beside the engine's.
  const originate = { dialogs, clock, cdrs, logger, now: wallNow, allow: () => sipCore.allow };
  const originator = new Originator({ ...originate, engine: calls, host: contactHost(settings) });
  // The call services (issue 15 on), at the detection points and in the feature code table.
  const services = registerServices({
    points: calls.points,
    features,
    media: media.server,
    store,
    users,
    domainId: domain.id,
    settings,
    logger,
    talking: (domainId, user) => calls.userState(domainId, user) === "talking",
    waitingTone: (domainId, user) => calls.waitingTone(domainId, user),
    ringing: (domainId, user) => calls.isCalledNow(domainId, user),
    calls: calls.control,
    originate: (request) => originator.originate(request),
    onCallsChange: () => liveEvents.notify(),
    onConfigChange: () => liveEvents.notify("config"),
  });
  wireLiveSettings({ live, media, cdrs, services, store, domainId: domain.id, trunks, logger });
  // SIP events: message-waiting indication (RFC 3842; NOTIFY to every device of a user whose
  // mailbox changed or that registers anew), presence (RFC 3856, PUBLISH RFC 3903) and busy lamps
  // (RFC 4235), the operator's resource list (RFC 4662).
  const { presence, messageWaiting } = createEventServer({
    core,
    dialogs,
    transactions,
    authenticator,
    location,
    domain,
    host: contactHost(settings),
    lookup: (domainId, name) => users.lookup(domainId, name),
    calls: calls.control,
    userState: (domainId, user) => calls.userState(domainId, user),
    ...parkLamps(features, services.parking),
    listUsers: async (domainId) => (await store.users.list({ domainId, limit: 1000 })).items,
    counts: (domainId, user) => services.voicemail.mailboxes.counts(domainId, user),
    hasVoicemail: async (domainId, user) => {
      const entry = (await users.lookup(domainId, user))?.user;
      return entry !== undefined && (entry.voicemailOnUnreachableOrNoAnswer || entry.voicemailOnBusy);
    },
    maxSubscriptions: settings.maxSubscriptions,
    maxPerUser: settings.maxSubscriptionsPerUser,
    // A PUBLISH changes what the dashboard shows (calls and registrations notify it already).
    onPresenceChange: () => liveEvents.notify(),
    clock,
    logger,
  });
  userChanged = presence.userChanged;
  // A user's settings changed (do-not-disturb by phone, API or CLI): its presence may have too.
  store.users.onChange((domainId, name) => presence.userChanged(domainId, name));
  services.parking.onSlotChange((domainId, slot) => presence.parkChanged(domainId, slot));
  services.voicemail.mailboxes.onChange((domainId, mailbox) => {
    messageWaiting.changed(domainId, mailbox);
  });
  // The admin UI's live view follows every typed call event.
  for (const name of CALL_EVENT_NAMES)
    calls.on(name, (event) => {
      liveEvents.notify();
      presence.callEvent(event);
    });

  core.handle("OPTIONS", optionsHandler(core));
  core.handle("REGISTER", registrar.handle);
  core.handle("INVITE", calls.handle);
  core.handle("REFER", calls.handleRefer);
  core.handle(
    "MESSAGE",
    new MessageRelay({
      transactions,
      authenticator,
      users,
      location,
      domain,
      logger,
      response: (request, status, reason, headers) => sipCore.response(request, status, reason, headers),
    }).handle,
  );

  // Admin REST API.
  const startedAt = wallNow();
  let http: { address: string; port: number } | undefined;
  let https: AdminHttps | undefined;
  const api =
    settings.httpPort === 0
      ? undefined
      : await (async () => {
          const { token, admin } = await startupSecrets(settings, logger);
          return createApi({
            store,
            admin: {
              password: admin.admin,
              sessions: new SessionStore({ idleTtlMs: settings.sessionTtl * 1000, now: wallNow }),
            },
            events: liveEvents,
            settings: () => ({ ...settings }),
            systemSettings: live,
            accessLog: settings.httpAccessLog,
            registrations: registrationsView(location),
            userState: (domainId, name) => calls.userState(domainId, name),
            bans,
            calls: originator,
            originate: originator,
            routing: trunks.live,
            prompts: media.server.prompts,
            voicemail: services.voicemail,
            featureCodes: services.featureCodes,
            lists: { calls: services.callLists, ip: ipLists },
            huntGroups: services.huntGroups,
            autoAttendantGreetings: services.greetings,
            scripts: services.scripts.files,
            callingCards: true,
            parked: services.parking,
            presence,
            recordingsDir: services.recording.root,
            conferences: services.conferences.live,
            subscriptions: messageWaiting,
            token: token.token,
            metrics: {
              metrics: serverMetrics({ transport, transactions, location, bans, calls, media, cdrs }),
              token: settings.metricsToken,
            },
            logger,
            toEpochMs: (clockMs) => wallNow() + clockMs - clock.now(),
            readiness: () => [{ name: "sip", ok: transport.listening.length > 0 }],
            status: {
              status: () => ({
                version,
                startedAt,
                listeners: [...transport.listening, ...(http ? [{ protocol: "HTTP", ...http }] : [])],
                counts: {
                  registrations: location.size,
                  activeCalls: originator.list().length,
                  bans: bans.list().length,
                  sipRequests: sipCore.stats.requests,
                  malformedMessages: sipCore.stats.badMessages,
                },
              }),
            },
          });
        })();

  return {
    core,
    store,
    location,
    bans,
    users,
    cdrs,
    calls,
    get listening() {
      return transport.listening;
    },
    get http() {
      return http;
    },
    async start() {
      await location.start();
      await ipLists.load();
      await transport.start();
      await media.start();
      keepalive.start();
      staticContacts.start();
      await trunks.start();
      overload.monitor.start();
      await services.start();
      if (api) {
        api.server.on("upgrade", sipPath.listener(false));
        await api.listen({ port: settings.httpPort, host: settings.httpBind });
        if (settings.httpsPort > 0) https = await listenAdminHttps(api, settings, sipPath.listener(true));
        warnPlainHttp(settings, logger);
        const addr = api.server.address();
        if (addr && typeof addr === "object") http = { address: addr.address, port: addr.port };
      }
    },
    async stop() {
      // Writes the refreshes still held back (location-service.ts) before the store closes.
      calls.closeAll();
      originator.closeAll();
      messageWaiting.close();
      trunks.stop();
      await services.stop();
      keepalive.stop();
      overload.monitor.stop();
      staticContacts.stop();
      await media.stop();
      await location.stop();
      sipPath.closeAll();
      await https?.close();
      await api?.close();
      await transport.stop();
      dialogs.close();
      await cdrs.flush();
      cdrs.close();
      await store.close();
    },
  };
}
