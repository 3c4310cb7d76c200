/**
 * What the admin API consumes from the rest of Parley. The API is a higher layer than the
 * registrar, auth and the call engine, so they are handed to it as these interfaces (the registrar
 * implements RegistrationsView, a BanList adapter BansView, the call engine CallsView, the
 * composition root StatusSource).
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Ban } from "../auth/ban-list.js";
import type { CallsView, UserState } from "../call/call-view-types.js";
import type { SystemSettingView } from "../config/live-settings.js";
import type { SubscriptionView } from "../presence/subscription-server.js";
import type { ScriptFiles } from "../scripting/index.js";
import type { FeatureCode } from "../services/feature-codes.js";
import type { MailStatus } from "../services/voicemail/mail-queue.js";
import type { SmtpView } from "../services/voicemail/smtp-config.js";
import type { Domain, TenantLimits } from "../store/domain-repository.js";
import type {
  CallListPatch,
  CallListRecord,
  IpListEntry,
  IpListPatch,
  MessageCounts,
  NewCallListRecord,
  NewIpListEntry,
  Store,
  VoicemailFolder,
  VoicemailMessage,
} from "../store/index.js";
import type { Logger } from "../util/logger.js";
import type { AdminPassword } from "./admin/admin-password.js";
import type { LiveEvents } from "./admin/live-events.js";
import type { SessionStore } from "./admin/sessions.js";
import type { ConferencesLive } from "./routes/conference-rooms.js";
import type { MetricsRoutesOptions } from "./routes/metrics.js";
import type { OriginateView } from "./routes/originate.js";
import type { PromptsView } from "./routes/prompts.js";
import type { RoutingLive } from "./routes/routing.js";
import type { TenantsView } from "./routes/tenants.js";

/** One live binding of the location service. */
export interface LiveRegistration {
  /** Stable id of the binding, used by DELETE /api/v1/registrations/{id}. */
  id: string;
  domainId: number;
  user: string;
  contact: string;
  transport: string;
  sourceAddress: string;
  sourcePort: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  userAgent: string | undefined;
  instanceId: string | undefined;
  q: number | undefined;
  path: string[];
}

export interface RegistrationsView {
  list(filter?: { user?: string }): LiveRegistration[];
  /** Removes one binding; false when there was none with this id. */
  remove(id: string): Promise<boolean>;
}

/**
 * The ban list as the API sees it. `since` and `until` of a Ban are in the ban list's clock
 * (monotonic milliseconds, see util/clock.ts): the API converts them to wall-clock time with
 * ApiDeps.toEpochMs.
 */
export interface BansView {
  list(): Ban[];
  /** Lifts the ban on an address; false when it was not banned. */
  lift(address: string): boolean;
}

export interface ListenerInfo {
  protocol: string;
  address: string;
  port: number;
}

export interface ServerStatus {
  version: string;
  /** Epoch milliseconds. */
  startedAt: number;
  listeners: ListenerInfo[];
  /** Named counters, e.g. { users: 3, registrations: 2, bans: 0 }. */
  counts: Record<string, number>;
}

export interface StatusSource {
  status(): ServerStatus;
}

// The call engine's own view types live in call/ (ARCHITECTURE.md layers); the API re-exports them.
export type {
  ActiveCall,
  ActiveCallLeg,
  ActiveCallState,
  ActiveLegState,
  CallsView,
  LegMedia,
  UserState,
} from "../call/call-view-types.js";
/**
 * An external line or SIP trunk as the live view shows it. A line is online while registered (or
 * its gateway is); a trunk is online while its peer answers Parley's OPTIONS (trunk-monitor.ts),
 * "unknown" until the first answer or timeout.
 */
export interface LineStatus {
  kind: "external-line" | "sip-trunk";
  name: string;
  state: "online" | "offline" | "unknown";
  activeCalls: number;
}

/** The voice mailboxes as the API uses them (services/voicemail/mailboxes.ts implements it). */
export interface MailboxesView {
  /** A mailbox's messages, or the domain's (mailbox omitted), oldest first. */
  list(domainId: number, mailbox?: string): Promise<VoicemailMessage[]>;
  get(domainId: number, id: number): Promise<VoicemailMessage | undefined>;
  /** The message's WAV file (absolute). */
  audioPath(message: VoicemailMessage): string;
  /** Resolves to whether the message exists. */
  setFolder(domainId: number, id: number, folder: VoicemailFolder): Promise<boolean>;
  /** Resolves to the deleted message, or undefined when there was none. */
  delete(domainId: number, id: number): Promise<VoicemailMessage | undefined>;
  greetingPath(domainId: number, mailbox: string): string;
  hasGreeting(domainId: number, mailbox: string): Promise<boolean>;
  /** Replaces the greeting with the WAV at `recording` (moved). */
  saveGreeting(domainId: number, mailbox: string, recording: string): Promise<void>;
  /** false when there was no recorded greeting. */
  deleteGreeting(domainId: number, mailbox: string): Promise<boolean>;
  /** A temporary file beside the mailboxes, so saving it is a rename. */
  temporaryFile(): Promise<string>;
  /** Every change of a mailbox's counts (a deposit, a move, a deletion); returns the unsubscriber. */
  onChange(listener: (domainId: number, mailbox: string, counts: MessageCounts) => void): () => void;
}

