/**
 * Issue 23, record IDs start at 1 on a fresh install, on every engine: after the first start's
 * seeding (users 100, 101, 102 are 1..3; the emergency numbers and the default menu are seeded
 * too), the first record an operator creates of each kind is 1: user 4 after the seeded three,
 * and the first line's, trunk's, analyze (route) record's, refine record's, CDR's, hunt group's,
 * detection's, conference room's and list entry's id is 1. Analyze and refine records are numbered
 * per kind (migration 013): before it they shared one counter with the lines and trunks, so the
 * first route after a line and a trunk was 3. Records stored before 013 keep their ids.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { EmergencyNumberRepository } from "../../src/store/emergency-repository.js";
import { migrations, type Store } from "../../src/store/index.js";
import { migratorFor } from "../../src/store/migrations.js";
import { backends, type Location, onEachBackend } from "./backends.js";
import { sampleCdr } from "./cdr-fixtures.js";

const MIGRATION = "013_routing_record_ids";

function idOf(value: unknown): number {
  return (value as { id: number }).id;
}

onEachBackend("record ids on a fresh install", (t) => {
  before(async () => {
    // What the server's first start writes (server.ts): the preset users, the language's numbers.
    assert.equal(await t.store.seedDefaults(), true);
    await new EmergencyNumberRepository(t.store.db).seedLanguageDefaults(t.domainId, "en");
  });

  it("the seeded users are 1..3 and the first user an operator creates is 4", async () => {
    const users = await t.store.users.list({ domainId: t.domainId });
    assert.deepEqual(
      users.items.map((u) => [u.name, u.id]),
      [
        ["100", 1],
        ["101", 2],
        ["102", 3],
      ],
    );
    assert.equal((await t.store.users.create(t.domainId, { name: "200", password: "k3y-of-200" })).id, 4);
  });

  it("the first analyze (route) and refine records are 1 after a line and a trunk exist", async () => {
    const line = { account: "5550100", server: "sip.provider.example", password: "secret" };
    await t.store.routing.create(t.domainId, "line", line);
    await t.store.routing.create(t.domainId, "trunk", { trunkId: "branch1", address: "192.0.2.10" });
    await t.store.routing.create(t.domainId, "transition", { id: 1, type: "delete", start: 0, length: 1 });
    const route = { prefix: "0", routeType: "external-line", externalLine: "5550100" };
    assert.equal(idOf(await t.store.routing.create(t.domainId, "analyze", route)), 1);
    const refine = { outgoingGroupId: 1, prefix: "0", transitionId: 1 };
    assert.equal(idOf(await t.store.routing.create(t.domainId, "refine", refine)), 1);
    const second = { prefix: "8", routeType: "sip-trunk", sipTrunk: "branch1" };
    assert.equal(idOf(await t.store.routing.create(t.domainId, "analyze", second)), 2);
  });

  it("an analyze record is read, changed and deleted by that id", async () => {
    const got = await t.store.routing.get(t.domainId, "analyze", "2");
    assert.equal((got as { prefix: string }).prefix, "8");
    const changed = await t.store.routing.update(t.domainId, "analyze", "2", { callRight: 2 });
    assert.equal(idOf(changed), 2);
    assert.deepEqual(
      (await t.store.routing.list(t.domainId, "analyze")).map((r) => [r.id, r.prefix]),
      [
        [1, "0"],
        [2, "8"],
      ],
    );
    assert.equal(await t.store.routing.delete(t.domainId, "analyze", "2"), true);
    assert.equal(await t.store.routing.get(t.domainId, "analyze", "2"), undefined);
  });

  it("two routes created at once get different ids", async () => {
    const created = await Promise.all(
      ["71", "72", "73"].map((prefix) =>
        t.store.routing.create(t.domainId, "analyze", { prefix, routeType: "reject", rejectStatus: 403 }),
      ),
    );
    assert.deepEqual(created.map(idOf).sort(), [2, 3, 4]);
  });

  it("the first CDR, hunt group, detection, conference room and list entries are 1", async () => {
    assert.equal((await t.store.cdrs.insert(sampleCdr({ domainId: t.domainId }))).id, 1);
    assert.equal((await t.store.huntGroups.createGroup(t.domainId, { number: "600" })).id, 1);
    const detection = await t.store.huntGroups.createDetection(t.domainId, {
      calledNumber: "600",
      huntGroup: "600",
    });
    assert.equal(detection.id, 1);
    assert.equal((await t.store.conferenceRooms.create(t.domainId, { number: "700" })).id, 1);
    const black = { callerPrefix: "123", calledPrefix: "*", kind: "black" as const };
    assert.equal((await t.store.lists.createCallRecord(t.domainId, black)).id, 1);
    const accept = { address: "192.0.2.1", kind: "accept" as const };
    assert.equal((await t.store.lists.createIpEntry(t.domainId, accept)).id, 1);
  });
});

for (const backend of backends) {
  describe(`migration ${MIGRATION} on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;
    let domainId: number;

    before(async () => {
      location = await backend.fresh();
      store = await location.open();
      const names = Object.keys(migrations(store.kind)).sort();
      const previous = names[names.indexOf(MIGRATION) - 1]!;
      const { error } = await (await migratorFor(store.db, store.kind)).migrateTo(previous);
      assert.equal(error, undefined);
      domainId = (await store.domains.getDefault()).id;
      // Rows as the schema before 013 stored them: a line (row 1), then a route (row 2).
      const row = (kind: string, key: string, config: object) =>
        sql`insert into routing_config (domain_id, kind, ${sql.ref("key")}, config, created_at, updated_at)
            values (${domainId}, ${kind}, ${key}, ${JSON.stringify(config)}, 0, 0)`.execute(store.db);
      await row("line", "5550100", { account: "5550100", server: "sip.provider.example", password: "" });
      await row("analyze", "default 0", { dialPlan: "default", prefix: "0", routeType: "external-line" });
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await location?.drop();
    });

    it("keeps the id a route had before it, and numbers the next route after it", async () => {
      const [old] = await store.routing.list(domainId, "analyze");
      assert.equal(old?.id, 2);
      assert.equal((await store.routing.get(domainId, "analyze", "2"))?.prefix, "0");
      const next = { prefix: "8", routeType: "reject", rejectStatus: 403 };
      assert.equal(idOf(await store.routing.create(domainId, "analyze", next)), 3);
    });
  });
}
