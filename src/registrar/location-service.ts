/**
 * The location service (RFC 3261 10.2, "location service"): the bindings of each address-of-
 * record, in memory for the SIP path, written to a persistent store so a restart keeps phones
 * registered until their expiry. Separate from REGISTER processing (register-handler.ts), as
 * Kamailio keeps registrar and usrloc apart.
 *
 * Persistence, per change (Kamailio's usrloc keeps a sync state per binding the same way):
 * - A new binding, a removal, and a change of where or how a device is reached (source address or
 *   port, transport, flow, Path, instance, q, user agent) are written through at once: handed to
 *   the store in the same turn of the event loop (the SQLite store commits them together at the
 *   end of that turn).
 * - A refresh, the same binding re-registered with only its expiry, Call-ID, CSeq and update time
 *   changed, is written behind: the latest refresh of each binding is kept for `refreshDelayMs`
 *   (default 500 ms) and then written with every other pending refresh in one batch; `stop()`
 *   writes what is pending. A crash inside that window loses only the refresh: after restart the
 *   binding is back with its previous expiry (still in the future, since a refresh comes before
 *   expiry) and the device's next refresh restores it; its life is shortened by at most one
 *   refresh interval. A binding removed or changed while its refresh is pending drops the refresh.
 */
import { randomBytes } from "node:crypto";
import type { Destination, TransportProtocol } from "../transport/types.js";
import type { Clock, TimerHandle } from "../util/clock.js";

/** One binding of an address-of-record to a contact. Times are epoch milliseconds. */
export interface Binding {
  readonly domainId: number;
  readonly user: string;
  readonly contactUri: string;
  readonly q?: number | undefined;
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  readonly instanceId?: string | undefined;
  readonly regId?: number | undefined;
  readonly path: string[];
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly transport: string;
  readonly flowId?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly updatedAt: number;
}

/** A binding as the location service holds it: with an id for the API. */
export interface LiveBinding extends Binding {
  readonly id: string;
}

/**
 * Where a binding is reached: the address its REGISTER came from (the NAT-observed one, like RFC
 * 3581 for responses), over the connection it used when that is still open (RFC 5626 flows).
 */
export function bindingDestination(binding: Binding): Destination {
  const protocol = binding.transport.toUpperCase() as TransportProtocol;
  return {
    protocol,
    address: binding.sourceAddress,
    port: binding.sourcePort,
    ...(binding.flowId === undefined ? {} : { flowId: binding.flowId }),
  };
}

/** What the persistent store offers (the store's BindingRepository satisfies it). */
export interface BindingPersistence {
  upsert(binding: Binding): Promise<void>;
  /** Writes refreshes (expiry, Call-ID, CSeq, update time changed) in one batch. */
  refreshAll(bindings: readonly Binding[]): Promise<void>;
  remove(domainId: number, user: string, contactUri: string): Promise<number>;
  listActive(nowMs: number): Promise<Binding[]>;
  purgeExpired(nowMs: number): Promise<number>;
}

export interface LocationEvents {
  /** An address-of-record went from no bindings to some (true) or back (false). */
  onAvailability?(domainId: number, user: string, online: boolean): void;
  /** A write to the store failed (the in-memory state stays authoritative). */
  onPersistError?(err: unknown): void;
}

function aorKey(domainId: number, user: string): string {
  return `${domainId}\u0000${user}`;
}

export interface LocationOptions {
  /** How often expired bindings are removed, ms (default 1000). */
  readonly sweepIntervalMs?: number;
  /** How long a refresh may wait to be written to the store, ms (default 500; 0 = at once). */
  readonly refreshDelayMs?: number;
}

