/**
 * Two stores in one database, each in its own schema (PostgreSQL) or database (MariaDB, whose
 * "schema" is the database): the second migrates while the first's migration tables exist. On
 * PostgreSQL the migrator used to take the first schema's migration tables for its own and fail
 * with "relation parley_migration_lock does not exist" (seen as a rare flake when test groups ran
 * side by side).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Store } from "../../src/store/index.js";
import { backends, type Location } from "./backends.js";

for (const backend of backends) {
  describe(`two stores side by side on ${backend.name}`, { skip: backend.skip }, () => {
    const locations: Location[] = [];
    const stores: Store[] = [];

    after(async () => {
      for (const store of stores) await store.close();
      for (const location of locations) await location.drop();
    });

    it("each migrates and works while the other's tables exist", async () => {
      for (let i = 0; i < 2; i++) locations.push(await backend.fresh());
      for (const location of locations) stores.push(await location.open());
      const first = await stores[0].migrate();
      const second = await stores[1].migrate();
      assert.deepEqual(second, first, "the second store applied every migration too");
      for (const store of stores) {
        const domain = await store.domains.getDefault();
        await store.users.create(domain.id, { name: "100", password: "100" });
        assert.equal(await store.users.count(), 1);
      }
    });
  });
}
