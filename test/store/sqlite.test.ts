/** What only the embedded SQLite store does: the file in the data dir, WAL, and batched writes. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { type Binding, type Store, storeFromUrl } from "../../src/store/index.js";

const NOW = 1_800_000_000_000;

function binding(contactUri: string): Binding {
  return {
    domainId: 1,
    user: "100",
    contactUri,
    expiresAt: NOW + 60_000,
    callId: "c",
    cseq: 1,
    path: [],
    sourceAddress: "192.0.2.1",
    sourcePort: 5060,
    transport: "udp",
    updatedAt: NOW,
  };
}

describe("the embedded SQLite store", () => {
  let root: string;
  let dataDir: string;
  let store: Store;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "parley-sqlite-"));
    dataDir = join(root, "data", "nested");
    store = await storeFromUrl(undefined, dataDir);
    await store.migrate();
  });

  after(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("storeFromUrl(undefined) creates the data dir and parley.db in it", () => {
    assert.equal(existsSync(join(dataDir, "parley.db")), true);
  });

  it("the file is in WAL mode", () => {
    const probe = new Database(join(dataDir, "parley.db"), { readonly: true });
    try {
      assert.equal(probe.pragma("journal_mode", { simple: true }), "wal");
    } finally {
      probe.close();
    }
  });

  it("a binding written while a Kysely transaction is open does not join it (its rollback keeps the binding)", async () => {
    let write: Promise<void> | undefined;
    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        await trx.updateTable("domains").set({ realm: "changed" }).execute();
        write = store.bindings.upsert(binding("sip:100@192.0.2.1"));
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error("roll back");
      }),
      /roll back/,
    );
    await write;
    assert.equal((await store.domains.getDefault()).realm, "parley");
    assert.deepEqual(
      (await store.bindings.listActive(NOW)).map((b) => b.contactUri),
      ["sip:100@192.0.2.1"],
    );
  });

  it("close() commits writes still queued", async () => {
    const pending = store.bindings.upsert(binding("sip:100@192.0.2.2"));
    await store.close();
    await pending;
    store = await storeFromUrl(undefined, dataDir);
    assert.equal((await store.bindings.listActive(NOW)).length, 2);
  });
});
