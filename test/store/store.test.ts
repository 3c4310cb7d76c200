/**
 * The store's repositories, the same suite on every engine: SQLite always, MariaDB and PostgreSQL
 * when their URLs are set (see backends.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Binding,
  ConflictError,
  NotFoundError,
  type Store,
  storeOptionsFromUrl,
  ValidationError,
} from "../../src/store/index.js";
import { migrations } from "../../src/store/migrations.js";
import { backends, type Location } from "./backends.js";

const HA1_100 = {
  ha1Md5: "0e8e412361d8d8a48c8b462b8ae254e2",
  ha1Sha256: "78e0b01e817eae8a39f577f4271fdffa3de2b7fcb3539a7a4af0b08bd6372755",
};

const NOW = 1_800_000_000_000;

function binding(user: string, contactUri: string, over: Partial<Binding> = {}): Binding {
  return {
    domainId: 1,
    user,
    contactUri,
    expiresAt: NOW + 3_600_000,
    callId: `call-${user}`,
    cseq: 1,
    path: [],
    sourceAddress: "192.0.2.10",
    sourcePort: 5060,
    transport: "udp",
    updatedAt: NOW,
    ...over,
  };
}

async function rejectsWith<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${type.name}, but it resolved`);
}

for (const backend of backends) {
  describe(`store on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;
    let domainId: number;
    let clock = NOW;

    before(async () => {
      location = await backend.fresh();
      store = await location.open({ now: () => clock });
      // Every migration applies on a fresh database, in name order.
      assert.deepEqual(await store.migrate(), Object.keys(migrations("sqlite")).sort());
      domainId = (await store.domains.getDefault()).id;
    });

    after(async () => {
      await store?.close();
      await location?.drop();
    });

    describe("migrations", () => {
      it("store.migrate() again applies nothing", async () => {
        assert.deepEqual(await store.migrate(), []);
      });
    });

    describe("domains", () => {
      it("a fresh install has one default domain, realm 'parley', accepting any host", async () => {
        const domains = await store.domains.list();
        assert.equal(domains.length, 1);
        assert.equal(domains[0].name, "default");
        assert.equal(domains[0].realm, "parley");
        assert.equal(domains[0].acceptsAnyHost, true);
        assert.deepEqual(await store.domains.get(domains[0].id), domains[0]);
        assert.equal(await store.domains.get(9999), undefined);
      });
    });

    describe("seedDefaults()", () => {
      it("creates 100, 101, 102 in an empty store, with HA1 of name:parley:name", async () => {
        assert.equal(await store.seedDefaults(), true);
        const page = await store.users.list({ domainId });
        assert.deepEqual(
          page.items.map((u) => u.name),
          ["100", "101", "102"],
        );
        assert.deepEqual(await store.users.getAuth(domainId, "100"), HA1_100);
      });

      it("does nothing the second time", async () => {
        assert.equal(await store.seedDefaults(), false);
        assert.equal(await store.users.count(), 3);
      });
    });

    describe("users", () => {
      it("create() stores every field and returns the user without any password", async () => {
        clock = NOW + 1000;
        const user = await store.users.create(domainId, {
          name: "200",
          password: "pw200",
          displayName: "Zoë Reception",
          forwarding: { busy: { enabled: true, number: "+4930*1#" } },
          followMe: { strategy: 2, interval: 15, destinations: ["201", "", "0049301"] },
          multiDevice: true,
          maxDevices: 5,
          ipAuthorization: ["192.0.2.0/24", "2001:db8::/32"],
          staticContact: "sip:200@192.0.2.50:5060",
          ringingGroupId: 7,
          relayMedia: true,
        });
        assert.equal(user.name, "200");
        assert.equal(user.domainId, domainId);
        assert.equal(user.displayName, "Zoë Reception");
        assert.deepEqual(user.forwarding.busy, { enabled: true, number: "+4930*1#" });
        assert.deepEqual(user.forwarding.noAnswer, { enabled: false, number: "" });
        assert.deepEqual(user.followMe, { strategy: 2, interval: 15, destinations: ["201", "", "0049301"] });
        assert.equal(user.multiDevice, true);
        assert.equal(user.maxDevices, 5);
        assert.deepEqual(user.ipAuthorization, ["192.0.2.0/24", "2001:db8::/32"]);
        assert.equal(user.staticContact, "sip:200@192.0.2.50:5060");
        assert.equal(user.ringingGroupId, 7);
        assert.equal(user.relayMedia, true);
        assert.equal(user.createdAt, NOW + 1000);
        assert.equal(user.updatedAt, NOW + 1000);
        assert.equal("password" in user, false);
        assert.deepEqual(await store.users.get(domainId, "200"), user);
      });

      it("create() with a taken name rejects with ConflictError", async () => {
        const error = await rejectsWith(
          store.users.create(domainId, { name: "100", password: "x" }),
          ConflictError,
        );
        assert.equal(error.code, "conflict");
      });

      it("names are case-sensitive on every engine", async () => {
        await store.users.create(domainId, { name: "alice", password: "a" });
        await store.users.create(domainId, { name: "Alice", password: "b" });
        assert.equal((await store.users.get(domainId, "alice"))?.name, "alice");
        assert.equal((await store.users.get(domainId, "Alice"))?.name, "Alice");
        assert.equal(await store.users.get(domainId, "ALICE"), undefined);
        await store.users.delete(domainId, "alice");
        await store.users.delete(domainId, "Alice");
      });

      it("create() with bad input rejects with ValidationError naming the fields", async () => {
        const error = await rejectsWith(
          store.users.create(domainId, { name: "300", password: "x", ipAuthorization: ["1.2.3.4", "nope"] }),
          ValidationError,
        );
        assert.deepEqual(
          error.errors.map((e) => e.field),
          ["ipAuthorization[1]"],
        );
      });

      it("create() in an unknown domain rejects with NotFoundError", async () => {
        await rejectsWith(store.users.create(9999, { name: "300", password: "x" }), NotFoundError);
      });

      it("list() pages in name order and counts the total", async () => {
        const first = await store.users.list({ domainId, offset: 0, limit: 2 });
        assert.deepEqual(
          first.items.map((u) => u.name),
          ["100", "101"],
        );
        assert.equal(first.total, 4);
        const second = await store.users.list({ domainId, offset: 2, limit: 2 });
        assert.deepEqual(
          second.items.map((u) => u.name),
          ["102", "200"],
        );
      });

      it("list() searches the name and the display name, case-insensitively", async () => {
        const byDisplay = await store.users.list({ domainId, search: "RECEPTION" });
        assert.deepEqual(
          byDisplay.items.map((u) => u.name),
          ["200"],
        );
        assert.equal(byDisplay.total, 1);
        const byName = await store.users.list({ domainId, search: "10" });
        assert.equal(byName.total, 3);
      });

      it("list() treats % and _ in a search as plain characters", async () => {
        assert.equal((await store.users.list({ domainId, search: "%" })).total, 0);
        assert.equal((await store.users.list({ domainId, search: "_" })).total, 0);
      });

      it("update() applies a nested partial change and keeps the rest", async () => {
        clock = NOW + 2000;
        const user = await store.users.update(domainId, "200", {
          forwarding: { busy: { number: "555" } },
          callWaiting: false,
        });
        assert.deepEqual(user.forwarding.busy, { enabled: true, number: "555" });
        assert.equal(user.callWaiting, false);
        assert.equal(user.displayName, "Zoë Reception");
        assert.equal(user.createdAt, NOW + 1000);
        assert.equal(user.updatedAt, NOW + 2000);
      });

      it("update() clears an enabled forwarding's number and keeps the right (*90# by phone)", async () => {
        const user = await store.users.update(domainId, "200", { forwarding: { busy: { number: "" } } });
        assert.deepEqual(user.forwarding.busy, { enabled: true, number: "" });
        const again = await store.users.update(domainId, "200", { forwarding: { busy: { number: "555" } } });
        assert.deepEqual(again.forwarding.busy, { enabled: true, number: "555" });
      });

      it("doNotDisturb is off for a new user and round-trips through update()", async () => {
        assert.equal((await store.users.get(domainId, "200"))?.doNotDisturb, false);
        const on = await store.users.update(domainId, "200", { doNotDisturb: true });
        assert.equal(on.doNotDisturb, true);
        assert.equal((await store.users.get(domainId, "200"))?.doNotDisturb, true);
        const off = await store.users.update(domainId, "200", { doNotDisturb: false });
        assert.equal(off.doNotDisturb, false);
      });

      it("update() with a new password replaces both HA1s; without one keeps them", async () => {
        await store.users.update(domainId, "101", { displayName: "Bob" });
        const before = await store.users.getAuth(domainId, "101");
        await store.users.update(domainId, "101", { password: "100" });
        const after = await store.users.getAuth(domainId, "101");
        assert.notDeepEqual(after, before);
        assert.notDeepEqual(after, HA1_100, "the name is part of the hash");
      });

      it("update() renames with a new password; a taken name is a ConflictError", async () => {
        await rejectsWith(store.users.update(domainId, "102", { name: "100", password: "x" }), ConflictError);
        const renamed = await store.users.update(domainId, "102", { name: "103", password: "103" });
        assert.equal(renamed.name, "103");
        assert.equal(await store.users.get(domainId, "102"), undefined);
        await store.users.update(domainId, "103", { name: "102", password: "102" });
      });

      it("update() of an unknown user rejects with NotFoundError", async () => {
        await rejectsWith(store.users.update(domainId, "999", { displayName: "x" }), NotFoundError);
      });

      it("getAuth() of an unknown user is undefined", async () => {
        assert.equal(await store.users.getAuth(domainId, "999"), undefined);
      });

      it("findByIp() finds users by address and range, IPv4 and IPv6", async () => {
        const names = async (ip: string) => (await store.users.findByIp(ip)).map((u) => u.name);
        assert.deepEqual(await names("192.0.2.77"), ["200"]);
        assert.deepEqual(await names("::ffff:192.0.2.77"), ["200"]);
        assert.deepEqual(await names("2001:db8:5::1"), ["200"]);
        assert.deepEqual(await names("198.51.100.1"), []);
      });

      it("delete() removes the user and its bindings; an unknown user gives false", async () => {
        await store.users.create(domainId, { name: "400", password: "x" });
        await store.bindings.upsert(binding("400", "sip:400@192.0.2.40"));
        assert.equal(await store.users.delete(domainId, "400"), true);
        assert.equal(await store.users.get(domainId, "400"), undefined);
        assert.deepEqual(
          (await store.bindings.listActive(NOW)).filter((b) => b.user === "400"),
          [],
        );
        assert.equal(await store.users.delete(domainId, "400"), false);
      });
    });

    describe("bindings", () => {
      it("upsert() stores every field; listActive() returns it", async () => {
        const full = binding("100", "sip:100@10.0.0.5:5060;transport=tcp", {
          domainId,
          q: 0.7,
          instanceId: "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>",
          regId: 1,
          path: ["<sip:edge1.example.com;lr>", "<sip:edge2.example.com;lr>"],
          sourceAddress: "203.0.113.9",
          sourcePort: 40123,
          transport: "tcp",
          flowId: "tcp:203.0.113.9:40123",
          userAgent: "Yealink SIP-T46U",
        });
        await store.bindings.upsert(full);
        assert.deepEqual(await store.bindings.listActive(NOW), [full]);
      });

      it("upsert() of the same contact replaces it", async () => {
        const refreshed = binding("100", "sip:100@10.0.0.5:5060;transport=tcp", {
          domainId,
          cseq: 2,
          expiresAt: NOW + 7_200_000,
          transport: "tcp",
        });
        await store.bindings.upsert(refreshed);
        assert.deepEqual(await store.bindings.listActive(NOW), [refreshed]);
      });

      it("refreshAll() updates expiry, Call-ID, CSeq and update time, and inserts a missing binding", async () => {
        const existing = binding("100", "sip:100@10.0.0.5:5060;transport=tcp", {
          domainId,
          cseq: 3,
          callId: "call-refresh",
          expiresAt: NOW + 9_000_000,
          updatedAt: NOW + 5,
          transport: "tcp",
        });
        const missing = binding("101", "sip:101@10.0.0.9", { domainId });
        await store.bindings.refreshAll([existing, missing]);
        const byContact = new Map((await store.bindings.listActive(NOW)).map((b) => [b.contactUri, b]));
        assert.deepEqual(byContact.get(existing.contactUri), existing);
        assert.deepEqual(byContact.get(missing.contactUri), missing);
        await store.bindings.remove(domainId, "101", missing.contactUri);
      });

      it("keeps several contacts per user and a contact longer than any index", async () => {
        const long = `sip:100@10.0.0.6;x=${"a".repeat(3000)}`;
        await store.bindings.upsert(binding("100", long, { domainId }));
        await store.bindings.upsert(binding("101", "sip:101@10.0.0.7", { domainId }));
        const active = await store.bindings.listActive(NOW);
        assert.equal(active.length, 3);
        assert.equal(
          active.some((b) => b.contactUri === long),
          true,
        );
      });

      it("remove() removes one contact", async () => {
        const long = `sip:100@10.0.0.6;x=${"a".repeat(3000)}`;
        assert.equal(await store.bindings.remove(domainId, "100", long), 1);
        assert.equal(await store.bindings.remove(domainId, "100", long), 0);
        assert.equal((await store.bindings.listActive(NOW)).length, 2);
      });

      it("removeAllForUser() removes every contact of one user", async () => {
        await store.bindings.upsert(binding("101", "sip:101@10.0.0.8", { domainId }));
        assert.equal(await store.bindings.removeAllForUser(domainId, "101"), 2);
        assert.deepEqual(
          (await store.bindings.listActive(NOW)).map((b) => b.user),
          ["100"],
        );
      });

      it("listActive() leaves out expired bindings; purgeExpired() deletes them", async () => {
        await store.bindings.upsert(binding("102", "sip:102@10.0.0.9", { domainId, expiresAt: NOW - 1 }));
        await store.bindings.upsert(binding("102", "sip:102@10.0.0.10", { domainId, expiresAt: NOW }));
        assert.deepEqual(
          (await store.bindings.listActive(NOW)).map((b) => b.user),
          ["100"],
        );
        assert.equal(await store.bindings.purgeExpired(NOW), 2);
        assert.equal(await store.bindings.purgeExpired(NOW), 0);
      });

      it("a burst of writes issued together all land", async () => {
        const writes = [];
        for (let i = 0; i < 50; i++)
          writes.push(store.bindings.upsert(binding("102", `sip:102@10.1.0.${i}`, { domainId })));
        await Promise.all(writes);
        assert.equal((await store.bindings.listActive(NOW)).filter((b) => b.user === "102").length, 50);
        assert.equal(await store.bindings.removeAllForUser(domainId, "102"), 50);
      });
    });

    describe("restart", () => {
      it("close() and reopen keeps users, HA1s and bindings; migrate() applies nothing", async () => {
        const usersBefore = await store.users.list({ domainId });
        const bindingsBefore = await store.bindings.listActive(NOW);
        await store.close();
        await store.close();
        store = await location.open({ now: () => clock });
        assert.deepEqual(await store.migrate(), []);
        assert.equal(await store.seedDefaults(), false);
        assert.deepEqual(await store.users.list({ domainId }), usersBefore);
        assert.deepEqual(await store.users.getAuth(domainId, "100"), HA1_100);
        assert.deepEqual(await store.bindings.listActive(NOW), bindingsBefore);
        assert.equal(bindingsBefore.length, 1);
      });
    });
  });
}

describe("storeOptionsFromUrl()", () => {
  it("without a URL is SQLite at <dataDir>/parley.db", () => {
    assert.deepEqual(storeOptionsFromUrl(undefined, "/var/lib/parley"), {
      kind: "sqlite",
      file: "/var/lib/parley/parley.db",
    });
  });

  it("reads mysql://, mariadb://, postgres:// and postgresql:// URLs", () => {
    assert.deepEqual(storeOptionsFromUrl("mysql://u@h/db", "/d"), { kind: "mysql", url: "mysql://u@h/db" });
    assert.deepEqual(storeOptionsFromUrl("mariadb://u@h/db", "/d"), { kind: "mysql", url: "mysql://u@h/db" });
    assert.deepEqual(storeOptionsFromUrl("postgres://u@h/db", "/d"), {
      kind: "postgres",
      url: "postgres://u@h/db",
    });
    assert.deepEqual(storeOptionsFromUrl("postgresql://u@h/db", "/d"), {
      kind: "postgres",
      url: "postgresql://u@h/db",
    });
  });

  it("rejects an unknown scheme", () => {
    assert.throws(() => storeOptionsFromUrl("redis://h", "/d"), /unsupported database URL scheme/);
  });
});
