/**
 * Migration 012_cdr_talk_time (issue 23: CDRs carry talk time beside the total duration, and the
 * hang-up cause on every record) on every engine: rows written before it get their talk time
 * (the old duration, answer to end), a duration from start to end and a cause from what they
 * recorded; new rows store both fields, and a record without a cause is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { migrations, type Store, ValidationError } from "../../src/store/index.js";
import { migratorFor } from "../../src/store/migrations.js";
import { backends, type Location } from "./backends.js";
import { sampleCdr, T0, unanswered } from "./cdr-fixtures.js";

const MIGRATION = "012_cdr_talk_time";

for (const backend of backends) {
  describe(`migration ${MIGRATION} on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;
    let domainId: number;

    before(async () => {
      location = await backend.fresh();
      store = await location.open();
      const all = Object.keys(migrations(store.kind));
      const migrator = await migratorFor(store.db, store.kind);
      const { error } = await migrator.migrateTo(all[all.indexOf(MIGRATION) - 1]!);
      assert.equal(error, undefined);
      domainId = (await store.domains.getDefault()).id;
      // Rows as the schema before 012 stored them: duration from answer to end, no cause.
      const row = (callId: string, disposition: string, status: number, answered: boolean) => ({
        domain_id: domainId,
        call_id: callId,
        caller: "100",
        caller_name: "",
        dialed: "101",
        callee: "101",
        started_at: T0,
        answered_at: answered ? T0 + 4_000 : null,
        ended_at: T0 + 65_500,
        duration: answered ? 62 : 0,
        disposition,
        sip_status: status,
        sip_reason: "",
        legs: "[]",
        media: null,
      });
      await store.db
        .insertInto("cdrs")
        .values([
          row("old-answered", "answered", 200, true),
          row("old-busy", "busy", 486, false),
          row("old-cancelled", "cancelled", 487, false),
          row("old-no-answer", "no-answer", 480, false),
          row("old-failed", "failed", 404, false),
        ] as never)
        .execute();
    });

    after(async () => {
      await store?.close();
      await location?.drop();
    });

    it(`store.migrate() applies ${MIGRATION} on a database before it`, async () => {
      const applied = await store.migrate();
      assert.ok(applied.includes(MIGRATION), applied.join());
    });

    it("gives older rows their talk time, a duration from start to end, and a cause", async () => {
      const { items } = await store.cdrs.list({ domainId });
      const byId = new Map(items.map((r) => [r.callId, r]));
      const of = (id: string) => {
        const r = byId.get(id);
        return [r?.duration, r?.talkTime, r?.hangupCause];
      };
      assert.deepEqual(of("old-answered"), [66, 62, "unknown"]);
      assert.deepEqual(of("old-busy"), [66, 0, "busy"]);
      assert.deepEqual(of("old-cancelled"), [66, 0, "cancel"]);
      assert.deepEqual(of("old-no-answer"), [66, 0, "no-answer"]);
      assert.deepEqual(of("old-failed"), [66, 0, "rejected 404"]);
    });

    it("stores a new record's talk time and cause, and reads them back", async () => {
      const stored = await store.cdrs.insert(sampleCdr({ callId: "new", hangupCause: "callee-bye" }));
      assert.deepEqual([stored.duration, stored.talkTime, stored.hangupCause], [66, 62, "callee-bye"]);
      const busy = await store.cdrs.insert(unanswered("busy", { callId: "new-busy", startedAt: T0 + 1 }));
      const { items } = await store.cdrs.list({ domainId });
      const read = items.find((r) => r.id === stored.id);
      assert.deepEqual([read?.duration, read?.talkTime, read?.hangupCause], [66, 62, "callee-bye"]);
      const readBusy = items.find((r) => r.id === busy.id);
      assert.deepEqual([readBusy?.talkTime, readBusy?.hangupCause], [0, "busy"]);
    });

    it("refuses a record without a cause, or with one that is not in the vocabulary", async () => {
      const { hangupCause: _c, ...noCause } = sampleCdr({ callId: "no-cause" });
      for (const input of [noCause, sampleCdr({ callId: "bad", hangupCause: "hung up" as never })]) {
        await assert.rejects(store.cdrs.insert(input), (error: unknown) => {
          assert.ok(error instanceof ValidationError);
          assert.deepEqual(
            error.errors.map((e) => e.field),
            ["hangupCause"],
          );
          return true;
        });
      }
    });
  });
}
