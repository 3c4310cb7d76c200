/**
 * Emergency numbers in routing (issue 23; src/routing/emergency.ts), with no store and no server:
 * a number as dialled or after the out-group prefix is classified (999 with prefix 9 stays 999,
 * 9999 leaves as 999); a local user with no call right reaches it through the lines; the number's
 * line comes first, then the normal outbound routing's lines, each once; the refine table does not
 * change it; a call in on a line or trunk is routed by the dial plan as before.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyEmergency } from "../../src/routing/emergency.js";
import { RoutingService } from "../../src/routing/routing-service.js";
import { type ExternalLine, externalLineSchema } from "../../src/store/routing-model.js";
import type { RoutingSnapshot } from "../../src/store/routing-validation.js";

const line = (account: string, fields: Partial<ExternalLine> = {}): ExternalLine =>
  externalLineSchema.parse({ account, server: "p.example", ...fields });
const record = (prefix: string, fields: Record<string, unknown>) => ({
  id: 0,
  dialPlan: "default",
  prefix,
  routeType: "external-line" as const,
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
const stamp = { description: "", createdAt: 0, updatedAt: 0 };
const table = [
  { number: "112", line: "", ...stamp },
  { number: "999", line: "", ...stamp },
  { number: "911", line: "emergency", ...stamp },
];

const snapshot = (emergencyNumbers = table): RoutingSnapshot => ({
  lines: [line("office", { outgoingGroupId: 1 }), line("emergency", { allUsers: false, dialPlan: "in" })],
  trunks: [],
  dialPlans: [{ name: "in", users: [] }],
  // Outside calls need call right 5; "1" numbers are refused; group 1 adds 00 to everything.
  analyze: [
    record("9", { callRight: 5, changeNumber: true, transitionId: 1 }),
    record("1", { routeType: "reject", rejectStatus: 403 }),
  ],
  transitions: [
    { id: 1, type: "delete", start: 0, length: 1, text: "" },
    { id: 2, type: "insert", start: 0, length: 0, text: "00" },
  ],
  refine: [{ id: 1, outgoingGroupId: 1, prefix: "", transitionId: 2 }] as RoutingSnapshot["refine"],
  emergencyNumbers,
});
const service = (s: RoutingSnapshot, usable: (l: ExternalLine) => boolean = () => true) =>
  new RoutingService({
    load: async () => s,
    user: async () => undefined,
    outGroupPrefix: "9",
    usableLine: usable,
  });
const noRights = { origin: "user" as const, user: { name: "100", callRight: 0, specificExternalLine: "" } };

describe("classifyEmergency()", () => {
  it("a number as dialled is itself, never stripped: 999 with prefix 9 stays 999", () => {
    assert.equal(classifyEmergency(table, "999", "9")?.number, "999");
    assert.equal(classifyEmergency(table, "112", "9")?.number, "112");
  });
  it("the prefix and an emergency number is that number: 9999 → 999, 9112 → 112", () => {
    assert.equal(classifyEmergency(table, "9999", "9")?.number, "999");
    assert.equal(classifyEmergency(table, "9112", "9")?.number, "112");
  });
  it("anything else is no emergency number (1122, 99, 99999, no prefix configured)", () => {
    for (const dialed of ["1122", "99", "99999", "11", ""])
      assert.equal(classifyEmergency(table, dialed, "9"), undefined, dialed);
    assert.equal(classifyEmergency(table, "9112", ""), undefined);
  });
});

describe("RoutingService.decide() for an emergency number", () => {
  it("a user with no call right reaches 112 on a line, as 112 (the refine table untouched)", async () => {
    const d = await service(snapshot()).decide(noRights, "112");
    assert.equal(d.kind, "outbound");
    if (d.kind !== "outbound") return;
    assert.equal(d.number, "112");
    assert.deepEqual(
      d.attempts.map((a) => [a.carrier.kind === "line" && a.carrier.line.account, a.number]),
      [["office", "112"]],
    );
  });
  it("9999 with prefix 9 leaves as 999; 999 leaves as 999", async () => {
    for (const dialed of ["9999", "999"]) {
      const d = await service(snapshot()).decide(noRights, dialed);
      assert.equal(d.kind === "outbound" && d.number, "999", dialed);
      assert.equal(d.kind === "outbound" && d.attempts[0]?.number, "999", dialed);
    }
  });
  it("the number's line first (even one not open to all users), then the normal routing's lines", async () => {
    const d = await service(snapshot()).decide(noRights, "911");
    assert.equal(d.kind, "outbound");
    if (d.kind !== "outbound") return;
    assert.deepEqual(
      d.attempts.map((a) => a.carrier.kind === "line" && a.carrier.line.account),
      ["emergency", "office"],
    );
  });
  it("the configured line offline: the normal routing's lines carry the call", async () => {
    const d = await service(snapshot(), (l) => l.account !== "emergency").decide(noRights, "911");
    assert.deepEqual(
      d.kind === "outbound" && d.attempts.map((a) => a.carrier.kind === "line" && a.carrier.line.account),
      ["office"],
    );
  });
  it("without the table, the dial plan refuses the same calls (the control)", async () => {
    const d = await service(snapshot([])).decide(noRights, "112");
    assert.equal(d.kind, "refuse");
    const out = await service(snapshot([])).decide(noRights, "9999");
    assert.equal(out.kind === "refuse" && out.status, 403);
  });
  it("a normal outside call of a user with the right is refined (the refine table is live)", async () => {
    const boss = { origin: "user" as const, user: { ...noRights.user, callRight: 5 } };
    const d = await service(snapshot()).decide(boss, "9555");
    assert.equal(d.kind === "outbound" && d.attempts[0]?.number, "00555");
  });
  it("a call in on a line is routed by the dial plan as before", async () => {
    const d = await service(snapshot()).decide({ origin: "line", account: "emergency" }, "112");
    assert.notEqual(d.kind, "outbound");
  });
  it("the dry run explains it as an emergency number", async () => {
    const users = { "100": noRights.user };
    const s = new RoutingService({
      load: async () => snapshot(),
      user: async (n) => users[n as "100"],
      outGroupPrefix: "9",
    });
    const run = await s.dryRun("user", "100", "9112");
    assert.ok(run.found);
    if (!run.found) return;
    assert.equal(run.plan.route.kind, "external-line");
    assert.match(JSON.stringify(run.plan.steps), /emergency number 112/);
  });
});