/** A refresh changes these fields only; any other difference is written through at once. */
function isRefresh(before: Binding, after: Binding): boolean {
  return (
    before.contactUri === after.contactUri &&
    before.sourceAddress === after.sourceAddress &&
    before.sourcePort === after.sourcePort &&
    before.transport === after.transport &&
    before.flowId === after.flowId &&
    before.q === after.q &&
    before.instanceId === after.instanceId &&
    before.regId === after.regId &&
    before.userAgent === after.userAgent &&
    samePath(before.path, after.path)
  );
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A binding with its id, built field by field (one object shape for all, unlike a spread). */
function liveBinding(b: Binding, id: string): LiveBinding {
  return {
    id,
    domainId: b.domainId,
    user: b.user,
    contactUri: b.contactUri,
    q: b.q,
    expiresAt: b.expiresAt,
    callId: b.callId,
    cseq: b.cseq,
    instanceId: b.instanceId,
    regId: b.regId,
    path: b.path,
    sourceAddress: b.sourceAddress,
    sourcePort: b.sourcePort,
    transport: b.transport,
    flowId: b.flowId,
    userAgent: b.userAgent,
    updatedAt: b.updatedAt,
  };
}

/** Told of a new binding; called after the change is applied, and must not throw. */
export type NewBindingListener = (binding: LiveBinding) => void;

export class LocationService {
  private readonly byAor = new Map<string, LiveBinding[]>();
  private readonly newBindingListeners = new Set<NewBindingListener>();
  private readonly byId = new Map<string, LiveBinding>();
  /** Refreshes not yet written, by binding id (the latest one of each binding). */
  private readonly pendingRefresh = new Map<string, Binding>();
  private refreshTimer: TimerHandle | undefined;
  private sweepTimer: TimerHandle | undefined;
  private stopped = false;
  private readonly sweepIntervalMs: number;
  private readonly refreshDelayMs: number;

  constructor(
    private readonly clock: Clock,
    /** Epoch milliseconds now. */
    private readonly now: () => number,
    private readonly persistence: BindingPersistence | undefined,
    private readonly events: LocationEvents = {},
    options: LocationOptions = {},
  ) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    this.refreshDelayMs = options.refreshDelayMs ?? 500;
  }

  /** Load the unexpired bindings from the store and start expiring them on time. */
  async start(): Promise<void> {
    if (this.persistence) {
      const now = this.now();
      await this.persistence.purgeExpired(now);
      for (const b of await this.persistence.listActive(now)) {
        // RFC 7118 5: a WebSocket binding is reached only over its connection, gone with the
        // restart; the client registers again when it reconnects.
        if (b.transport === "ws" || b.transport === "wss") this.forget(b);
        else this.insert(b, false);
      }
    }
    this.scheduleSweep();
  }

  /** Stops expiring bindings and writes the pending refreshes; resolves once they are written. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.sweepTimer?.cancel();
    await this.writeRefreshes();
  }

  /** Refreshes waiting to be written (for tests and status). */
  get pendingWrites(): number {
    return this.pendingRefresh.size;
  }

  /** Current (unexpired) bindings of an address-of-record. */
  lookup(domainId: number, user: string): readonly LiveBinding[] {
    const list = this.byAor.get(aorKey(domainId, user));
    if (!list) return [];
    const now = this.now();
    return list.some((b) => b.expiresAt <= now) ? list.filter((b) => b.expiresAt > now) : list;
  }

  isOnline(domainId: number, user: string): boolean {
    return this.lookup(domainId, user).length > 0;
  }

  all(): LiveBinding[] {
    const now = this.now();
    return [...this.byId.values()].filter((b) => b.expiresAt > now);
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * Replace the bindings of one address-of-record in one step: `remove` names contact URIs to
   * drop (exactly as stored), `upsert` adds or replaces by contact URI.
   */
  apply(domainId: number, user: string, remove: readonly string[], upsert: readonly Binding[]): void {
    const key = aorKey(domainId, user);
    const before = this.byAor.get(key)?.length ?? 0;
    for (const contactUri of remove) this.removeOne(domainId, user, contactUri, true);
    let fresh: LiveBinding[] | undefined;
    for (const b of upsert) {
      const isNew = this.newBindingListeners.size > 0 && this.isNewBinding(key, b);
      const live = this.insert(b, true);
      if (!isNew) continue;
      fresh ??= [];
      fresh.push(live);
    }
    const after = this.byAor.get(key)?.length ?? 0;
    if ((before === 0) !== (after === 0)) this.events.onAvailability?.(domainId, user, after > 0);
    for (const live of fresh ?? []) for (const listener of this.newBindingListeners) listener(live);
  }

  /**
   * Calls `listener` for each new binding a change makes: a contact not bound before, or bound
   * again under another Call-ID (the device restarted: RFC 3261 10.2 asks a UA to keep one
   * Call-ID for its registrations while it runs). Not for refreshes, nor for the bindings loaded at start. Returns the
   * function that removes the listener.
   */
  onNewBinding(listener: NewBindingListener): () => void {
    this.newBindingListeners.add(listener);
    return () => this.newBindingListeners.delete(listener);
  }

  private isNewBinding(key: string, b: Binding): boolean {
    const current = this.byAor.get(key)?.find((x) => x.contactUri === b.contactUri);
    return current === undefined || current.callId !== b.callId;
  }

  /**
   * Remove every binding registered over the flow `flowId` (a WebSocket connection that closed:
   * RFC 7118 5, the client cannot be reached any other way). Returns how many were removed.
   */
  removeFlow(flowId: string): number {
    const gone = [...this.byId.values()].filter((b) => b.flowId === flowId);
    for (const b of gone) this.apply(b.domainId, b.user, [b.contactUri], []);
    return gone.length;
  }

  private forget(b: Binding): void {
    this.persistence
      ?.remove(b.domainId, b.user, b.contactUri)
      .catch((err: unknown) => this.events.onPersistError?.(err));
  }

  /** Remove one binding by id (the API's DELETE). */
  removeById(id: string): boolean {
    const b = this.byId.get(id);
    if (!b) return false;
    this.apply(b.domainId, b.user, [b.contactUri], []);
    return true;
  }

  private insert(b: Binding, persist: boolean): LiveBinding {
    const key = aorKey(b.domainId, b.user);
    let list = this.byAor.get(key);
    if (!list) {
      list = [];
      this.byAor.set(key, list);
    }
    const at = list.findIndex((x) => x.contactUri === b.contactUri);
    const before = at >= 0 ? list[at] : undefined;
    const live = liveBinding(b, before ? before.id : randomBytes(9).toString("base64url"));
    if (at >= 0) list[at] = live;
    else list.push(live);
    this.byId.set(live.id, live);
    if (!persist || !this.persistence) return live;
    if (before !== undefined && this.refreshDelayMs > 0 && !this.stopped && isRefresh(before, b)) {
      this.pendingRefresh.set(live.id, b);
      this.refreshTimer ??= this.clock.setTimer(this.refreshDelayMs, () => {
        this.refreshTimer = undefined;
        void this.writeRefreshes();
      });
      return live;
    }
    // Written through: the refresh it may have had pending is older than this write.
    this.pendingRefresh.delete(live.id);
    this.persistence.upsert(b).catch((err: unknown) => this.events.onPersistError?.(err));
    return live;
  }

  private removeOne(domainId: number, user: string, contactUri: string, persist: boolean): void {
    const key = aorKey(domainId, user);
    const list = this.byAor.get(key);
    if (!list) return;
    const at = list.findIndex((x) => x.contactUri === contactUri);
    if (at < 0) return;
    const id = list[at]!.id;
    this.byId.delete(id);
    this.pendingRefresh.delete(id);
    list.splice(at, 1);
    if (list.length === 0) this.byAor.delete(key);
    if (persist && this.persistence) {
      this.persistence
        .remove(domainId, user, contactUri)
        .catch((err: unknown) => this.events.onPersistError?.(err));
    }
  }

  /** Hands every pending refresh to the store (one batch); resolves once all are written. */
  private async writeRefreshes(): Promise<void> {
    this.refreshTimer?.cancel();
    this.refreshTimer = undefined;
    if (this.pendingRefresh.size === 0 || !this.persistence) return;
    const batch = [...this.pendingRefresh.values()];
    this.pendingRefresh.clear();
    await this.persistence.refreshAll(batch).catch((err: unknown) => this.events.onPersistError?.(err));
  }

  /** RFC 3261 10.2.1: a binding lasts until its expiry; expired ones are removed on time. */
  private sweep(): void {
    const now = this.now();
    let expiredAny = false;
    for (const [key, list] of this.byAor) {
      if (!list.some((b) => b.expiresAt <= now)) continue;
      const first = list[0]!;
      const expired = list.filter((b) => b.expiresAt <= now);
      expiredAny = true;
      for (const b of expired) {
        this.byId.delete(b.id);
        this.pendingRefresh.delete(b.id);
      }
      const kept = list.filter((b) => b.expiresAt > now);
      if (kept.length) this.byAor.set(key, kept);
      else {
        this.byAor.delete(key);
        this.events.onAvailability?.(first.domainId, first.user, false);
      }
    }
    if (expiredAny && this.persistence)
      this.persistence.purgeExpired(now).catch((err: unknown) => this.events.onPersistError?.(err));
  }

  private scheduleSweep(): void {
    if (this.stopped) return;
    this.sweepTimer = this.clock.setTimer(this.sweepIntervalMs, () => {
      this.sweep();
      this.scheduleSweep();
    });
  }
}
