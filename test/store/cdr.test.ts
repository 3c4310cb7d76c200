/**
 * Call detail records, the same suite on every engine: SQLite always, MariaDB and PostgreSQL when
 * their URLs are set (see backends.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { sql } from "kysely";
import {
  type CallRecord,
  type NewCallRecord,
  type Store,
  ValidationError,
  validateCallRecord,
} from "../../src/store/index.js";
import { backends, type Location } from "./backends.js";
import { MIN, sampleCdr, T0, unanswered } from "./cdr-fixtures.js";

async function rejectsValidation(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected ValidationError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected ValidationError, but it resolved");
}

describe("validateCallRecord()", () => {
  it("accepts a complete answered record and an unanswered one without callee or legs", () => {
    assert.equal(validateCallRecord(sampleCdr()).ok, true);
    const { callee: _c, ...noCallee } = unanswered("failed");
    assert.equal(validateCallRecord(noCallee).ok, true);
  });

  it("names every bad field, nested ones by path", () => {
    const bad = sampleCdr({ disposition: "ringing" as "busy", sipStatus: 99 });
    const result = validateCallRecord({ ...bad, legs: [{ ...bad.legs[0], callId: "" }], extra: 1 });
    assert.equal(result.ok, false);
    const fields = result.ok ? [] : result.errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ["disposition", "extra", "legs[0].callId", "sipStatus"]);
  });

  it("reports a missing field as required", () => {
    const { caller: _c, ...rest } = sampleCdr();
    const result = validateCallRecord(rest);
    assert.deepEqual(result.ok ? [] : result.errors, [{ field: "caller", message: "is required" }]);
  });

  it("requires answeredAt exactly when answered, and start <= answer <= end", () => {
    const fieldsOf = (input: unknown) => {
      const r = validateCallRecord(input);
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    const { answeredAt: _a, ...noAnswer } = sampleCdr();
    assert.deepEqual(fieldsOf(noAnswer), ["answeredAt"]);
    assert.deepEqual(fieldsOf({ ...unanswered("busy"), answeredAt: T0 + 1 }), ["answeredAt"]);
    assert.deepEqual(fieldsOf(sampleCdr({ endedAt: T0 + 1_000 })), ["endedAt"]);
    assert.deepEqual(fieldsOf(sampleCdr({ answeredAt: T0 - 1 })), ["answeredAt"]);
  });
});

for (const backend of backends) {
  describe(`store.cdrs on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;
    let domainId: number;
    let otherDomainId: number;
    /** Everything inserted into the default domain, newest first. */
    const seeded: CallRecord[] = [];

    before(async () => {
      location = await backend.fresh();
      store = await location.open();
      await store.migrate();
      domainId = (await store.domains.getDefault()).id;
      await store.db
        .insertInto("domains")
        .values({ name: "other", realm: "other", accepts_any_host: 0, created_at: T0, updated_at: T0 })
        .execute();
      const other = await store.db
        .selectFrom("domains")
        .select("id")
        .where("name", "=", "other")
        .executeTakeFirstOrThrow();
      otherDomainId = Number(other.id);
      const inputs: NewCallRecord[] = [
        sampleCdr({ domainId, startedAt: T0 }),
        unanswered("busy", {
          domainId,
          startedAt: T0 + 1 * MIN,
          caller: "102",
          dialed: "100",
          callee: "100",
        }),
        unanswered("no-answer", {
          domainId,
          startedAt: T0 + 2 * MIN,
          caller: "101",
          dialed: "102",
          callee: "102",
        }),
        unanswered("failed", {
          domainId,
          startedAt: T0 + 3 * MIN,
          caller: "100",
          dialed: "999",
          callee: undefined,
        }),
        unanswered("cancelled", {
          domainId,
          startedAt: T0 + 4 * MIN,
          caller: "102",
          dialed: "101",
          callee: "101",
        }),
        sampleCdr({
          domainId,
          startedAt: T0 + 5 * MIN,
          caller: "101",
          dialed: "*5",
          callee: "100",
          media: { rtp: { lost: 3 } },
        }),
        // Same start as the previous: the later insert (higher id) lists first.
        sampleCdr({
          domainId,
          startedAt: T0 + 5 * MIN,
          callId: "tie",
          caller: "102",
          dialed: "100",
          callee: "100",
        }),
      ];
      for (const input of inputs) seeded.unshift(await store.cdrs.insert(input));
      await store.cdrs.insert(sampleCdr({ domainId: otherDomainId, startedAt: T0 + 10 * MIN }));
    });

    after(async () => {
      await store?.close();
      await location?.drop();
    });

    const ids = (items: CallRecord[]) => items.map((r) => r.id);

    it("insert() resolves to the record with its id, duration (from start) and talk time (from answer), rounded up", () => {
      const answered = seeded[seeded.length - 1];
      assert.ok(answered.id > 0);
      assert.equal(answered.duration, 66); // 65.5 s from the INVITE
      assert.equal(answered.talkTime, 62); // 61.5 s from the answer
      assert.equal(answered.hangupCause, "caller-bye");
      const busy = seeded.find((r) => r.disposition === "busy");
      assert.deepEqual([busy?.duration, busy?.talkTime, busy?.hangupCause], [20, 0, "busy"]);
      assert.equal(new Set(ids(seeded)).size, seeded.length);
    });

    it("list() returns every field as inserted, newest first, ties by id", async () => {
      const page = await store.cdrs.list({ domainId });
      assert.equal(page.total, 7);
      assert.deepEqual(page.items, seeded);
      assert.equal(page.items[0].callId, "tie");
      assert.deepEqual(page.items[1].media, { rtp: { lost: 3 } });
      const failed = page.items.find((r) => r.disposition === "failed");
      assert.equal(failed?.callee, undefined);
      assert.equal("callee" in (failed ?? {}), false);
      assert.equal("answeredAt" in (failed ?? {}), false);
    });

    it("list() keeps domains apart", async () => {
      const page = await store.cdrs.list({ domainId: otherDomainId });
      assert.equal(page.total, 1);
      assert.equal(page.items[0].domainId, otherDomainId);
    });

    it("list() filters by time range: from inclusive, to exclusive", async () => {
      const page = await store.cdrs.list({ domainId, from: T0 + 1 * MIN, to: T0 + 4 * MIN });
      assert.deepEqual(
        page.items.map((r) => r.disposition),
        ["failed", "no-answer", "busy"],
      );
      assert.equal(page.total, 3);
      assert.equal((await store.cdrs.list({ domainId, from: T0 + 5 * MIN })).total, 2);
      assert.equal((await store.cdrs.list({ domainId, to: T0 + 1 })).total, 1);
    });

    it("list() with a number matches the caller, the dialed number or the callee", async () => {
      const match = async (number: string) => ids((await store.cdrs.list({ domainId, number })).items);
      const expected = (n: string) =>
        ids(seeded.filter((r) => r.caller === n || r.dialed === n || r.callee === n));
      for (const n of ["100", "101", "102", "999", "*5"]) assert.deepEqual(await match(n), expected(n), n);
      assert.deepEqual(await match("10"), []);
    });

    it("list() filters by disposition, and combines filters", async () => {
      const busy = await store.cdrs.list({ domainId, disposition: "busy" });
      assert.deepEqual(
        busy.items.map((r) => r.caller),
        ["102"],
      );
      const answered = await store.cdrs.list({
        domainId,
        disposition: "answered",
        number: "100",
        from: T0 + 1,
      });
      assert.deepEqual(
        answered.items.map((r) => r.callId),
        ["tie", `call-${T0 + 5 * MIN}`],
      );
    });

    it("list() pages with offset and limit; total counts all pages", async () => {
      const first = await store.cdrs.list({ domainId, offset: 0, limit: 3 });
      const second = await store.cdrs.list({ domainId, offset: 3, limit: 3 });
      const third = await store.cdrs.list({ domainId, offset: 6, limit: 3 });
      assert.deepEqual([...ids(first.items), ...ids(second.items), ...ids(third.items)], ids(seeded));
      assert.deepEqual([first.total, second.total, third.total], [7, 7, 7]);
      assert.deepEqual((await store.cdrs.list({ domainId, offset: 10 })).items, []);
      assert.deepEqual((await store.cdrs.list({ domainId, limit: 0 })).items, []);
    });

    it("iterate() yields every match newest first, across batch boundaries (ties included)", async () => {
      const all: CallRecord[] = [];
      for await (const r of store.cdrs.iterate({ domainId }, 2)) all.push(r);
      assert.deepEqual(all, seeded);
      const some: number[] = [];
      for await (const r of store.cdrs.iterate({ domainId, number: "100" }, 1)) some.push(r.id);
      assert.deepEqual(some, ids((await store.cdrs.list({ domainId, number: "100" })).items));
      const none: CallRecord[] = [];
      for await (const r of store.cdrs.iterate({ domainId, disposition: "busy", from: T0 + 9 * MIN }))
        none.push(r);
      assert.deepEqual(none, []);
    });

    it("insert() refuses invalid input with ValidationError and stores nothing", async () => {
      const error = await rejectsValidation(
        store.cdrs.insert({ ...sampleCdr({ domainId }), sipStatus: "200" }),
      );
      assert.deepEqual(
        error.errors.map((e) => e.field),
        ["sipStatus"],
      );
      await rejectsValidation(store.cdrs.insert("not a record"));
      assert.equal((await store.cdrs.list({ domainId })).total, 7);
    });

    if (backend.name === "sqlite") {
      it("insert() on SQLite commits before it returns: another connection sees the row at once", async () => {
        const listed = await sql<{ file: string }>`pragma database_list`.execute(store.db);
        const path = listed.rows[0].file;
        // Not awaited: whatever a crash right now would keep must already be in the file.
        const promise = store.cdrs.insert(sampleCdr({ domainId, startedAt: T0 + 20 * MIN, callId: "sync" }));
        const reader = new Database(path, { readonly: true });
        try {
          const row = reader.prepare("select call_id from cdrs where call_id = 'sync'").get();
          assert.deepEqual(row, { call_id: "sync" });
        } finally {
          reader.close();
        }
        await promise;
      });
    }

    it("records survive closing and reopening the store", async () => {
      const before = await store.cdrs.list({ domainId, limit: 1000 });
      await store.close();
      store = await location.open();
      assert.deepEqual(await store.migrate(), []);
      const after = await store.cdrs.list({ domainId, limit: 1000 });
      assert.deepEqual(after, before);
    });
  });
}
