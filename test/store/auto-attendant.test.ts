/**
 * The auto-attendant's store (issue 17, migration 009) on every engine: menus with an action per
 * key survive a reopen; the default menu is created once; a key naming a user or menu that does
 * not exist is refused with the field named (`keys[1].target`); a menu, time condition or entry
 * point that another record names cannot be deleted; time zones are checked with Intl; entry
 * points are one per (kind, key), replaced by a second write.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConflictError, type Store, ValidationError } from "../../src/store/index.js";
import { backends, type Location } from "./backends.js";

async function fields(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.errors.map((e) => e.field);
  }
  assert.fail("expected a ValidationError");
}

for (const backend of backends) {
  describe(`auto-attendant store on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;
    let domainId: number;

    before(async () => {
      location = await backend.fresh();
      store = await location.open();
      await store.migrate();
      domainId = (await store.domains.getDefault()).id;
      await store.users.create(domainId, { name: "101", password: "secret101" });
    });

    after(async () => {
      await store?.close();
      await location?.drop();
    });

    it("has the default menu from the migration: welcome, enter the extension, direct dialling", async () => {
      assert.equal(await store.autoAttendant.ensureDefaultMenu(domainId), false, "made by the migration");
      const menu = await store.autoAttendant.menu(domainId, "default");
      assert.deepEqual(menu?.greeting, ["welcome", "enter-extension"]);
      assert.equal(menu?.directDial, true);
      assert.deepEqual(menu?.keys, {});
    });

    it("keeps a menu's keys across a reopen, and a patch changes only what it names", async () => {
      await store.autoAttendant.createMenu(domainId, { name: "sales" });
      await store.autoAttendant.createMenu(domainId, {
        name: "main",
        keys: {
          "1": { kind: "user", target: "101" },
          "2": { kind: "menu", target: "sales" },
          "3": { kind: "group", target: "600" },
          "*": { kind: "repeat", target: "" },
        },
        timeoutAction: { kind: "operator", target: "" },
        operator: "101",
      });
      await store.close();
      store = await location.open();
      const menu = await store.autoAttendant.menu(domainId, "main");
      assert.deepEqual(menu?.keys["2"], { kind: "menu", target: "sales" });
      assert.equal(menu?.firstDigitTimeout, 5);
      const changed = await store.autoAttendant.updateMenu(domainId, "main", { firstDigitTimeout: 8 });
      assert.equal(changed.firstDigitTimeout, 8);
      assert.deepEqual(changed.keys["1"], { kind: "user", target: "101" });
    });

    it("refuses a key naming a user or menu that does not exist, naming the field", async () => {
      assert.deepEqual(
        await fields(
          store.autoAttendant.createMenu(domainId, {
            name: "bad",
            keys: { "1": { kind: "user", target: "999" }, "9": { kind: "voicemail", target: "998" } },
          }),
        ),
        ["keys[1].target", "keys[9].target"],
      );
      assert.deepEqual(
        await fields(
          store.autoAttendant.createMenu(domainId, {
            name: "bad",
            keys: { "2": { kind: "menu", target: "x" } },
          }),
        ),
        ["keys[2].target"],
      );
      assert.deepEqual(
        await fields(
          store.autoAttendant.createMenu(domainId, {
            name: "bad",
            keys: { "1": { kind: "operator", target: "" } },
            firstDigitTimeout: 0,
          }),
        ),
        ["firstDigitTimeout", "operator"],
      );
    });

    it("rejects a duplicate name with a conflict", async () => {
      await assert.rejects(store.autoAttendant.createMenu(domainId, { name: "sales" }), ConflictError);
    });

    it("checks a time condition's zone, hours and dates, and what it points at", async () => {
      assert.deepEqual(
        await fields(
          store.autoAttendant.createTimeCondition(domainId, {
            name: "office",
            timeZone: "Mars/Olympus",
            schedule: [{ days: ["mon"], from: "18:00", to: "09:00" }],
            holidays: ["2026-13-01"],
            inHours: { kind: "menu", target: "nope" },
            outOfHours: { kind: "operator" as "hangup", target: "" },
          }),
        ),
        ["timeZone", "schedule[0].to", "holidays[0]", "outOfHours.kind"],
      );
      const t = await store.autoAttendant.createTimeCondition(domainId, {
        name: "office",
        timeZone: "Asia/Shanghai",
        holidays: ["2026-10-01", "12-25"],
        inHours: { kind: "menu", target: "main" },
        outOfHours: { kind: "menu", target: "sales" },
      });
      assert.deepEqual(t.schedule, [
        { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" },
      ]);
      assert.equal(t.holiday, null);
    });

    it("entry points: one per kind and key, replaced by a second write, naming what exists", async () => {
      await store.autoAttendant.setEntry(domainId, { kind: "line", key: "123456", menu: "main" });
      const replaced = await store.autoAttendant.setEntry(domainId, {
        kind: "line",
        key: "123456",
        timeCondition: "office",
      });
      assert.equal(replaced.menu, "");
      assert.equal(replaced.timeCondition, "office");
      assert.equal((await store.autoAttendant.entries(domainId)).length, 1);
      assert.deepEqual(
        await fields(store.autoAttendant.setEntry(domainId, { kind: "number", key: "500", menu: "ghost" })),
        ["menu"],
      );
      assert.deepEqual(await fields(store.autoAttendant.setEntry(domainId, { kind: "number", key: "500" })), [
        "menu",
      ]);
    });

    it("refuses to delete what another record names, and the default menu", async () => {
      assert.deepEqual(await fields(store.autoAttendant.deleteMenu(domainId, "sales")), ["name"]);
      assert.deepEqual(await fields(store.autoAttendant.deleteTimeCondition(domainId, "office")), ["name"]);
      assert.deepEqual(await fields(store.autoAttendant.deleteMenu(domainId, "default")), ["name"]);
      assert.equal(await store.autoAttendant.deleteEntry(domainId, "line", "123456"), true);
      assert.equal(await store.autoAttendant.deleteTimeCondition(domainId, "office"), true);
      assert.equal(await store.autoAttendant.deleteMenu(domainId, "main"), true);
      assert.equal(await store.autoAttendant.deleteMenu(domainId, "sales"), true);
      assert.equal(await store.autoAttendant.deleteMenu(domainId, "sales"), false);
    });
  });
}
