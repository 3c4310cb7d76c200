/**
 * What a tenant's admin API is built from (issue 21): its own PBX's live parts, so every route sees
 * only its tenant. The default tenant's API is the provider's too (the composition root adds the
 * tenants routes, metrics and the web UI to it).
 */
import { LiveEvents } from "../api/admin/live-events.js";
import { SessionStore } from "../api/admin/sessions.js";
import type { ApiDeps } from "../api/types.js";
import type { Settings } from "../config/settings.js";
import { registrationsView } from "../registrations-view.js";
import type { Clock } from "../util/clock.js";
import { version } from "../version.js";
import type { TenantRuntime } from "./tenant-runtime.js";

export interface TenantApiParts {
  readonly runtime: TenantRuntime;
  readonly settings: Settings;
  readonly clock: Clock;
  readonly startedAt: number;
  readonly token: string;
  readonly admin: NonNullable<ApiDeps["admin"]>["password"];
  readonly listeners: () => ReadonlyArray<{ protocol: string; address: string; port: number }>;
}

/** The live view's events of a tenant: its PBX signals changes here. */
export function liveEventsOf(runtime: TenantRuntime): LiveEvents {
  const events = new LiveEvents();
  runtime.hooks.changed = (what) => events.notify(what);
  return events;
}

export function tenantApiDeps(p: TenantApiParts, events: LiveEvents): ApiDeps {
  const { runtime: r, settings, clock } = p;
  const wallNow = () => Date.now();
  return {
    store: r.storeRef,
    domain: r.domain,
    admin: {
      password: p.admin,
      sessions: new SessionStore({ idleTtlMs: settings.sessionTtl * 1000, now: wallNow }),
    },
    events,
    settings: () => ({ ...r.settings }),
    systemSettings: r.live,
    accessLog: settings.httpAccessLog,
    registrations: registrationsView(r.location),
    userState: (domainId, name) => r.calls.userState(domainId, name),
    bans: r.bans,
    calls: r.originator,
    originate: r.originator,
    routing: r.trunks.live,
    prompts: r.media.server.prompts,
    voicemail: r.services.voicemail,
    featureCodes: r.services.featureCodes,
    lists: { calls: r.services.callLists, ip: r.ipLists },
    huntGroups: r.services.huntGroups,
    autoAttendantGreetings: r.services.greetings,
    scripts: r.services.scripts.files,
    callingCards: true,
    parked: r.services.parking,
    presence: r.presence,
    recordingsDir: r.services.recording.root,
    conferences: r.services.conferences.live,
    subscriptions: r.messageWaiting,
    token: p.token,
    logger: r.logger,
    toEpochMs: (clockMs) => wallNow() + clockMs - clock.now(),
    status: {
      status: () => ({
        version,
        startedAt: p.startedAt,
        listeners: [...p.listeners()],
        counts: {
          registrations: r.location.size,
          activeCalls: r.originator.list().length,
          bans: r.bans.list().length,
          sipRequests: r.core.stats.requests,
          malformedMessages: r.core.stats.badMessages,
        },
      }),
    },
  };
}
