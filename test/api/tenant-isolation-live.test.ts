/**
 * Tenant isolation of the live views (issue 21): the call engine, the registrar and the
 * subscription server hold every domain's calls, bindings and subscriptions, so the routes given
 * the tenant's domain (as createApi passes it) list only the tenant's and answer 404, as for a
 * missing one, to a hangup or a binding removal of another tenant's, which stays; without a domain
 * they keep listing every domain's. The admin UI's live snapshot counts only the tenant's calls
 * and registrations.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { LiveEvents } from "../../src/api/admin/live-events.js";
import { LiveSnapshots } from "../../src/api/admin/live-snapshot.js";
import { handleError } from "../../src/api/errors.js";
import { callsRoutes } from "../../src/api/routes/calls.js";
import { registrationsRoutes } from "../../src/api/routes/registrations.js";
import { offlineRouting } from "../../src/api/routes/routing.js";
import { subscriptionsRoutes } from "../../src/api/routes/subscriptions.js";
import type { ActiveCall, LiveRegistration } from "../../src/api/types.js";
import type { SubscriptionView } from "../../src/presence/subscription-server.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { MemoryCalls, MemoryRegistrations, NOW } from "./fixtures.js";

const A = 1;
const B = 2;

function call(id: string, domainId: number): ActiveCall {
  return {
    id,
    domainId,
    caller: "100",
    dialed: "101",
    state: "ringing",
    startedAt: NOW - 1_000,
    legs: [{ role: "caller", peer: "sip:100@192.0.2.1", callId: `${id}-leg`, state: "ringing" }],
  };
}

function binding(id: string, domainId: number): LiveRegistration {
  return {
    id,
    domainId,
    user: "100",
    contact: `sip:100@192.0.2.${domainId}:5060`,
    transport: "udp",
    sourceAddress: `192.0.2.${domainId}`,
    sourcePort: 5060,
    expiresAt: NOW + 60_000,
    userAgent: undefined,
    instanceId: undefined,
    q: undefined,
    path: [],
  };
}

function subscription(id: string, domainId: number): SubscriptionView {
  return {
    id,
    domainId,
    user: "100",
    resource: "100",
    package: "message-summary",
    contact: "sip:100@192.0.2.1",
    transport: "udp",
    sourceAddress: "192.0.2.1",
    sourcePort: 5060,
    expiresAt: NOW + 60_000,
  };
}

describe("tenant isolation of the live views (issue 21)", () => {
  const calls = new MemoryCalls();
  const registrations = new MemoryRegistrations();
  const subscriptions = [subscription("sa", A), subscription("sb", B)];
  let tenant: FastifyInstance;
  let everyone: FastifyInstance;

  async function api(domainId: number | undefined): Promise<FastifyInstance> {
    const app = Fastify();
    app.setErrorHandler(handleError);
    const scope = domainId === undefined ? {} : { domainId };
    const now = () => NOW;
    await app.register(callsRoutes, { calls, now, ...scope });
    await app.register(registrationsRoutes, { registrations, now, ...scope });
    await app.register(subscriptionsRoutes, { subscriptions: { list: () => subscriptions }, now, ...scope });
    await app.ready();
    return app;
  }
  const ids = async (app: FastifyInstance, url: string) => {
    const res = await app.inject({ method: "GET", url });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().items as Array<{ id: string }>).map((item) => item.id).sort();
  };

  before(async () => {
    for (const [id, domainId] of [
      ["ca", A],
      ["cb", B],
    ] as const) {
      calls.add(call(id, domainId));
      registrations.add(binding(id.replace("c", "r"), domainId));
    }
    tenant = await api(A);
    everyone = await api(undefined);
  });
  after(async () => {
    await tenant.close();
    await everyone.close();
  });

  it("lists only the tenant's calls, bindings and subscriptions", async () => {
    assert.deepEqual(await ids(tenant, "/calls"), ["ca"]);
    assert.deepEqual(await ids(tenant, "/registrations"), ["ra"]);
    assert.deepEqual(await ids(tenant, "/registrations?user=100"), ["ra"]);
    assert.deepEqual(await ids(tenant, "/subscriptions"), ["sa"]);
  });

  it("lists every domain's without a domain (the routes as before issue 21)", async () => {
    assert.deepEqual(await ids(everyone, "/calls"), ["ca", "cb"]);
    assert.deepEqual(await ids(everyone, "/registrations"), ["ra", "rb"]);
    assert.deepEqual(await ids(everyone, "/subscriptions"), ["sa", "sb"]);
  });

  it("answers 404 to a hangup or removal of another tenant's call or binding, which stays", async () => {
    for (const url of ["/calls/cb", "/registrations/rb"]) {
      const res = await tenant.inject({ method: "DELETE", url });
      assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
      assert.equal(res.json().error, "not_found");
    }
    assert.deepEqual(calls.hungUp, []);
    assert.ok(calls.calls.has("cb"), "B's call goes on");
    assert.ok(registrations.bindings.has("rb"), "B's binding stays");
    // The tenant's own go as before.
    assert.equal((await tenant.inject({ method: "DELETE", url: "/calls/ca" })).statusCode, 204);
    assert.equal((await tenant.inject({ method: "DELETE", url: "/registrations/ra" })).statusCode, 204);
    assert.deepEqual(calls.hungUp, ["ca"]);
    assert.equal(registrations.bindings.has("ra"), false);
  });
});

describe("the live snapshot of a tenant (issue 21)", () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-tenant-live-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows only the tenant's calls and counts only its registrations", async () => {
    const calls = new MemoryCalls();
    const registrations = new MemoryRegistrations();
    calls.add(call("ca", A));
    calls.add(call("cb", B));
    calls.add(call("cb2", B));
    registrations.add(binding("ra", A));
    registrations.add(binding("rb", B));
    registrations.add(binding("rb2", B));
    const snapshots = new LiveSnapshots({
      store,
      domainId: A,
      events: new LiveEvents(),
      calls,
      registrations,
      userState: () => "offline",
      routing: offlineRouting(store, A),
      now: () => NOW,
    });
    try {
      const data = JSON.parse(await snapshots.build()) as {
        calls: Array<{ id: string }>;
        registrations: number;
      };
      assert.deepEqual(
        data.calls.map((c) => c.id),
        ["ca"],
      );
      assert.equal(data.registrations, 1);
    } finally {
      snapshots.stop();
    }
  });
});
