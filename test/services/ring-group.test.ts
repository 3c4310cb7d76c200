/**
 * Ringing group (issue 16; FEATURES.md section 2): who rings (the pure member selection: the
 * group's users, the called member first; DND and busy members skipped; suppress on direct call),
 * and the engine over the loop transport: every member's devices ring at once, the first answer
 * wins and becomes the callee (CDR, live state), the others are CANCELled with RFC 3326 Reason.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COMPLETED_ELSEWHERE } from "../../src/call/fork.js";
import { RINGING_GROUP_SERVICE } from "../../src/routing/types.js";
import { groupMembers, ringGroupMembers } from "../../src/services/ring-group/members.js";
import { registerRingGroup } from "../../src/services/ring-group/ring-group.js";
import { defaultSettings, type LocalUser } from "../../src/store/user-model.js";
import { createEngineHarness, DOMAIN, type TestUser } from "../call/harness.js";

function user(name: string, more: Partial<LocalUser> = {}): LocalUser {
  return { ...defaultSettings(name), id: 0, domainId: 1, createdAt: 0, updatedAt: 0, ...more };
}

describe("ringGroupMembers()", () => {
  const users = [
    user("103", { ringingGroupId: 7 }),
    user("101", { ringingGroupId: 7 }),
    user("102", { ringingGroupId: 7 }),
    user("104", { ringingGroupId: 8 }),
    user("100"),
  ];
  const all = () => true;

  it("rings the called member first, then the rest of its group by name", () => {
    assert.deepEqual(ringGroupMembers(users[2]!, users, all), ["102", "101", "103"]);
  });

  it("is undefined for a user in no group", () => {
    assert.equal(ringGroupMembers(users[4]!, users, all), undefined);
  });

  it("is undefined for a member that suppresses its group on a direct call", () => {
    const called = user("101", { ringingGroupId: 7, suppressRingGroupOnDirectCall: true });
    assert.equal(ringGroupMembers(called, users, all), undefined);
  });

  it("skips members in do-not-disturb and busy members", () => {
    const withDnd = users.map((u) => (u.name === "103" ? { ...u, doNotDisturb: true } : u));
    assert.deepEqual(
      ringGroupMembers(withDnd[1]!, withDnd, (u) => u.name !== "102"),
      undefined,
      "the called member alone rings as usual",
    );
    assert.deepEqual(
      ringGroupMembers(users[1]!, users, (u) => u.name !== "101"),
      ["102", "103"],
      "a busy called member is skipped, its group still rings",
    );
  });

  it("is undefined when the group's other users were deleted", () => {
    assert.equal(ringGroupMembers(users[1]!, [users[1]!], all), undefined);
  });
});

describe("groupMembers()", () => {
  it("rings every user of the group by name, skipping DND and busy ones", () => {
    const users = [
      user("102", { ringingGroupId: 7 }),
      user("101", { ringingGroupId: 7, doNotDisturb: true }),
    ];
    assert.deepEqual(
      groupMembers(7, [...users, user("103", { ringingGroupId: 7 })], () => true),
      {
        members: ["102", "103"],
        busy: true,
      },
    );
    assert.deepEqual(
      groupMembers(7, users, (u) => u.name !== "102"),
      { members: [], busy: true },
    );
    assert.deepEqual(
      groupMembers(8, users, () => true),
      { members: [], busy: false },
    );
  });
});

function harness(users: TestUser[]) {
  // A feature code stands in for a dial plan route of type ringing-group: both name the service.
  const h = createEngineHarness({
    users,
    noAnswerTime: 30,
    features: {
      match: (dialed) => (dialed === "700" ? { service: RINGING_GROUP_SERVICE, argument: "7" } : undefined),
    },
  });
  const list = async () => {
    const items: LocalUser[] = [];
    for (const u of users) {
      const found = await h.users.lookup(DOMAIN.id, u.name);
      if (found !== undefined) items.push(found.user);
    }
    return { items, total: items.length };
  };
  registerRingGroup(h.engine.points, {
    users: { list },
    talking: (domainId, name) => h.engine.userState(domainId, name) === "talking",
    systemNoAnswerSeconds: 30,
  });
  return h;
}

describe("ringing group on the engine", () => {
  const group: TestUser[] = [
    { name: "100" },
    { name: "101", ringingGroupId: 7 },
    { name: "102", ringingGroupId: 7 },
    { name: "103", ringingGroupId: 7, suppressRingGroupOnDirectCall: true },
  ];

  it("rings every member at once; the first answer wins, the others get CANCEL with Reason", async () => {
    const h = harness(group);
    const alice = h.phone("100");
    const members = [h.phone("101"), h.phone("102"), h.phone("103")];
    const call = alice.call("101");
    await h.run(50);
    assert.deepEqual(
      members.map((p) => p.invites.length),
      [1, 1, 1],
    );
    assert.equal(
      h.engine.userState(DOMAIN.id, "102"),
      "ringing",
      "a member's live state while its group rings",
    );
    members[2]!.answer();
    await h.run(50);
    assert.equal(call.status, 200);
    assert.equal(h.engine.userState(DOMAIN.id, "102"), "online", "no longer ringing once another answered");
    for (const loser of members.slice(0, 2)) {
      const cancels = loser.got("CANCEL");
      assert.equal(cancels.length, 1);
      assert.equal(cancels[0]!.get("reason"), COMPLETED_ELSEWHERE);
    }
    assert.equal(h.engine.userState(DOMAIN.id, "103"), "talking", "the member that answered is talking");
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(h.cdrs.at(-1)?.callee, "103", "the CDR names the member that answered");
  });

  it("a member with suppress on direct call rings alone when called directly", async () => {
    const h = harness(group);
    const alice = h.phone("100");
    const members = [h.phone("101"), h.phone("102"), h.phone("103")];
    alice.call("103");
    await h.run(50);
    assert.deepEqual(
      members.map((p) => p.invites.length),
      [0, 0, 1],
    );
  });

  it("the group's own number (a ringing-group route) rings every member, even one that suppresses", async () => {
    const h = harness(group);
    const alice = h.phone("100");
    const members = [h.phone("101"), h.phone("102"), h.phone("103")];
    const call = alice.call("700");
    await h.run(50);
    assert.deepEqual(
      members.map((p) => p.invites.length),
      [1, 1, 1],
    );
    members[0]!.answer();
    await h.run(50);
    assert.equal(call.status, 200);
  });

  it("the group's own number answers 480 when the group has no users", async () => {
    const h = harness([{ name: "100" }, { name: "101" }]);
    const call = h.phone("100").call("700");
    await h.run(50);
    assert.equal(call.status, 480);
  });

  it("a talking member without call waiting is skipped", async () => {
    const h = harness([
      { name: "100" },
      { name: "104" },
      { name: "101", ringingGroupId: 7 },
      // Suppressed on a direct call: the first call, to 102, rings 102 alone.
      { name: "102", ringingGroupId: 7, callWaiting: false, suppressRingGroupOnDirectCall: true },
    ]);
    const [alice, dave] = [h.phone("100"), h.phone("104")];
    const [bob, carol] = [h.phone("101"), h.phone("102")];
    carol.onIncoming = "answer";
    dave.call("102");
    await h.run(50);
    assert.equal(h.engine.userState(DOMAIN.id, "102"), "talking");
    alice.call("101");
    await h.run(50);
    assert.equal(bob.invites.length, 1);
    assert.equal(carol.invites.length, 1, "only the first call reached the talking member");
  });
});
