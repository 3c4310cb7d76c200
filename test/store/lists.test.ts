/**
 * The black and white list and the IP black and white list (issue 16, migration 006) on every
 * engine: records survive a reopen, the key is unique per domain (409), every error names its
 * field, updates and deletes report what did not exist.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConflictError, NotFoundError, type Store, ValidationError } from "../../src/store/index.js";
import { backends, type Location } from "./backends.js";

function fields(error: unknown): string[] {
  assert.ok(error instanceof ValidationError);
  return error.errors.map((e) => e.field);
}

for (const backend of backends) {
  describe(`list store on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;
    let domainId: number;

    before(async () => {
      location = await backend.fresh();
      store = await location.open();
      await store.migrate();
      domainId = (await store.domains.getDefault()).id;
    });

    after(async () => {
      await store?.close();
      await location?.drop();
    });

    it("creates, lists by caller then called prefix, updates and deletes call list records", async () => {
      const a = await store.lists.createCallRecord(domainId, {
        callerPrefix: "0086",
        calledPrefix: "*",
        kind: "black",
        rate: 50,
      });
      const b = await store.lists.createCallRecord(domainId, {
        callerPrefix: "anonymous",
        calledPrefix: "1",
        kind: "black",
      });
      assert.equal(b.rate, 100, "rate defaults to 100 (always)");
      const c = await store.lists.createCallRecord(domainId, {
        callerPrefix: "0086",
        calledPrefix: "100",
        kind: "white",
      });
      assert.deepEqual(
        (await store.lists.callRecords(domainId)).map((r) => [r.callerPrefix, r.calledPrefix, r.kind]),
        [
          ["0086", "*", "black"],
          ["0086", "100", "white"],
          ["anonymous", "1", "black"],
        ],
      );
      const changed = await store.lists.updateCallRecord(domainId, a.id, { rate: 0, kind: "white" });
      assert.equal(changed.rate, 0);
      assert.equal(changed.kind, "white");
      assert.equal(changed.callerPrefix, "0086");
      assert.equal(await store.lists.deleteCallRecord(domainId, c.id), true);
      assert.equal(await store.lists.deleteCallRecord(domainId, c.id), false);
      await assert.rejects(
        store.lists.updateCallRecord(domainId, c.id, { rate: 1 }),
        (e: unknown) => e instanceof NotFoundError,
      );
    });

    it("refuses a second record for the same caller and called prefixes", async () => {
      await assert.rejects(
        store.lists.createCallRecord(domainId, { callerPrefix: "0086", calledPrefix: "*", kind: "white" }),
        (e: unknown) => e instanceof ConflictError,
      );
    });

    it("names every bad field of a call list record", async () => {
      const error = await store.lists
        .createCallRecord(domainId, {
          callerPrefix: "abc",
          calledPrefix: "anonymous",
          kind: "grey" as "black",
          rate: 101,
        })
        .catch((e: unknown) => e);
      assert.deepEqual(fields(error), ["callerPrefix", "calledPrefix", "kind", "rate"]);
    });

    it("creates, updates and deletes IP list entries, IPv4 and IPv6, and names bad fields", async () => {
      const v4 = await store.lists.createIpEntry(domainId, { address: "10.0.0.0/8", kind: "accept" });
      const v6 = await store.lists.createIpEntry(domainId, { address: "2001:db8::/32", kind: "reject" });
      assert.deepEqual(
        (await store.lists.ipEntries(domainId)).map((e) => [e.address, e.kind]),
        [
          ["10.0.0.0/8", "accept"],
          ["2001:db8::/32", "reject"],
        ],
      );
      await assert.rejects(
        store.lists.createIpEntry(domainId, { address: "10.0.0.0/8", kind: "reject" }),
        (e: unknown) => e instanceof ConflictError,
      );
      const error = await store.lists
        .createIpEntry(domainId, { address: "10.0.0.0/33", kind: "drop" as "reject" })
        .catch((e: unknown) => e);
      assert.deepEqual(fields(error), ["address", "kind"]);
      assert.equal((await store.lists.updateIpEntry(domainId, v4.id, { kind: "reject" })).kind, "reject");
      assert.equal(await store.lists.deleteIpEntry(domainId, v6.id), true);
      assert.equal(await store.lists.deleteIpEntry(domainId, v6.id), false);
    });

    it("keeps the lists across a reopen", async () => {
      await store.close();
      store = await location.open();
      assert.equal((await store.lists.callRecords(domainId)).length, 2);
      assert.deepEqual(
        (await store.lists.ipEntries(domainId)).map((e) => e.address),
        ["10.0.0.0/8"],
      );
    });
  });
}
