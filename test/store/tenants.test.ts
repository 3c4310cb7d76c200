/**
 * Tenants in the store (issue 21, migration 018) on every engine: a tenant row carries its SIP
 * domain, ports, limits and state, and survives a reopen; names and SIP domains are unique;
 * removing a tenant's config empties every table that has a domain_id but keeps its CDRs, and
 * the purge takes the records and the row once the retention is over.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ConflictError } from "../../src/store/index.js";
import { onEachBackend } from "./backends.js";
import { sampleCdr } from "./cdr-fixtures.js";

onEachBackend("tenants", (t) => {
  it("stores a tenant's domain, ports, limits and state; they survive a reopen", async () => {
    const created = await t.store.tenants.create({
      name: "acme",
      sipDomain: "acme.test",
      realm: "acme.test",
      ports: { udp: 5070 },
      limits: { users: 10, calls: 2 },
    });
    assert.equal(created.state, "active");
    await t.store.tenants.setState(created.id, "suspended");
    await t.reopen();
    const again = await t.store.tenants.byName("acme");
    assert.ok(again);
    assert.equal(again.sipDomain, "acme.test");
    assert.deepEqual(again.ports, { udp: 5070 });
    assert.deepEqual(again.limits, { users: 10, calls: 2 });
    assert.equal(again.state, "suspended");
    const updated = await t.store.tenants.update(again.id, {
      limits: { users: 3 },
      sipDomain: "acme.example",
    });
    assert.deepEqual(updated.limits, { users: 3 });
    assert.equal(updated.sipDomain, "acme.example");
    assert.equal((await t.store.domains.getDefault()).state, "active", "the default domain is a tenant too");
  });

  it("refuses a second tenant with the same name or SIP domain", async () => {
    await t.store.tenants.create({ name: "one", sipDomain: "one.test", realm: "one.test" });
    await assert.rejects(
      t.store.tenants.create({ name: "one", sipDomain: "other.test", realm: "other.test" }),
      ConflictError,
    );
    await assert.rejects(
      t.store.tenants.create({ name: "two", sipDomain: "one.test", realm: "one.test" }),
      ConflictError,
    );
  });

  it("removing the config keeps the CDRs until the purge, which takes them and the row", async () => {
    let now = 1_000_000;
    const tenant = await t.store.tenants.create({ name: "gone", sipDomain: "gone.test", realm: "gone.test" });
    await t.store.users.create(tenant.id, { name: "100", password: "secret-100" });
    await t.store.users.create(t.domainId, { name: "100", password: "secret-100" });
    await t.store.cdrs.insert(cdr(tenant.id));
    await t.store.cdrs.insert(cdr(t.domainId));
    await t.store.tenants.removeConfig(tenant.id);
    assert.equal(await t.store.users.count(tenant.id), 0, "its users are gone");
    assert.equal(await t.store.users.count(t.domainId), 1, "another tenant's users stay");
    await t.store.tenants.setState(tenant.id, "deleted", now + 10);
    assert.equal((await t.store.cdrs.list({ domainId: tenant.id, offset: 0, limit: 10 })).total, 1);
    const store = t.store as unknown as { tenants: { now: () => number } };
    store.tenants.now = () => now;
    assert.deepEqual(await t.store.tenants.purgeDue(), [], "not yet");
    now += 11;
    assert.deepEqual(await t.store.tenants.purgeDue(), ["gone"]);
    assert.equal((await t.store.cdrs.list({ domainId: tenant.id, offset: 0, limit: 10 })).total, 0);
    assert.equal((await t.store.cdrs.list({ domainId: t.domainId, offset: 0, limit: 10 })).total, 1);
    assert.equal(await t.store.tenants.byName("gone"), undefined);
  });
});

function cdr(domainId: number) {
  return sampleCdr({ domainId, callId: `c-${domainId}-${Math.random()}` });
}
