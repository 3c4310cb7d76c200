/**
 * One tenant's PBX (issue 21, a "virtual SIP server"): the SIP side of what the composition root
 * used to build once — transactions, registrar, dial plan, lines and trunks, calls, services,
 * presence — bound to exactly one domain. It shares the process's store, CDR sink, shared SIP
 * ports and media workers; it owns its own ports when the tenant has them. Nothing in it can
 * name another tenant's domain: isolation comes from construction, not from checks.
 */
import { Authenticator } from "../auth/authenticator.js";
import { CredentialDirectory } from "../auth/credential-directory.js";
import { CallEngine } from "../call/call-engine.js";
import { CALL_EVENT_NAMES } from "../call/call-events.js";
import { recordingMedia } from "../call/call-recording.js";
import { MediaPlane } from "../call/media-plane.js";
import { MessageRelay } from "../call/message-relay.js";
import { Originator } from "../call/originate.js";
import { PROVIDER_ONLY_KEYS } from "../config/live-settings.js";
import type { Settings } from "../config/settings.js";
import { contactHost } from "../contact-host.js";
import { optionsHandler } from "../core/options-handler.js";
import { OverloadGate } from "../core/overload-gate.js";
import { SipCore } from "../core/sip-core.js";
import { DialogManager } from "../dialog/dialog-manager.js";
import { loadLiveSettings, type SettingSourceMap, wireLiveSettings } from "../live-settings-wiring.js";
import type { MediaEngine } from "../media/media-engine.js";
import { mediaPlaneOptions } from "../media-plane-options.js";
import { createEventServer } from "../presence/event-server.js";
import { LocationService } from "../registrar/location-service.js";
import { NatKeepalive } from "../registrar/nat-keepalive.js";
import { RegisterHandler } from "../registrar/register-handler.js";
import { StaticContacts, staticContactUsers } from "../registrar/static-contacts.js";
import { FeatureCodeTable } from "../services/feature-codes.js";
import { musicOnHold } from "../services/music-on-hold/music-on-hold.js";
import { parkLamps } from "../services/park/park-lamps.js";
import { registerServices } from "../services/services.js";
import { sourceProtection } from "../source-protection.js";
import type { Domain } from "../store/domain-repository.js";
import { EmergencyNumberRepository } from "../store/emergency-repository.js";
import type { CdrRecorder, Store } from "../store/index.js";
import { UserDirectory } from "../store/user-directory.js";
import { TransactionLayer } from "../transaction/transaction-layer.js";
import type { SipTransportLayer } from "../transport/transport-layer.js";
import { PeerAddresses } from "../trunks/peer-addresses.js";
import { createTrunkServices } from "../trunks/trunk-services.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { version } from "../version.js";
import { admission } from "./tenant-admission.js";
import { domainBindings } from "./tenant-bindings.js";
import { isTenantPeer } from "./tenant-peers.js";
import { TenantTransport } from "./tenant-transport.js";

/** What every tenant's PBX shares with the others (the process's parts). */
export interface SharedParts {
  readonly store: Store;
  readonly cdrs: CdrRecorder;
  /** The shared SIP ports: every tenant is reachable there by its domain. */
  readonly transport: SipTransportLayer;
  readonly media: MediaEngine;
  readonly overloaded: () => boolean;
  readonly clock: Clock;
  readonly sources?: SettingSourceMap;
}

export type TenantRuntime = Awaited<ReturnType<typeof createTenantRuntime>>;

/**
 * Builds a tenant's PBX. `settings` are the process's, with the tenant's data directory and SIP
 * port put in (tenant-settings.ts); `own` is its own ports' transport, if it has any.
 */
