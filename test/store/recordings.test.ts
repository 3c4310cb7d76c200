/**
 * Call recording's store (issue 17, migration 010_call_recording) on every engine: a user's
 * `recording` (never by default, always / on-demand, anything else refused naming the field),
 * lines' and trunks' `recordCalls`, the CDR's `recording` link, and the recordings' rows: insert,
 * list newest first with filters and a total, get, delete, the retention sweep's query.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { type CallRecording, ValidationError } from "../../src/store/index.js";
import { onEachBackend } from "./backends.js";

function recording(
  id: string,
  startedAt: number,
  caller = "100",
  callee = "101",
): Omit<CallRecording, "domainId"> {
  return {
    id,
    callId: id.split("-")[0] ?? id,
    caller,
    callee,
    startedAt,
    durationMs: 12_340,
    bytes: 197_484,
    channels: 1,
    file: `calls/2026/12/07/${id}.wav`,
  };
}

onEachBackend("call recording store", (t) => {
  it("a user records never by default; always and on-demand are kept; anything else names the field", async () => {
    const u = await t.store.users.create(t.domainId, { name: "100", password: "secret100" });
    assert.equal(u.recording, "never");
    const changed = await t.store.users.update(t.domainId, "100", { recording: "always" });
    assert.equal(changed.recording, "always");
    await t.store.users.update(t.domainId, "100", { recording: "on-demand" });
    assert.equal((await t.store.users.get(t.domainId, "100"))?.recording, "on-demand");
    await assert.rejects(
      t.store.users.update(t.domainId, "100", { recording: "sometimes" as never }),
      (e: unknown) => e instanceof ValidationError && e.errors.some((f) => f.field === "recording"),
    );
  });

  it("lines and trunks carry recordCalls (off by default)", async () => {
    const trunk = await t.store.routing.create(t.domainId, "trunk", { trunkId: "t1", address: "192.0.2.1" });
    assert.equal(trunk.recordCalls, false);
    const on = await t.store.routing.update(t.domainId, "trunk", "t1", { recordCalls: true });
    assert.equal(on.recordCalls, true);
  });

  it("the CDR keeps its recording's id", async () => {
    const base = {
      domainId: t.domainId,
      callId: "c-1",
      caller: "100",
      callerName: "",
      dialed: "101",
      callee: "101",
      startedAt: 1000,
      answeredAt: 2000,
      endedAt: 5000,
      disposition: "answered",
      hangupCause: "caller-bye",
      sipStatus: 200,
      sipReason: "OK",
      legs: [],
    };
    const stored = await t.store.cdrs.insert({ ...base, recording: "c-1" });
    assert.equal(stored.recording, "c-1");
    const plain = await t.store.cdrs.insert({ ...base, callId: "c-2" });
    assert.equal(plain.recording, undefined);
    const page = await t.store.cdrs.list({ domainId: t.domainId });
    assert.ok(page.items.some((r) => r.recording === "c-1"));
  });

  it("inserts, lists newest first with filters, gets and deletes recordings", async () => {
    await t.store.recordings.insert({ ...recording("a1", 1_000), domainId: t.domainId });
    await t.store.recordings.insert({ ...recording("a2", 2_000, "102", "100"), domainId: t.domainId });
    await t.store.recordings.insert({ ...recording("a2-2", 3_000, "102", "100"), domainId: t.domainId });
    const all = await t.store.recordings.list({ domainId: t.domainId });
    assert.equal(all.total, 3);
    assert.deepEqual(
      all.items.map((r) => r.id),
      ["a2-2", "a2", "a1"],
    );
    const got = await t.store.recordings.get(t.domainId, "a1");
    assert.deepEqual(got, { ...recording("a1", 1_000), domainId: t.domainId });
    assert.equal((await t.store.recordings.list({ domainId: t.domainId, number: "102" })).total, 2);
    assert.equal((await t.store.recordings.list({ domainId: t.domainId, from: 2_000 })).total, 2);
    assert.deepEqual(
      (await t.store.recordings.list({ domainId: t.domainId, limit: 1, offset: 1 })).items.map((r) => r.id),
      ["a2"],
    );
    assert.deepEqual(
      (await t.store.recordings.startedBefore(2_500, 10)).map((r) => r.id),
      ["a1", "a2"],
    );
    assert.equal((await t.store.recordings.delete(t.domainId, "a1"))?.id, "a1");
    assert.equal(await t.store.recordings.delete(t.domainId, "a1"), undefined);
    assert.equal((await t.store.recordings.list({ domainId: t.domainId })).total, 2);
  });
});
