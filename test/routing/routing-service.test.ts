/**
 * The routing service (src/routing/routing-service.ts), with no store and no server: what a real
 * call's decide stage gets for each kind of route and each refusal (the caller's line or trunk
 * gone: 403; no usable line or trunk: 503; the dial plan's own reject), what the dry run answers
 * for an unknown caller, and that the dry run and the call agree on the same tables.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CallerUser } from "../../src/routing/routing-plan.js";
import { RoutingService } from "../../src/routing/routing-service.js";
import {
  type ExternalLine,
  externalLineSchema,
  type SipTrunk,
  sipTrunkSchema,
} from "../../src/store/routing-model.js";
import type { RoutingSnapshot } from "../../src/store/routing-validation.js";

const line = (account: string, fields: Partial<ExternalLine> = {}): ExternalLine =>
  externalLineSchema.parse({ account, server: "p.example", ...fields });
const trunk = (trunkId: string, fields: Partial<SipTrunk> = {}): SipTrunk =>
  sipTrunkSchema.parse({ trunkId, address: "127.0.0.1", ...fields });
const analyze = (prefix: string, fields: Record<string, unknown>) => ({
  id: 0,
  dialPlan: "default",
  prefix,
  routeType: "local-user" as const,
  externalLine: "",
  outgoingGroupId: 0,
  sipTrunk: "",
  rejectStatus: 0,
  changeNumber: false,
  transitionId: 0,
  reanalyze: false,
  callRight: 0,
  ...fields,
});

const snapshot: RoutingSnapshot = {
  lines: [line("l1"), line("in", { dialPlan: "inbound" })],
  trunks: [trunk("t1")],
  dialPlans: [{ name: "inbound", users: [] }],
  analyze: [
    analyze("2", { routeType: "sip-trunk", sipTrunk: "t1" }),
    analyze("66", { routeType: "reject", rejectStatus: 603 }),
    analyze("7", { routeType: "external-line", callRight: 2 }),
    // Calls in on the "inbound" plan may only reach 100.
    analyze("", { dialPlan: "inbound", routeType: "reject", rejectStatus: 404 }),
    analyze("100", { dialPlan: "inbound", routeType: "local-user" }),
  ],
  transitions: [],
  refine: [],
};
const users: Record<string, CallerUser> = {
  "100": { name: "100", callRight: 0, specificExternalLine: "" },
  boss: { name: "boss", callRight: 5, specificExternalLine: "" },
};
const service = (usable = true) =>
  new RoutingService({
    load: async () => snapshot,
    user: async (name) => users[name],
    outGroupPrefix: "9",
    usableLine: () => usable,
    usableTrunk: () => usable,
  });
const user100 = { origin: "user" as const, user: users["100"]! };

describe("RoutingService.decide()", () => {
  it("a number no record matches goes to a local user", async () => {
    const d = await service().decide(user100, "101");
    assert.equal(d.kind, "local-user");
    assert.equal(d.kind === "local-user" && d.number, "101");
  });
  it("the out-group prefix leaves on a line, the attempts carrying the store's own line", async () => {
    const d = await service().decide(user100, "9555");
    assert.equal(d.kind, "outbound");
    if (d.kind !== "outbound") return;
    assert.equal(d.number, "555");
    assert.equal(d.attempts[0]?.carrier.kind, "line");
    assert.equal(d.attempts[0]?.carrier.kind === "line" && d.attempts[0].carrier.line, snapshot.lines[0]);
  });
  it("a trunk route with the trunk usable: outbound on it", async () => {
    const d = await service().decide(user100, "201");
    assert.deepEqual(d.kind === "outbound" && d.attempts.map((a) => [a.carrier.kind, a.number]), [
      ["trunk", "201"],
    ]);
  });
  it("no usable line: 503 No External Line Available; no usable trunk: 503 No SIP Trunk Available", async () => {
    const line503 = await service(false).decide(user100, "9555");
    assert.deepEqual([line503.kind, "status" in line503 && line503.status], ["refuse", 503]);
    assert.equal(line503.kind === "refuse" && line503.reason, "No External Line Available");
    const trunk503 = await service(false).decide(user100, "201");
    assert.equal(trunk503.kind === "refuse" && trunk503.reason, "No SIP Trunk Available");
  });
  it("a reject record refuses with its status; a call right too low with 403", async () => {
    const rejected = await service().decide(user100, "6612");
    assert.deepEqual(rejected.kind === "refuse" && [rejected.status, rejected.reason], [
      603,
      "Rejected By Dial Plan",
    ]);
    const low = await service().decide(user100, "7000");
    assert.deepEqual(low.kind === "refuse" && [low.status, low.reason], [403, "Insufficient Call Right"]);
    const boss = await service().decide({ origin: "user", user: users.boss! }, "7000");
    assert.equal(boss.kind, "outbound");
  });
  it("a call in on a line routes in the line's dial plan", async () => {
    const s = service();
    assert.equal((await s.decide({ origin: "line", account: "in" }, "100")).kind, "local-user");
    const other = await s.decide({ origin: "line", account: "in" }, "101");
    assert.equal(other.kind === "refuse" && other.status, 404);
    // A line or trunk call never leaves on a line by the out-group default.
    assert.equal((await s.decide({ origin: "trunk", trunkId: "t1" }, "9555")).kind, "local-user");
  });
  it("a line or trunk no longer configured: 403 Forbidden", async () => {
    for (const ref of [
      { origin: "line" as const, account: "gone" },
      { origin: "trunk" as const, trunkId: "gone" },
    ]) {
      const d = await service().decide(ref, "100");
      assert.deepEqual(d.kind === "refuse" && [d.status, d.reason], [403, "Forbidden"]);
    }
  });
});

describe("RoutingService.dryRun()", () => {
  it("an unknown user, line or trunk is not found, named in the message", async () => {
    assert.deepEqual(await service().dryRun("user", "999", "1"), {
      found: false,
      message: 'user "999" not found',
    });
    assert.deepEqual(await service().dryRun("line", "x", "1"), {
      found: false,
      message: 'external line "x" not found',
    });
    assert.deepEqual(await service().dryRun("trunk", "y", "1"), {
      found: false,
      message: 'SIP trunk "y" not found',
    });
  });
  it("explains the plan a call would follow, attempts named by line or trunk", async () => {
    const run = await service().dryRun("user", "100", "201");
    assert.ok(run.found);
    assert.equal(run.plan.route.kind, "sip-trunk");
    assert.deepEqual(
      run.plan.attempts.map((a) => [a.kind, a.id, a.number]),
      [["trunk", "t1", "201"]],
    );
    const call = await service().decide(user100, "201");
    assert.deepEqual(call.kind === "outbound" && call.plan.route, run.plan.route);
  });
  it("uses the caller's stored call right", async () => {
    const boss = await service().dryRun("user", "boss", "7000");
    assert.ok(boss.found);
    assert.equal(boss.plan.route.kind, "external-line");
  });
});
