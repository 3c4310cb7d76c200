/**
 * The emergency numbers table (issue 23, migration 011) on every engine: every domain gets 112,
 * 911 and 999; the Chinese ones (110, 119, 120) are added once when the prompt language is zh (a
 * removed one stays removed); numbers are added, changed and removed, errors naming the field; no
 * local extension takes one (a user, by create or rename, a hunt group, a conference room:
 * "112 is an emergency number (emergency numbers table)"), and a number an extension has cannot
 * become one; the routing snapshot carries the table. The password policy's weak users (password
 * equal to the extension number, the preset users until changed) are found from the stored hash.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { EmergencyNumberRepository } from "../../src/store/emergency-repository.js";
import { ConflictError, NotFoundError, ValidationError } from "../../src/store/index.js";
import { weakPasswordUsers } from "../../src/store/password-policy.js";
import { validationFields as fields, onEachBackend } from "./backends.js";

const MESSAGE = "112 is an emergency number (emergency numbers table)";

async function refusal(promise: Promise<unknown>): Promise<{ field: string; message: string }[]> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.errors;
  }
  assert.fail("expected a ValidationError");
}

onEachBackend("emergency numbers", (t) => {
  const repo = () => new EmergencyNumberRepository(t.store.db);
  const numbers = async () => (await repo().list(t.domainId)).map((r) => r.number);

  it("a fresh store has 112, 911 and 999, with no line", async () => {
    assert.deepEqual(await numbers(), ["112", "911", "999"]);
    assert.deepEqual(
      (await repo().list(t.domainId)).map((r) => r.line),
      ["", "", ""],
    );
  });

  it("English adds nothing; Chinese adds 110, 119, 120 once (a removed one stays removed)", async () => {
    assert.deepEqual(await repo().seedLanguageDefaults(t.domainId, "en"), []);
    assert.deepEqual(await repo().seedLanguageDefaults(t.domainId, "zh"), ["110", "119", "120"]);
    assert.deepEqual(await numbers(), ["110", "112", "119", "120", "911", "999"]);
    assert.equal(await repo().delete(t.domainId, "119"), true);
    assert.deepEqual(await repo().seedLanguageDefaults(t.domainId, "zh"), []);
    assert.deepEqual(await numbers(), ["110", "112", "120", "911", "999"]);
  });

  it("adds, changes and removes a number; errors name the field; a duplicate is a conflict", async () => {
    const created = await repo().create(t.domainId, { number: "118", description: "sea rescue" });
    assert.equal(created.number, "118");
    assert.equal(created.description, "sea rescue");
    await assert.rejects(repo().create(t.domainId, { number: "118" }), ConflictError);
    assert.deepEqual(await fields(repo().create(t.domainId, { number: "11a" })), ["number"]);
    assert.deepEqual(await fields(repo().create(t.domainId, { number: "117", line: "nope" })), ["line"]);
    assert.deepEqual(await fields(repo().update(t.domainId, "118", { line: "nope" })), ["line"]);
    await assert.rejects(repo().update(t.domainId, "404", { description: "x" }), NotFoundError);
    const changed = await repo().update(t.domainId, "118", { description: "coast guard" });
    assert.equal(changed.description, "coast guard");
    assert.equal(await repo().delete(t.domainId, "118"), true);
    assert.equal(await repo().delete(t.domainId, "118"), false);
  });

  it("a number's line must be an external line; with one, it is kept", async () => {
    await t.store.routing.create(t.domainId, "line", { account: "sos-line", server: "127.0.0.1" });
    const r = await repo().update(t.domainId, "112", { line: "sos-line" });
    assert.equal(r.line, "sos-line");
    const snapshot = await t.store.routing.snapshot(t.domainId);
    assert.deepEqual(
      snapshot.emergencyNumbers?.find((e) => e.number === "112"),
      { ...r },
    );
    await repo().update(t.domainId, "112", { line: "" });
  });

  it("no user may be created as, or renamed to, an emergency number", async () => {
    assert.deepEqual(
      await refusal(t.store.users.create(t.domainId, { name: "112", password: "a-good-pass" })),
      [{ field: "name", message: MESSAGE }],
    );
    await t.store.users.create(t.domainId, { name: "2001", password: "a-good-pass" });
    assert.deepEqual(
      await refusal(t.store.users.update(t.domainId, "2001", { name: "112", password: "a-good-pass" })),
      [{ field: "name", message: MESSAGE }],
    );
    assert.equal(await t.store.users.get(t.domainId, "112"), undefined);
  });

  it("no hunt group and no conference room may take an emergency number", async () => {
    await t.store.users.create(t.domainId, { name: "2002", password: "a-good-pass" });
    const group = await refusal(
      t.store.huntGroups.createGroup(t.domainId, { number: "112", members: ["2002"] }),
    );
    assert.deepEqual(group, [{ field: "number", message: MESSAGE }]);
    const room = await refusal(t.store.conferenceRooms.create(t.domainId, { number: "112" }));
    assert.deepEqual(room, [{ field: "number", message: MESSAGE }]);
  });

  it("a number a local user has cannot become an emergency number", async () => {
    const errors = await refusal(repo().create(t.domainId, { number: "2001" }));
    assert.deepEqual(errors, [{ field: "number", message: "is local user 2001's number" }]);
  });

  it("weak passwords: the users whose password equals their extension number", async () => {
    assert.equal(await t.store.seedDefaults(), false); // users exist already
    await t.store.users.create(t.domainId, { name: "100", password: "100" });
    await t.store.users.create(t.domainId, { name: "101", password: "101" });
    assert.deepEqual(await weakPasswordUsers(t.store.db, t.domainId), ["100", "101"]);
    await t.store.users.update(t.domainId, "101", { password: "changed-now" });
    assert.deepEqual(await weakPasswordUsers(t.store.db, t.domainId), ["100"]);
  });
});
