/**
 * The live view's snapshot, built once per change for every open event stream: users with their
 * state (and presence, when the server has presence), calls in progress, the registration count,
 * lines and trunks, and the parked calls when the server has a parking lot. A burst of changes (a call rings several phones, a registrar
 * sweep) becomes one snapshot after SNAPSHOT_DELAY_MS. The configuration part (user names, lines, trunks) comes from the store and is cached: reread after
 * a write through the API, or after CONFIG_TTL_MS (the `parley user` command writes the store
 * directly), so call and registration changes cost no database query.
 */
import type { Store } from "../../store/index.js";
import { presenceOfUsers } from "../presence-schema.js";
import { toActiveCallItem } from "../routes/calls.js";
import { parkedItems } from "../routes/parked.js";
import type { RoutingLive } from "../routes/routing.js";
import type {
  CallsView,
  LineStatus,
  ParkedView,
  PresenceView,
  RegistrationsView,
  UserState,
} from "../types.js";
import type { LiveEvents } from "./live-events.js";

export const SNAPSHOT_DELAY_MS = 50;
export const CONFIG_TTL_MS = 5000;
const PAGE = 1000;

export interface SnapshotSources {
  store: Store;
  domainId: number;
  events: LiveEvents;
  calls: CallsView;
  registrations: RegistrationsView;
  userState: (domainId: number, name: string) => UserState;
  routing: RoutingLive;
  /** The parking lot; without it the snapshot has no `parked`. */
  parked?: ParkedView;
  /** Users' presence; without it the snapshot's users have no `presence`. */
  presence?: PresenceView;
  now: () => number;
  /** Monotonic milliseconds for the cache's age; performance.now by default. */
  clock?: () => number;
  onError?: (err: unknown) => void;
}

interface Config {
  at: number;
  users: Array<{ name: string; displayName: string }>;
  lines: string[];
  trunks: string[];
}

type Client = (data: string) => void;

export class LiveSnapshots {
  private readonly clients = new Set<Client>();
  private config: Config | undefined;
  private timer: NodeJS.Timeout | undefined;
  private building = false;
  private again = false;
  private readonly unsubscribe: () => void;
  private readonly clock: () => number;

  constructor(private readonly o: SnapshotSources) {
    this.clock = o.clock ?? (() => performance.now());
    // Subscribed for good, so a configuration change is noticed while no stream is open too.
    this.unsubscribe = o.events.subscribe((kind) => {
      if (kind === "config") this.config = undefined;
      if (this.clients.size > 0) this.schedule();
    });
  }

  /** Adds a stream: it gets a snapshot at once, then one after every change, until unsubscribed. */
  subscribe(client: Client): () => void {
    this.clients.add(client);
    void this.buildFor([client]);
    return () => this.clients.delete(client);
  }

  /** At shutdown. */
  stop(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.buildFor(undefined);
    }, SNAPSHOT_DELAY_MS);
  }

  /** Builds one snapshot and sends it to `targets` (every client when undefined). */
  private async buildFor(targets: Client[] | undefined): Promise<void> {
    if (this.building && targets === undefined) {
      this.again = true;
      return;
    }
    this.building = true;
    try {
      const data = await this.build();
      for (const client of targets ?? this.clients) if (this.clients.has(client)) client(data);
    } catch (err) {
      this.o.onError?.(err);
    } finally {
      this.building = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  async build(): Promise<string> {
    const o = this.o;
    const config = await this.configuration();
    const lines: LineStatus[] = [
      ...config.lines.map(
        (account): LineStatus => ({
          kind: "external-line",
          name: account,
          state: o.routing.lineState(account),
          activeCalls: o.routing.lineCalls(account),
        }),
      ),
      ...config.trunks.map((trunkId): LineStatus => {
        const calls = o.routing.trunkCalls(trunkId);
        return {
          kind: "sip-trunk",
          name: trunkId,
          state: o.routing.trunkState(trunkId),
          activeCalls: calls.incoming + calls.outgoing,
        };
      }),
    ];
    const presence =
      o.presence === undefined
        ? undefined
        : await presenceOfUsers(
            o.presence,
            o.domainId,
            config.users.map((u) => u.name),
          );
    const now = o.now();
    return JSON.stringify({
      at: new Date(now).toISOString(),
      users: config.users.map((u, i) => ({
        ...u,
        state: o.userState(o.domainId, u.name),
        // What a presence watcher sees: do-not-disturb, a call, else what the devices published.
        ...(presence === undefined ? {} : { presence: presence[i] }),
      })),
      // The tenant's own (issue 21): the call engine and the registrar hold every domain's.
      calls: o.calls
        .list()
        .filter((c) => c.domainId === o.domainId)
        .map((c) => toActiveCallItem(c, now)),
      registrations: o.registrations.list().filter((r) => r.domainId === o.domainId).length,
      lines,
      // The same items as GET /parked: a slot taken or freed notifies the live events too.
      ...(o.parked === undefined ? {} : { parked: parkedItems(o.parked, o.domainId, now) }),
    });
  }

  private async configuration(): Promise<Config> {
    const cached = this.config;
    if (cached !== undefined && this.clock() - cached.at < CONFIG_TTL_MS) return cached;
    const at = this.clock();
    const users: Config["users"] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.o.store.users.list({ domainId: this.o.domainId, offset, limit: PAGE });
      for (const u of page.items) users.push({ name: u.name, displayName: u.displayName });
      if (page.items.length < PAGE) break;
    }
    const lines = (await this.o.store.routing.list(this.o.domainId, "line")).map((l) => l.account);
    const trunks = (await this.o.store.routing.list(this.o.domainId, "trunk")).map((t) => t.trunkId);
    const config = { at, users, lines, trunks };
    this.config = config;
    return config;
  }
}
