/**
 * Hunt group (issue 16; FEATURES.md sections 5 and 6): the pure member selection (linear,
 * circular's rotation, deleted members, busy and DND skipped) and the service on the engine over
 * the loop transport: linear rings one member after another, circular starts after the member
 * that answered last over several calls, parallel rings all at once; the no-answer action (busy,
 * another number); a detection record rings the group for its called number; a group with
 * nobody to ring goes straight to its no-answer action.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HuntGroupService } from "../../src/services/hunt-group/hunt-group.js";
import { availableMembers, huntOrder } from "../../src/services/hunt-group/hunting.js";
import type { HuntDetection, HuntGroup } from "../../src/store/hunt-group-model.js";
import { defaultSettings, type LocalUser } from "../../src/store/user-model.js";
import { createEngineHarness, DOMAIN, type TestUser } from "../call/harness.js";

function user(name: string, more: Partial<LocalUser> = {}): LocalUser {
  return { ...defaultSettings(name), id: 0, domainId: 1, createdAt: 0, updatedAt: 0, ...more };
}

function group(more: Partial<HuntGroup>): HuntGroup {
  return {
    id: 1,
    domainId: DOMAIN.id,
    number: "600",
    name: "Sales",
    members: ["101", "102", "103"],
    strategy: "linear",
    ringTime: 5,
    noAnswer: "busy",
    noAnswerTarget: "",
    createdAt: 0,
    updatedAt: 0,
    ...more,
  };
}

describe("huntOrder()", () => {
  it("linear and parallel keep the listed order", () => {
    assert.deepEqual(huntOrder(group({}), { member: "102", index: 1 }), ["101", "102", "103"]);
    assert.deepEqual(huntOrder(group({ strategy: "parallel" }), { member: "102", index: 1 }), [
      "101",
      "102",
      "103",
    ]);
  });

  it("circular starts after the member that answered last, wrapping round", () => {
    const g = group({ strategy: "circular" });
    assert.deepEqual(huntOrder(g), ["101", "102", "103"]);
    assert.deepEqual(huntOrder(g, { member: "101", index: 0 }), ["102", "103", "101"]);
    assert.deepEqual(huntOrder(g, { member: "103", index: 2 }), ["101", "102", "103"]);
  });

  it("circular survives the deletion of the member that answered last", () => {
    const g = group({ strategy: "circular", members: ["101", "103"] });
    assert.deepEqual(huntOrder(g, { member: "102", index: 1 }), ["103", "101"], "103 took 102's place");
    assert.deepEqual(
      huntOrder(group({ strategy: "circular", members: ["101"] }), { member: "103", index: 2 }),
      ["101"],
    );
    assert.deepEqual(
      huntOrder(group({ strategy: "circular", members: [] }), { member: "103", index: 2 }),
      [],
    );
  });
});

describe("availableMembers()", () => {
  it("skips deleted users, do-not-disturb and busy members, keeping the order", () => {
    const users = new Map([
      ["101", user("101", { doNotDisturb: true })],
      ["102", user("102", { callWaiting: false })],
      ["103", user("103")],
      ["104", user("104", { callWaiting: true })],
    ]);
    const talking = (u: LocalUser) => u.name === "102" || u.name === "104";
    assert.deepEqual(availableMembers(["105", "101", "102", "104", "103"], users, talking), ["104", "103"]);
  });
});

function harness(users: TestUser[], groups: HuntGroup[], detections: HuntDetection[] = []) {
  const h = createEngineHarness({ users, noAnswerTime: 30 });
  const service = new HuntGroupService({
    repository: { groups: async () => groups, detections: async () => detections, onChange: () => {} },
    users: h.users,
    routing: {
      snapshot: async () => ({
        lines: [],
        trunks: [],
        dialPlans: [],
        analyze: [],
        transitions: [],
        refine: [],
      }),
    },
    talking: (domainId, name) => h.engine.userState(domainId, name) === "talking",
  });
  service.register(h.engine.points);
  return { h, service };
}

const people: TestUser[] = [
  { name: "100" },
  { name: "101" },
  { name: "102" },
  { name: "103" },
  { name: "104" },
];

describe("hunt group on the engine", () => {
  it("linear rings one member after another, each for the ring time", async () => {
    const { h } = harness(people, [group({ ringTime: 5 })]);
    const alice = h.phone("100");
    const [b, c, d] = [h.phone("101"), h.phone("102"), h.phone("103")];
    const call = alice.call("600");
    await h.run(50);
    assert.deepEqual(
      [b, c, d].map((p) => p.invites.length),
      [1, 0, 0],
    );
    await h.run(5000);
    assert.deepEqual(
      [b, c, d].map((p) => p.invites.length),
      [1, 1, 0],
      "102 after 101's 5 s",
    );
    assert.equal(b.got("CANCEL").length, 1);
    c.answer();
    await h.run(50);
    assert.equal(call.status, 200);
    await h.until(call.hangup());
    await h.run(50);
    assert.equal(h.cdrs.at(-1)?.callee, "102");
  });

  it("linear rings all the devices of a member together, then the next member", async () => {
    const users: TestUser[] = [
      { name: "100" },
      { name: "101", multiDevice: true, maxDevices: 2 },
      { name: "102" },
    ];
    const { h } = harness(users, [group({ members: ["101", "102"], ringTime: 5 })]);
    const alice = h.phone("100");
    const [desk, mobile, c] = [h.phone("101"), h.phone("101"), h.phone("102")];
    desk.onIncoming = 486;
    alice.call("600");
    await h.run(50);
    assert.deepEqual(
      [desk, mobile, c].map((p) => p.invites.length),
      [1, 1, 0],
      "both of 101's devices ring; one busy device does not end 101's turn",
    );
    await h.run(5000);
    assert.equal(c.invites.length, 1, "102 after 101's ring time");
    assert.equal(mobile.got("CANCEL").length, 1);
  });

  it("circular starts after the member that answered last, over several calls", async () => {
    const { h, service } = harness(people, [group({ strategy: "circular" })]);
    const alice = h.phone("100");
    const phones = [h.phone("101"), h.phone("102"), h.phone("103")];
    for (const phone of phones) phone.onIncoming = "answer";
    const first: string[] = [];
    for (let i = 0; i < 4; i++) {
      const before = phones.map((p) => p.invites.length);
      const call = alice.call("600");
      await h.run(50);
      const rung = phones.findIndex((p, j) => p.invites.length > before[j]!);
      first.push(["101", "102", "103"][rung]!);
      await h.until(call.hangup());
      await h.run(50);
    }
    assert.deepEqual(first, ["101", "102", "103", "101"]);
    assert.deepEqual(service.lastAnsweredOf(DOMAIN.id, "600"), { member: "101", index: 0 });
  });

  it("parallel rings every member at once; the first answer wins", async () => {
    const { h } = harness(people, [group({ strategy: "parallel" })]);
    const alice = h.phone("100");
    const phones = [h.phone("101"), h.phone("102"), h.phone("103")];
    const call = alice.call("600");
    await h.run(50);
    assert.deepEqual(
      phones.map((p) => p.invites.length),
      [1, 1, 1],
    );
    phones[1]!.answer();
    await h.run(50);
    assert.equal(call.status, 200);
    assert.equal(phones[0]!.got("CANCEL").length + phones[2]!.got("CANCEL").length, 2);
  });

  it("when nobody answers: busy gives 486, a number rings that number", async () => {
    const busy = harness(people, [group({ strategy: "parallel", ringTime: 2 })]);
    busy.h.phone("101");
    const call = busy.h.phone("100").call("600");
    await busy.h.run(2100);
    assert.equal(call.status, 486);

    const routed = harness(people, [
      group({ strategy: "parallel", ringTime: 2, noAnswer: "number", noAnswerTarget: "104" }),
    ]);
    const member = routed.h.phone("101");
    const other = routed.h.phone("104");
    routed.h.phone("100").call("600");
    await routed.h.run(2100);
    assert.equal(member.got("CANCEL").length, 1);
    assert.equal(other.invites.length, 1, "104 rings once the group rang out");
  });

  it("skips members in do-not-disturb, and with nobody to ring goes to the no-answer action", async () => {
    const users: TestUser[] = [{ name: "100" }, { name: "101", doNotDisturb: true }, { name: "102" }];
    const { h } = harness(users, [group({ members: ["101", "102", "gone"], strategy: "parallel" })]);
    const [b, c] = [h.phone("101"), h.phone("102")];
    h.phone("100").call("600");
    await h.run(50);
    assert.deepEqual([b.invites.length, c.invites.length], [0, 1]);

    const empty = harness(users, [group({ members: ["101", "gone"] })]);
    const call = empty.h.phone("100").call("600");
    await empty.h.run(50);
    assert.equal(call.status, 486, "a group of deleted and DND members answers busy at once");
  });

  it("a detection record rings the group for its called number", async () => {
    const detection: HuntDetection = {
      id: 1,
      domainId: DOMAIN.id,
      dialPlan: "default",
      calledNumber: "777",
      huntGroup: "600",
      createdAt: 0,
      updatedAt: 0,
    };
    const { h } = harness(people, [group({ strategy: "parallel" })], [detection]);
    const phones = [h.phone("101"), h.phone("102"), h.phone("103")];
    h.phone("100").call("777");
    await h.run(50);
    assert.deepEqual(
      phones.map((p) => p.invites.length),
      [1, 1, 1],
    );
  });
});