/** The system settings (config/live-settings.ts's LiveSettings implements it). */
export interface SystemSettingsView {
  list(): SystemSettingView[];
  /** `{key: value | null}`; throws ValidationError naming each bad key. */
  update(patch: unknown): Promise<SystemSettingView[]>;
}

/** The SMTP settings (services/voicemail/smtp-config.ts's SmtpConfig implements it). */
export interface SmtpSettingsView {
  /** Everything but the password. */
  view(): SmtpView;
  /** Validates (a ValidationError names each bad field), merges over the current settings, saves. */
  update(patch: unknown): Promise<SmtpView>;
  /** Forgets the saved settings: the start-up ones apply again. */
  reset(): Promise<SmtpView>;
}

/** The live subscriptions (presence/subscription-server.ts's list()). */
export interface SubscriptionsView {
  list(): SubscriptionView[];
}

/** The feature code table (services/feature-code-settings.ts's FeatureCodeSettings implements it). */
export interface FeatureCodesView {
  list(): FeatureCode[];
  /** `{code?, enabled?}`; throws ValidationError naming the field, NotFoundError for no such feature. */
  configure(service: string, change: unknown): Promise<FeatureCode>;
  reset(service: string): Promise<FeatureCode>;
}

/** The black and white list (services/call-lists/call-lists.ts's CallLists implements it). */
export interface CallListsView {
  list(domainId: number): Promise<CallListRecord[]>;
  /** Throws ValidationError naming the field, ConflictError for a taken prefix pair. */
  create(domainId: number, input: NewCallListRecord): Promise<CallListRecord>;
  /** Throws as create, and NotFoundError for no such record. */
  update(domainId: number, id: number, patch: CallListPatch): Promise<CallListRecord>;
  /** Throws NotFoundError for no such record. */
  remove(domainId: number, id: number): Promise<void>;
  settings(domainId: number): Promise<{ response: 603 | 403 | 486 | 480 }>;
  configure(
    domainId: number,
    settings: { response: 603 | 403 | 486 | 480 },
  ): Promise<{ response: 603 | 403 | 486 | 480 }>;
}

/** The IP black and white list of the server's domain (services/ip-lists/ip-lists.ts's IpLists). */
export interface IpListsView {
  list(): IpListEntry[];
  /** Throws ValidationError naming the field, ConflictError for an address already listed. */
  create(input: NewIpListEntry): Promise<IpListEntry>;
  /** Throws as create, and NotFoundError for no such entry. */
  update(id: number, patch: IpListPatch): Promise<IpListEntry>;
  /** Throws NotFoundError for no such entry. */
  remove(id: number): Promise<void>;
}

/** The auto-attendant's uploaded menu greetings (services/auto-attendant/greetings.ts's MenuGreetings). */
export interface MenuGreetingsView {
  path(menu: string, lang: "en" | "zh"): string | undefined;
  languages(menu: string): Array<"en" | "zh">;
  save(
    menu: string,
    lang: "en" | "zh",
    bytes: Uint8Array,
  ): { ok: true; durationMs: number } | { ok: false; error: string };
  remove(menu: string, lang?: "en" | "zh"): boolean;
}

/** Hunt groups' live state (services/hunt-group/hunt-group.ts's HuntGroupService implements it). */
export interface HuntGroupsLive {
  /** The member that answered the group's last call, if any since the start. */
  lastAnsweredMember(domainId: number, group: string): string | undefined;
}

/** A parked call as the parking lot reports it (services/park/parking-lot.ts's ParkedCallView). */
export interface ParkedCall {
  readonly domainId: number;
  readonly slot: number;
  readonly callId: string;
  readonly parked: { readonly user: string; readonly displayName: string };
  readonly parker: { readonly user: string; readonly displayName: string };
  /** Epoch milliseconds. */
  readonly parkedAt: number;
  readonly ringingBack: boolean;
  readonly ringBacks: number;
}

/** The parking lot (services/park/parking-lot.ts's ParkingLot implements it): every domain's slots. */
export interface ParkedView {
  list(): readonly ParkedCall[];
}

/** A user's presence as its watchers see it (RFC 3863 basic status, RPID activities, note). */
export interface UserPresence {
  readonly open: boolean;
  readonly activities: readonly string[];
  readonly note: string;
}

/**
 * Presence as a watcher sees it (presence/presence-events.ts's PresenceEvents implements it):
 * do-not-disturb and calls first, then what the devices PUBLISHed, else registration.
 */
