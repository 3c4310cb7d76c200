/**
 * Configured conference rooms (issue 17, migration 008) on every engine: defaults (5 members,
 * no PIN), a room survives a reopen with its flags; the number is unique per domain (409) and
 * may not be a local user's or a hunt group's; every error names its field (number, PIN,
 * maxMembers 1-100, a moderator PIN equal to the PIN, waiting for a moderator without one).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConflictError, NotFoundError, validateConferenceRoom } from "../../src/store/index.js";
import { validationFields as fields, onEachBackend } from "./backends.js";

describe("validateConferenceRoom()", () => {
  it("accepts a number alone (the defaults fill the rest)", () => {
    assert.deepEqual(validateConferenceRoom({ number: "7001" }), []);
  });
  it("names each bad field", () => {
    const errors = validateConferenceRoom({
      number: "70a",
      pin: "12x",
      maxMembers: 101,
      moderatorPin: "99999999999999999",
      name: "x".repeat(65),
    });
    assert.deepEqual(errors.map((e) => e.field).sort(), [
      "maxMembers",
      "moderatorPin",
      "name",
      "number",
      "pin",
    ]);
  });
  it("refuses 11 digits, 0 members, a moderator PIN equal to the PIN, waiting with no moderator", () => {
    assert.deepEqual(
      validateConferenceRoom({ number: "12345678901" }).map((e) => e.field),
      ["number"],
    );
    assert.deepEqual(
      validateConferenceRoom({ number: "1", maxMembers: 0 }).map((e) => e.field),
      ["maxMembers"],
    );
    assert.deepEqual(
      validateConferenceRoom({ number: "1", maxMembers: 2.5 }).map((e) => e.field),
      ["maxMembers"],
    );
    assert.deepEqual(
      validateConferenceRoom({ number: "1", pin: "42", moderatorPin: "42" }).map((e) => e.field),
      ["moderatorPin"],
    );
    assert.deepEqual(
      validateConferenceRoom({ number: "1", waitForModerator: true }).map((e) => e.field),
      ["waitForModerator"],
    );
    assert.deepEqual(
      validateConferenceRoom({ number: "1", maxMembers: 100, moderatorPin: "9", waitForModerator: true }),
      [],
    );
  });
});

onEachBackend("conference room store", (t) => {
  it("creates a room with defaults, keeps it across a reopen, and updates it", async () => {
    const r = await t.store.conferenceRooms.create(t.domainId, { number: "7001", name: "Board" });
    assert.equal(r.maxMembers, 5);
    assert.equal(r.pin, "");
    assert.equal(r.waitForModerator, false);
    assert.equal(r.locked, false);
    await t.reopen();
    const changed = await t.store.conferenceRooms.update(t.domainId, "7001", {
      pin: "1234",
      moderatorPin: "9999",
      waitForModerator: true,
      locked: true,
      maxMembers: 100,
    });
    assert.equal(changed.pin, "1234");
    assert.equal(changed.waitForModerator, true);
    assert.equal(changed.locked, true);
    assert.equal(changed.maxMembers, 100);
    const again = await t.store.conferenceRooms.room(t.domainId, "7001");
    assert.deepEqual({ ...again, updatedAt: 0 }, { ...changed, updatedAt: 0 });
  });

  it("a duplicate number is a ConflictError; a missing room a NotFoundError", async () => {
    await assert.rejects(t.store.conferenceRooms.create(t.domainId, { number: "7001" }), ConflictError);
    await assert.rejects(t.store.conferenceRooms.update(t.domainId, "7999", { name: "x" }), NotFoundError);
  });

  it("refuses a local user's or a hunt group's number, naming the field", async () => {
    await t.store.users.create(t.domainId, { name: "101", password: "secret101" });
    await t.store.huntGroups.createGroup(t.domainId, { number: "600" });
    assert.deepEqual(await fields(t.store.conferenceRooms.create(t.domainId, { number: "101" })), ["number"]);
    assert.deepEqual(await fields(t.store.conferenceRooms.create(t.domainId, { number: "600" })), ["number"]);
    assert.deepEqual(await fields(t.store.conferenceRooms.update(t.domainId, "7001", { maxMembers: 0 })), [
      "maxMembers",
    ]);
  });

  it("renumbers and deletes, listing by number", async () => {
    await t.store.conferenceRooms.create(t.domainId, { number: "7000" });
    await t.store.conferenceRooms.update(t.domainId, "7001", { number: "7002" });
    assert.deepEqual(
      (await t.store.conferenceRooms.rooms(t.domainId)).map((r) => r.number),
      ["7000", "7002"],
    );
    assert.equal(await t.store.conferenceRooms.delete(t.domainId, "7002"), true);
    assert.equal(await t.store.conferenceRooms.delete(t.domainId, "7002"), false);
    assert.deepEqual(
      (await t.store.conferenceRooms.rooms(t.domainId)).map((r) => r.number),
      ["7000"],
    );
  });
});
