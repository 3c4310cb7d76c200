/**
 * Event state publication (RFC 3903) for the presence package: what a user's own devices
 * PUBLISH, kept as soft state per user, one entry per entity-tag. Each successful PUBLISH gets a
 * new entity-tag (RFC 3903 6: initial, refresh, modify) and an expiry; Expires: 0 removes it
 * (4.5). A user's published state is its most recent unexpired publication, so when one device's
 * expires, the other's shows again (composition, 3). The entries per user are bounded.
 */
import { randomBytes } from "node:crypto";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { PublishedState } from "./pidf-read.js";

export interface PublishRequest {
  /** SIP-If-Match: the entity-tag of the publication this one refreshes, modifies or removes. */
  readonly ifMatch?: string;
  /** The granted duration, seconds (already negotiated); 0 removes. */
  readonly expires: number;
  /** The new state (a body was sent); absent for a refresh or a removal. */
  readonly state?: PublishedState;
}

export type PublishResult =
  | { readonly ok: true; readonly etag?: string; readonly expires: number }
  | { readonly ok: false; readonly status: number; readonly reason: string };

interface Entry {
  etag: string;
  state: PublishedState;
  updatedAt: number;
  timer: TimerHandle | undefined;
}

export interface PublicationsOptions {
  readonly clock: Clock;
  /** A user's published state changed (its watchers are told). */
  readonly onChange: (domainId: number, user: string) => void;
  /** Publications one user may hold at once (default 16). */
  readonly maxPerUser?: number;
}

export class Publications {
  private readonly byUser = new Map<string, Entry[]>();
  private sequence = 0;

  constructor(private readonly o: PublicationsOptions) {}

  /** The user's current published state: its most recent publication. */
  stateOf(domainId: number, user: string): PublishedState | undefined {
    const entries = this.byUser.get(key(domainId, user));
    return entries === undefined || entries.length === 0 ? undefined : entries.at(-1)!.state;
  }

  publish(domainId: number, user: string, request: PublishRequest): PublishResult {
    const k = key(domainId, user);
    const entries = this.byUser.get(k) ?? [];
    if (request.ifMatch === undefined) {
      // RFC 3903 6 step 5 (initial publication): a body is required.
      if (request.state === undefined)
        return { ok: false, status: 400, reason: "Bad Request (no body to publish)" };
      if (request.expires === 0) return { ok: true, expires: 0 };
      if (entries.length >= (this.o.maxPerUser ?? 16))
        return { ok: false, status: 403, reason: "Forbidden (too many publications)" };
      const entry: Entry = { etag: "", state: request.state, updatedAt: 0, timer: undefined };
      entries.push(entry);
      this.byUser.set(k, entries);
      return this.accept(domainId, user, entry, request.expires, true);
    }
    const entry = entries.find((e) => e.etag === request.ifMatch);
    // RFC 3903 6 step 4: an unknown entity-tag gets 412.
    if (entry === undefined) return { ok: false, status: 412, reason: "Conditional Request Failed" };
    if (request.expires === 0) {
      this.remove(domainId, user, entry);
      return { ok: true, expires: 0 };
    }
    if (request.state !== undefined) entry.state = request.state;
    return this.accept(domainId, user, entry, request.expires, request.state !== undefined);
  }

  /** Every publication ends (shutdown). */
  close(): void {
    for (const entries of this.byUser.values()) for (const e of entries) e.timer?.cancel();
    this.byUser.clear();
  }

  /**
   * A new entity-tag and expiry for `entry` (RFC 3903 6 steps 7-8); a new or modified state makes
   * it the most recent (a refresh alone changes nothing its watchers see).
   */
  private accept(
    domainId: number,
    user: string,
    entry: Entry,
    expires: number,
    modified: boolean,
  ): PublishResult {
    entry.etag = `${randomBytes(6).toString("hex")}${(++this.sequence).toString(36)}`;
    entry.timer?.cancel();
    entry.timer = this.o.clock.setTimer(expires * 1000, () => this.remove(domainId, user, entry));
    if (modified) {
      entry.updatedAt = this.sequence;
      this.byUser.get(key(domainId, user))!.sort((a, b) => a.updatedAt - b.updatedAt);
      this.o.onChange(domainId, user);
    }
    return { ok: true, etag: entry.etag, expires };
  }

  private remove(domainId: number, user: string, entry: Entry): void {
    entry.timer?.cancel();
    const k = key(domainId, user);
    const entries = this.byUser.get(k);
    if (entries === undefined) return;
    const i = entries.indexOf(entry);
    if (i < 0) return;
    entries.splice(i, 1);
    if (entries.length === 0) this.byUser.delete(k);
    this.o.onChange(domainId, user);
  }
}

function key(domainId: number, user: string): string {
  return `${domainId}\u0000${user}`;
}
