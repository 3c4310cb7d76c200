/**
 * The REGISTER and call credential source (src/auth/credential-directory.ts): local users of the
 * store first, then the accounts of type 1 external lines (FEATURES.md section 3: an FXO gateway
 * registers and calls with the line's account and password), each gateway one device. Over a
 * real SQLite store and UserDirectory; the lines are handed in as the routing service would.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CredentialDirectory, type GatewayLine } from "../../src/auth/credential-directory.js";
import { computeHa1 } from "../../src/store/digest-ha1.js";
import { openStore, type Store } from "../../src/store/index.js";
import { UserDirectory } from "../../src/store/user-directory.js";

describe("CredentialDirectory", () => {
  let dir: string;
  let store: Store;
  let domainId: number;
  const realm = "example.test";
  const lines: GatewayLine[] = [
    { type: 1, account: "gw1", password: "gwpass" },
    { type: 0, account: "provider", password: "secret" },
    // A line named like a local user: the user wins.
    { type: 1, account: "200", password: "linepass" },
  ];
  let linesRead = false;
  const directory = () =>
    new CredentialDirectory({
      users: new UserDirectory(store.users),
      realm,
      cachedLines: () => (linesRead ? lines : undefined),
      loadLines: async () => {
        linesRead = true;
        return lines;
      },
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-credentials-"));
    store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
    await store.users.create(domainId, { name: "200", password: "secret" });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lookup() answers a local user with the store's entry", async () => {
    const entry = await directory().lookup(domainId, "200");
    assert.ok(entry !== undefined && "name" in entry.user);
    assert.equal(entry.user.name, "200");
    assert.notDeepEqual(entry.auth, computeHa1("200", realm, "linepass"), "not the line's password");
  });

  it("lookup() answers a type 1 line's account with its HA1 over the realm, one device", async () => {
    const entry = await directory().lookup(domainId, "gw1");
    assert.deepEqual(entry, {
      auth: computeHa1("gw1", realm, "gwpass"),
      user: { multiDevice: false, maxDevices: 1 },
    });
  });

  it("a type 0 line's account (Parley's own account at a provider) is nobody here", async () => {
    assert.equal(await directory().lookup(domainId, "provider"), undefined);
    assert.equal(await directory().lookup(domainId, "nobody"), undefined);
  });

  it("cached() answers synchronously once the user and the lines were read, else undefined", async () => {
    linesRead = false;
    const d = directory();
    assert.equal(d.cached(domainId, "gw1"), undefined, "nothing read yet");
    assert.equal(
      await d.lookup(domainId, "gw1").then((e) => e?.auth.ha1Md5),
      computeHa1("gw1", realm, "gwpass").ha1Md5,
    );
    assert.deepEqual(d.cached(domainId, "gw1")?.entry?.user, { multiDevice: false, maxDevices: 1 });
    await d.lookup(domainId, "provider");
    assert.deepEqual(d.cached(domainId, "provider"), { entry: undefined });
  });
});