export interface PresenceView {
  presenceOf(domainId: number, user: string): Promise<UserPresence>;
}

/** Voicemail as the API sees it: the composition root passes the services' objects. */
export interface VoicemailDeps {
  mailboxes: MailboxesView;
  smtp: SmtpSettingsView;
  /** The mail outbox (services/voicemail/mail-queue.ts's MailQueue): queued and recently sent mails. */
  outbox: { list(): MailStatus[] };
}

export interface ApiDeps {
  store: Store;
  /** The tenant this API serves (issue 21); the store's default domain when not given. */
  domain?: Domain;
  /** The provider's tenants routes (issue 21): only the default tenant's API has them. */
  tenants?: TenantsView;
  /** A tenant's API: the provider's token and sessions open it too. */
  provider?: { readonly token: string; readonly sessions?: SessionStore | undefined };
  /** The tenant's limits, read at each create (users, lines). */
  limits?: () => TenantLimits;
  /** A request the web server hands elsewhere before Fastify sees it (a tenant's API); true: taken. */
  dispatch?: (request: IncomingMessage, response: ServerResponse) => boolean;
  registrations: RegistrationsView;
  /** A user's live state; "offline" for everyone when not given. */
  userState?: (domainId: number, name: string) => UserState;
  bans: BansView;
  /** The calls in progress (the call engine). */
  calls: CallsView;
  /** Click-to-call (POST /api/v1/calls); without it that route is absent. */
  originate?: OriginateView;
  status: StatusSource;
  /** GET /ready's checks beyond the store's (the SIP sockets bound); none when not given. */
  readiness?: () => Array<{ readonly name: string; readonly ok: boolean; readonly detail?: string }>;
  /** The bearer token every /api/v1 route but openapi.json requires (see token.ts). */
  token: string;
  logger?: Logger;
  /**
   * Converts a ban-list clock reading (Ban.since/until) to epoch milliseconds. Default: the
   * system clock's, `performance.timeOrigin + clockMs` (systemClock.now() is performance.now()).
   */
  toEpochMs?: (clockMs: number) => number;
  /** Wall-clock epoch milliseconds, for "seconds left" and uptime; Date.now by default. */
  now?: () => number;
  /** The web UI's administrator password and sign-in sessions; without it, POST /session is absent. */
  admin?: { password: AdminPassword; sessions: SessionStore };
  /** The change signal of GET /api/v1/events; without it, that route is absent. */
  events?: LiveEvents;
  /** Lines' and trunks' live state and the router of /dialplan/test; all offline when not given. */
  routing?: RoutingLive;
  /** The effective settings (all of them: secrets are left out by the route). */
  settings?: () => Record<string, unknown>;
  /** The settings with their sources, run-time ones editable; without it, no /system-settings. */
  systemSettings?: SystemSettingsView;
  /** The HTTP access log's level (--http-access-log); "debug" when not given. */
  accessLog?: "info" | "debug" | "off";
  /** Voice prompts and music on hold (the media server's PromptLibrary); without it, no /prompts, /music. */
  prompts?: PromptsView;
  /** Voice mailboxes, greetings, the mail outbox and the SMTP settings; without it, no /voicemail, /smtp. */
  voicemail?: VoicemailDeps;
  /** The live subscriptions; without it /subscriptions is not served. */
  subscriptions?: SubscriptionsView;
  /** The feature code table; without it /feature-codes is not served. */
  featureCodes?: FeatureCodesView;
  /** The black and white list and the IP black and white list; without it, no /call-lists, /ip-lists. */
  lists?: { calls: CallListsView; ip: IpListsView };
  /** Hunt groups' live state (who answered last); without it, no /hunt-groups, /hunt-detections. */
  huntGroups?: HuntGroupsLive;
  /** The auto-attendant's menu greetings; without it, no /auto-attendant routes. */
  autoAttendantGreetings?: MenuGreetingsView;
  /** The call recordings' folder (`<dataDir>/recordings`); without it, no /recordings. */
  recordingsDir?: string;
  /** The parking lot; without it, no /parked and no `parked` in the live snapshot. */
  parked?: ParkedView;
  /** Users' presence; without it, no `presence` in the live snapshot's users and in GET /users. */
  presence?: PresenceView;
  /** Conference rooms in use; without it, no /conference-rooms. */
  conferences?: ConferencesLive;
  /** Serve /calling-cards and /calling-card-rates (store.callingCards); off unless true. */
  callingCards?: boolean;
  /** The service scripts' folder (`<dataDir>/scripts`); without it, no /scripts, /script-triggers. */
  scripts?: ScriptFiles;
  /** GET /metrics: the Prometheus exposition and the token it needs (none: public); absent without it. */
  metrics?: MetricsRoutesOptions;
  /** Serve the admin web UI at `/` (default true when built). */
  webUi?: boolean;
}
