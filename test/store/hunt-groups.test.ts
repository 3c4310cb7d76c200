/**
 * Hunt groups and hunt group detection (issue 16, migration 007) on every engine: groups survive
 * a reopen with their ordered members; the number is unique per domain (409); every error names
 * its field (a no-answer target that does not fit the action, a detection naming no group);
 * renumbering a group carries its detections, deleting it deletes them.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ConflictError, NotFoundError } from "../../src/store/index.js";
import { validationFields as fields, onEachBackend } from "./backends.js";

onEachBackend("hunt group store", (t) => {
  it("creates a group with defaults, keeps the members' order across a reopen, and updates it", async () => {
    const g = await t.store.huntGroups.createGroup(t.domainId, {
      number: "600",
      members: ["102", "100", "101"],
    });
    assert.equal(g.strategy, "linear");
    assert.equal(g.ringTime, 20);
    assert.equal(g.noAnswer, "busy");
    await t.reopen();
    const again = await t.store.huntGroups.group(t.domainId, "600");
    assert.deepEqual(again?.members, ["102", "100", "101"]);
    const changed = await t.store.huntGroups.updateGroup(t.domainId, "600", {
      strategy: "circular",
      noAnswer: "voicemail",
      noAnswerTarget: "100",
      name: "Sales",
    });
    assert.equal(changed.strategy, "circular");
    assert.equal(changed.noAnswerTarget, "100");
    assert.equal(changed.name, "Sales");
  });

  it("refuses a duplicate number (409) and names every bad field", async () => {
    await assert.rejects(t.store.huntGroups.createGroup(t.domainId, { number: "600" }), ConflictError);
    assert.deepEqual(
      await fields(
        t.store.huntGroups.createGroup(t.domainId, {
          number: "6a",
          members: ["100", "100", "bad name"],
          ringTime: 0,
          strategy: "random" as never,
        }),
      ),
      ["number", "members[1]", "members[2]", "strategy", "ringTime"],
    );
    assert.deepEqual(
      await fields(t.store.huntGroups.createGroup(t.domainId, { number: "601", noAnswer: "number" })),
      ["noAnswerTarget"],
    );
    await assert.rejects(t.store.huntGroups.updateGroup(t.domainId, "699", { name: "x" }), NotFoundError);
    await t.store.users.create(t.domainId, { name: "100", password: "100" });
    assert.deepEqual(await fields(t.store.huntGroups.createGroup(t.domainId, { number: "100" })), ["number"]);
  });

  it("detection records name an existing group, follow its renumbering and go with it", async () => {
    const d = await t.store.huntGroups.createDetection(t.domainId, {
      calledNumber: "123456",
      huntGroup: "600",
    });
    assert.equal(d.dialPlan, "default");
    assert.deepEqual(
      await fields(t.store.huntGroups.createDetection(t.domainId, { calledNumber: "1", huntGroup: "699" })),
      ["huntGroup"],
    );
    await assert.rejects(
      t.store.huntGroups.createDetection(t.domainId, { calledNumber: "123456", huntGroup: "600" }),
      ConflictError,
    );
    await t.store.huntGroups.updateGroup(t.domainId, "600", { number: "610" });
    assert.equal((await t.store.huntGroups.detections(t.domainId))[0]?.huntGroup, "610");
    assert.equal(await t.store.huntGroups.deleteGroup(t.domainId, "610"), true);
    assert.deepEqual(await t.store.huntGroups.detections(t.domainId), []);
    assert.equal(await t.store.huntGroups.deleteGroup(t.domainId, "610"), false);
  });
});
