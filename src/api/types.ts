/**
 * What the admin API consumes from the rest of Parley. The API is a higher layer than the
 * registrar and auth, so they are handed to it as these interfaces (the registrar implements
 * RegistrationsView, a BanList adapter implements BansView, the composition root StatusSource).
 */
import type { Ban } from "../auth/ban-list.js";
import type { Store } from "../store/index.js";
import type { Logger } from "../util/logger.js";

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

/** A user's live state (FEATURES.md section 2): ringing and talking come with calls. */
export type UserState = "offline" | "online" | "ringing" | "talking";

export interface ApiDeps {
  store: Store;
  registrations: RegistrationsView;
  /** A user's live state; "offline" for everyone when not given. */
  userState?: (domainId: number, name: string) => UserState;
  bans: BansView;
  status: StatusSource;
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
}
