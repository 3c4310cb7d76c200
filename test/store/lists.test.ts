/**
 * The black and white list and the IP black and white list (issue 16, migration 006) on every
 * engine: records survive a reopen, the key is unique per domain (409), every error names its
 * field, updates and deletes report what did not exist.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ConflictError, NotFoundError, ValidationError } from "../../src/store/index.js";
import { onEachBackend } from "./backends.js";

function fields(error: unknown): string[] {
  assert.ok(error instanceof ValidationError);
  return error.errors.map((e) => e.field);
}

onEachBackend("list store", (t) => {
  it("creates, lists by caller then called prefix, updates and deletes call list records", async () => {
    const a = await t.store.lists.createCallRecord(t.domainId, {
      callerPrefix: "0086",
      calledPrefix: "*",
      kind: "black",
      rate: 50,
    });
    const b = await t.store.lists.createCallRecord(t.domainId, {
      callerPrefix: "anonymous",
      calledPrefix: "1",
      kind: "black",
    });
    assert.equal(b.rate, 100, "rate defaults to 100 (always)");
    const c = await t.store.lists.createCallRecord(t.domainId, {
      callerPrefix: "0086",
      calledPrefix: "100",
      kind: "white",
    });
    assert.deepEqual(
      (await t.store.lists.callRecords(t.domainId)).map((r) => [r.callerPrefix, r.calledPrefix, r.kind]),
      [
        ["0086", "*", "black"],
        ["0086", "100", "white"],
        ["anonymous", "1", "black"],
      ],
    );
    const changed = await t.store.lists.updateCallRecord(t.domainId, a.id, { rate: 0, kind: "white" });
    assert.equal(changed.rate, 0);
    assert.equal(changed.kind, "white");
    assert.equal(changed.callerPrefix, "0086");
    assert.equal(await t.store.lists.deleteCallRecord(t.domainId, c.id), true);
    assert.equal(await t.store.lists.deleteCallRecord(t.domainId, c.id), false);
    await assert.rejects(
      t.store.lists.updateCallRecord(t.domainId, c.id, { rate: 1 }),
      (e: unknown) => e instanceof NotFoundError,
    );
  });

  it("refuses a second record for the same caller and called prefixes", async () => {
    await assert.rejects(
      t.store.lists.createCallRecord(t.domainId, { callerPrefix: "0086", calledPrefix: "*", kind: "white" }),
      (e: unknown) => e instanceof ConflictError,
    );
  });

  it("names every bad field of a call list record", async () => {
    const error = await t.store.lists
      .createCallRecord(t.domainId, {
        callerPrefix: "abc",
        calledPrefix: "anonymous",
        kind: "grey" as "black",
        rate: 101,
      })
      .catch((e: unknown) => e);
    assert.deepEqual(fields(error), ["callerPrefix", "calledPrefix", "kind", "rate"]);
  });

  it("creates, updates and deletes IP list entries, IPv4 and IPv6, and names bad fields", async () => {
    const v4 = await t.store.lists.createIpEntry(t.domainId, { address: "10.0.0.0/8", kind: "accept" });
    const v6 = await t.store.lists.createIpEntry(t.domainId, { address: "2001:db8::/32", kind: "reject" });
    assert.deepEqual(
      (await t.store.lists.ipEntries(t.domainId)).map((e) => [e.address, e.kind]),
      [
        ["10.0.0.0/8", "accept"],
        ["2001:db8::/32", "reject"],
      ],
    );
    await assert.rejects(
      t.store.lists.createIpEntry(t.domainId, { address: "10.0.0.0/8", kind: "reject" }),
      (e: unknown) => e instanceof ConflictError,
    );
    const error = await t.store.lists
      .createIpEntry(t.domainId, { address: "10.0.0.0/33", kind: "drop" as "reject" })
      .catch((e: unknown) => e);
    assert.deepEqual(fields(error), ["address", "kind"]);
    assert.equal((await t.store.lists.updateIpEntry(t.domainId, v4.id, { kind: "reject" })).kind, "reject");
    assert.equal(await t.store.lists.deleteIpEntry(t.domainId, v6.id), true);
    assert.equal(await t.store.lists.deleteIpEntry(t.domainId, v6.id), false);
  });

  it("keeps the lists across a reopen", async () => {
    await t.reopen();
    assert.equal((await t.store.lists.callRecords(t.domainId)).length, 2);
    assert.deepEqual(
      (await t.store.lists.ipEntries(t.domainId)).map((e) => e.address),
      ["10.0.0.0/8"],
    );
  });
});