export async function createTenantRuntime(
  shared: SharedParts,
  initial: Domain,
  base: Settings,
  own: SipTransportLayer | undefined,
  logger: Logger,
  /** The default tenant's IP lists and bans also guard the shared ports. */
  filtersShared: boolean,
) {
  const { store, clock, cdrs } = shared;
  const wallNow = () => Date.now();
  let domain = initial;
  // A tenant's run-time settings are its own, but for the process's (where CDR CSV files go).
  const live = await loadLiveSettings(
    base,
    store.systemSettings,
    domain.id,
    shared.sources,
    filtersShared ? undefined : PROVIDER_ONLY_KEYS,
  );
  const settings = live.view;
  const emergency = new EmergencyNumberRepository(store.db);
  const added = await emergency.seedLanguageDefaults(domain.id, settings.language);
  if (added.length > 0) logger.info({ numbers: added }, "emergency numbers of the prompt language added");
  const users = new UserDirectory(store.users);
  const transport = new TenantTransport(shared.transport, own);

  let location: LocationService | undefined;
  const gate = new OverloadGate({
    overloaded: shared.overloaded,
    knownDevice: (user, sourceAddress) =>
      location?.lookup(domain.id, user).some((b) => b.sourceAddress === sourceAddress) ?? false,
  });
  let activeCalls = () => 0;
  const core = new SipCore({
    transport,
    logger,
    serverName: `Parley/${version}`,
    overload: gate,
    admission: admission(
      () => domain,
      () => activeCalls(),
    ),
  });
  const sipCore = core;
  const transactions = new TransactionLayer({
    transport,
    clock,
    timers: { t1: settings.timerT1, t2: settings.timerT2, t4: settings.timerT4 },
    user: core,
    onError: (err) => logger.error({ err }, "transaction layer error"),
  });

  // Security: the IP lists, per-source rate limits, failed-authentication bans. The shared ports'
  // filter is the default tenant's; a tenant filters its own ports.
  const { bans, ipLists, ...protection } = sourceProtection({
    settings,
    clock,
    wallNow,
    logger,
    store,
    domainId: domain.id,
    setSourceFilter: (rejects) => (filtersShared ? shared.transport : own)?.setSourceFilter(rejects),
  });
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
    onChange: () => hooks.changed(),
    gatewayBindings: (account) => location?.lookup(domain.id, account) ?? [],
    listeners: () => [...shared.transport.listening, ...(own?.listening ?? [])],
  });
  const carriers = new PeerAddresses(
    () => trunks.routing.cachedSnapshot,
    () => clock.now(),
  );
  protection.exemptCarriers((address) => carriers.has(address));
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

  /** Set by the composition root: the admin UI's live view and presence follow these. */
  const hooks = { changed: (_what?: "config") => {}, userChanged: (_domainId: number, _user: string) => {} };

  location = new LocationService(clock, wallNow, domainBindings(store.bindings, domain.id), {
    onAvailability: (domainId, user, online) => {
      logger.info({ domainId, user, state: online ? "online" : "offline" }, "user state");
      hooks.changed();
      hooks.userChanged(domainId, user);
    },
    onPersistError: (err) => logger.error({ err }, "could not write a registration to the store"),
  });
  const registrations = location;
  const registrar = new RegisterHandler({
    location: registrations,
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
  const keepalive = new NatKeepalive({
    intervalMs: settings.natKeepalive * 1000,
    clock,
    bindings: () => registrations.all(),
    send: (request, destination) => transport.sendRequest(request, destination),
    host: contactHost(settings),
    onError: (err) => logger.debug({ err }, "NAT keep-alive not sent"),
  });
  const staticContacts = new StaticContacts({
    users: () => staticContactUsers(store.users, domain.id),
    location: registrations,
    transactions,
    intervalSeconds: settings.staticContactInterval,
    clock,
    now: wallNow,
    host: contactHost(settings),
    logger,
  });
  let stopped = false;
  store.users.onChange((domainId, name) => {
    if (domainId === domain.id && !stopped) staticContacts.changed(domainId, name);
  });

  const dialogs = new DialogManager({
    transactions,
    contact: `sip:parley@${contactHost(settings)}:${settings.sipPort}`,
    onError: (err) => logger.error({ err }, "dialog layer error"),
  });
  core.useDialogs(dialogs);
  // The media workers are the process's; prompts, music and the relay's policy are the tenant's.
  const media = new MediaPlane({
    ...mediaPlaneOptions(settings, logger),
    stun: { addresses: settings.bind, port: 0 },
    engine: shared.media,
  });
  const features = new FeatureCodeTable();
  const calls = new CallEngine({
    routing: trunks.callRouting,
    dialogs,
    authenticator,
    users,
    location: registrations,
    cdrs,
    domain,
    clock,
    now: wallNow,
    allow: () => sipCore.allow,
    response: (request, status, reason) => sipCore.response(request, status, reason),
    logger,
    addressing: transport,
    noAnswerTime: () => settings.noAnswerTime,
    media: media.relay && recordingMedia(media.relay, (id, r) => services.recording.prepare(id, r), logger),
    features,
    holdMusic: musicOnHold(users, media.server),
  });
  const originate = { dialogs, clock, cdrs, logger, now: wallNow, allow: () => sipCore.allow };
  const originator = new Originator({ ...originate, engine: calls, host: contactHost(settings) });
  activeCalls = () => originator.list().length;
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
    onCallsChange: () => hooks.changed(),
    onConfigChange: () => hooks.changed("config"),
    storageLimitMb: () => domain.limits.storageMb,
  });
  wireLiveSettings({
    live,
    media,
    cdrs,
    services,
    store,
    domainId: domain.id,
    trunks,
    logger,
    isTenant: !filtersShared,
  });
  const { presence, messageWaiting } = createEventServer({
    core,
    dialogs,
    transactions,
    authenticator,
    location: registrations,
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
    onPresenceChange: () => hooks.changed(),
    clock,
    logger,
  });
  hooks.userChanged = presence.userChanged;
  store.users.onChange((domainId, name) => {
    if (domainId === domain.id && !stopped) presence.userChanged(domainId, name);
  });
  services.parking.onSlotChange((domainId, slot) => presence.parkChanged(domainId, slot));
  services.voicemail.mailboxes.onChange((domainId, mailbox) => {
    messageWaiting.changed(domainId, mailbox);
  });
  for (const name of CALL_EVENT_NAMES)
    calls.on(name, (event) => {
      hooks.changed();
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
      location: registrations,
      domain,
      logger,
      response: (request, status, reason, headers) => sipCore.response(request, status, reason, headers),
    }).handle,
  );
  // The tenant's messages, whichever ports they came on, go to its transactions.
  transport.onMessage((rx) => transactions.receive(rx));

  return {
    get domain(): Domain {
      return domain;
    },
    /** A changed row (suspended, resumed, new limits): read at each request from now on. */
    setDomain(next: Domain): void {
      domain = next;
    },
    logger,
    settings,
    live,
    hooks,
    storeRef: store,
    core,
    transport,
    transactions,
    dialogs,
    location: registrations,
    users,
    calls,
    originator,
    services,
    media,
    trunks,
    bans,
    ipLists,
    presence,
    messageWaiting,
    /** Is `source` one of this tenant's trunks or lines (an inbound call on the shared ports)? */
    ownsPeer: (source: { address: string; port: number }) =>
      isTenantPeer(trunks.routing.cachedSnapshot, source),
    /** Its registrations and IP lists loaded: before any port delivers it a message. */
    async load(): Promise<void> {
      await registrations.start();
      await ipLists.load();
    },
    async start(): Promise<void> {
      await own?.start();
      await media.start();
      keepalive.start();
      staticContacts.start();
      await trunks.start();
      await services.start();
    },
    async stop(): Promise<void> {
      stopped = true;
      calls.closeAll();
      originator.closeAll();
      messageWaiting.close();
      trunks.stop();
      await services.stop();
      keepalive.stop();
      staticContacts.stop();
      await media.stop();
      await registrations.stop();
      await own?.stop();
      dialogs.close();
      stopped = true;
    },
  };
}
