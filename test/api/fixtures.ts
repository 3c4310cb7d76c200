/**
 * A real API over a real SQLite store in a temp dir, with small real in-memory implementations of
 * the views the registrar and the composition root provide.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import type { OriginateView } from "../../src/api/routes/originate.js";
import type {
  ActiveCall,
  CallsView,
  LiveRegistration,
  RegistrationsView,
  ServerStatus,
  StatusSource,
} from "../../src/api/types.js";
import { BanList } from "../../src/auth/ban-list.js";
import type { OriginateRequest, OriginateResult } from "../../src/call/originate.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { VirtualClock } from "../../src/util/clock.js";

export const TOKEN = "test-token-0123456789abcdef";
/** Wall-clock "now" of the tests: 2027-01-15T08:00:00.000Z. */
export const NOW = Date.UTC(2027, 0, 15, 8, 0, 0);
/** The ban list's virtual clock reads 0 at this epoch time. */
export const CLOCK_EPOCH = NOW - 1_000_000;

export class MemoryRegistrations implements RegistrationsView {
  readonly bindings = new Map<string, LiveRegistration>();

  add(binding: LiveRegistration): void {
    this.bindings.set(binding.id, binding);
  }

  list(filter?: { user?: string }): LiveRegistration[] {
    return [...this.bindings.values()].filter((b) => filter?.user === undefined || b.user === filter.user);
  }

  async remove(id: string): Promise<boolean> {
    return this.bindings.delete(id);
  }
}

/** Calls in progress as a test sets them; hangup() removes one and remembers it. */
export class MemoryCalls implements CallsView {
  readonly calls = new Map<string, ActiveCall>();
  readonly hungUp: string[] = [];

  add(call: ActiveCall): void {
    this.calls.set(call.id, call);
  }

  list(): ActiveCall[] {
    return [...this.calls.values()];
  }

  async hangup(id: string): Promise<boolean> {
    if (!this.calls.delete(id)) return false;
    this.hungUp.push(id);
    return true;
  }
}

/** Click-to-call as a test sees it: every request kept; "999" is no user, "102" has no device. */
export class MemoryOriginator implements OriginateView {
  readonly requests: OriginateRequest[] = [];

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    this.requests.push(request);
    if (request.from === "999") return { ok: false, code: "not-found", field: "from", message: "no user" };
    if (request.from === "102")
      return { ok: false, code: "unavailable", field: "from", message: "no registered device" };
    return { ok: true, id: `o${this.requests.length}` };
  }
}

export class FixedStatus implements StatusSource {
  constructor(private readonly value: ServerStatus) {}
  status(): ServerStatus {
    return this.value;
  }
}

/**
 * What every route test's API needs and rarely looks at: no registrations, no calls, a ban list
 * nobody trips, a fixed status, the test token, no web UI. A test spreads it and adds the
 * dependency it is about (`createApi({ ...baseApiDeps(store), huntGroups })`).
 */
export function baseApiDeps(store: Store) {
  return {
    store,
    registrations: new MemoryRegistrations(),
    bans: new BanList(new VirtualClock(), {
      threshold: 3,
      userThreshold: 9,
      windowMs: 1,
      banMs: 1,
      allow: [],
    }),
    calls: new MemoryCalls(),
    status: new FixedStatus({ version: "0", startedAt: 0, listeners: [], counts: {} }),
    token: TOKEN,
    webUi: false,
  };
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  registrations: MemoryRegistrations;
  calls: MemoryCalls;
  originate: MemoryOriginator;
  bans: BanList;
  clock: VirtualClock;
  dir: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "parley-api-"));
  const store = await storeFromUrl(undefined, dir);
  await store.migrate();
  const clock = new VirtualClock();
  clock.advance(1_000_000);
  const bans = new BanList(clock, {
    threshold: 3,
    userThreshold: 100,
    windowMs: 60_000,
    banMs: 600_000,
    allow: [],
  });
  const registrations = new MemoryRegistrations();
  const calls = new MemoryCalls();
  const originate = new MemoryOriginator();
  const status = new FixedStatus({
    version: "0.1.0",
    startedAt: NOW - 90_500,
    listeners: [
      { protocol: "udp", address: "0.0.0.0", port: 5060 },
      { protocol: "tcp", address: "0.0.0.0", port: 5060 },
    ],
    counts: { users: 0, registrations: 0, bans: 0 },
  });
  const app = await createApi({
    store,
    registrations,
    bans,
    calls,
    originate,
    status,
    token: TOKEN,
    toEpochMs: (ms) => CLOCK_EPOCH + ms,
    now: () => NOW,
  });
  await app.ready();
  return {
    app,
    store,
    registrations,
    calls,
    originate,
    bans,
    clock,
    dir,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const auth = { authorization: `Bearer ${TOKEN}` };
