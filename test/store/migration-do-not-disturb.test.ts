/**
 * Migration 004_do_not_disturb (issue 15) on every engine: users stored before it keep every field
 * and read do-not-disturb off; the column then takes the flag like any other.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defaultSettings, migrations, type Store } from "../../src/store/index.js";
import { migratorFor } from "../../src/store/migrations.js";
import { settingsToRow } from "../../src/store/user-rows.js";
import { backends, type Location } from "./backends.js";

for (const backend of backends) {
  describe(`migration 004_do_not_disturb on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;

    before(async () => {
      location = await backend.fresh();
      store = await location.open();
      const migrator = await migratorFor(store.db, store.kind);
      const { error } = await migrator.migrateTo("003_dialplan_trunks");
      assert.equal(error, undefined);
      // A user as the schema before 004 stored it (no do_not_disturb column yet, nor 005's or 010's).
      const {
        do_not_disturb: _dnd,
        voicemail_on_busy: _vb,
        voicemail_pin: _vp,
        recording: _rec,
        ...row
      } = settingsToRow({
        ...defaultSettings("300"),
        callWaiting: false,
      });
      const domain = await store.domains.getDefault();
      await store.db
        .insertInto("users")
        .values({
          ...row,
          ha1_md5: "0".repeat(32),
          ha1_sha256: "0".repeat(64),
          domain_id: domain.id,
          created_at: 1,
          updated_at: 1,
        } as never)
        .execute();
    });

    after(async () => {
      await store?.close();
      await location?.drop();
    });

    it("store.migrate() applies 004 and the migrations after it on a database at 003", async () => {
      const all = Object.keys(migrations(store.kind));
      assert.deepEqual(await store.migrate(), all.slice(all.indexOf("004_do_not_disturb")));
    });

    it("a user stored before 004 reads doNotDisturb false and keeps its other fields", async () => {
      const domain = await store.domains.getDefault();
      const user = await store.users.get(domain.id, "300");
      assert.equal(user?.doNotDisturb, false);
      assert.equal(user?.callWaiting, false);
    });

    it("the new column takes the flag", async () => {
      const domain = await store.domains.getDefault();
      assert.equal((await store.users.update(domain.id, "300", { doNotDisturb: true })).doNotDisturb, true);
      assert.equal((await store.users.get(domain.id, "300"))?.doNotDisturb, true);
    });
  });
}
