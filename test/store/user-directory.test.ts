/** The SIP path's cache of users: synchronous hits, TTL, and changes made by another process. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import Database from "better-sqlite3";
import { computeHa1 } from "../../src/store/digest-ha1.js";
import { openStore, type Store } from "../../src/store/index.js";
import { UserDirectory } from "../../src/store/user-directory.js";

describe("UserDirectory over SQLite", () => {
  let dir: string;
  let file: string;
  let store: Store;
  let domainId: number;
  let realm: string;
  let time: number;
  let directory: UserDirectory;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-directory-"));
    file = join(dir, "parley.db");
    store = await openStore({ kind: "sqlite", file });
    await store.migrate();
    const domain = await store.domains.getDefault();
    domainId = domain.id;
    realm = domain.realm;
    await store.users.create(domainId, { name: "200", password: "secret" });
    await store.users.create(domainId, { name: "201", password: "x", ipAuthorization: ["192.0.2.0/24"] });
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    time = 0;
    directory = new UserDirectory(store.users, () => time, 5000);
  });

  /** Another process (the `parley user` CLI) writing to the same file. */
  function writeFromOutside(sql: string, ...params: unknown[]): void {
    const other = new Database(file);
    try {
      other.prepare(sql).run(...params);
    } finally {
      other.close();
    }
  }

  it("cached() knows nothing before a lookup, then answers synchronously", async () => {
    assert.equal(directory.cached(domainId, "200"), undefined);
    const entry = await directory.lookup(domainId, "200");
    assert.equal(entry?.user.name, "200");
    assert.deepEqual(entry?.auth, computeHa1("200", realm, "secret"));
    assert.equal(directory.cached(domainId, "200")?.entry, entry);
  });

  it("cached() remembers an unknown user as { entry: undefined }", async () => {
    assert.equal(await directory.lookup(domainId, "nobody"), undefined);
    const hit = directory.cached(domainId, "nobody");
    assert.ok(hit);
    assert.equal(hit.entry, undefined);
  });

  it("an expired entry nobody else changed is renewed without a read", async () => {
    await directory.lookup(domainId, "200");
    time = 6000;
    assert.ok(directory.cached(domainId, "200")?.entry);
  });

  it("an expired entry another process changed must be read again, and the change is seen", async () => {
    const before = await directory.lookup(domainId, "200");
    assert.equal(before?.user.maxDevices, 3);
    writeFromOutside("update users set max_devices = 5 where name = ?", "200");
    assert.ok(directory.cached(domainId, "200"), "within the TTL the cached entry stands");
    time = 6000;
    assert.equal(directory.cached(domainId, "200"), undefined);
    assert.equal((await directory.lookup(domainId, "200"))?.user.maxDevices, 5);
    writeFromOutside("update users set max_devices = 3 where name = ?", "200");
  });

  it("a change through this process's store is seen at once", async () => {
    await directory.lookup(domainId, "200");
    await store.users.update(domainId, "200", { maxDevices: 4 });
    assert.equal(directory.cached(domainId, "200"), undefined);
    assert.equal((await directory.lookup(domainId, "200"))?.user.maxDevices, 4);
    await store.users.update(domainId, "200", { maxDevices: 3 });
  });

  it("byIp() finds IP-authorized users; cachedByIp() then answers for any address", async () => {
    assert.equal(directory.cachedByIp("192.0.2.7"), undefined);
    assert.deepEqual(
      (await directory.byIp("192.0.2.7")).map((u) => u.name),
      ["201"],
    );
    assert.deepEqual(directory.cachedByIp("198.51.100.1"), []);
    assert.deepEqual(
      directory.cachedByIp("192.0.2.99")?.map((u) => u.name),
      ["201"],
    );
    time = 6000;
    assert.ok(directory.cachedByIp("192.0.2.7"), "renewed: nobody else wrote");
    writeFromOutside("update users set ip_authorization = '[]' where name = ?", "201");
    time = 12000;
    assert.equal(directory.cachedByIp("192.0.2.7"), undefined);
    assert.deepEqual(await directory.byIp("192.0.2.7"), []);
  });
});
