/**
 * A dial plan route of type "script" (issue 18: "a script can also be a dial plan route target"):
 * a matching number routes to the record's script, with the number as changed by its transition;
 * the dry run and the real call's decision agree; the call engine is handed the service named
 * SCRIPT_SERVICE with the script as its argument; a record of that type without a script, or with
 * a name that is no script's, is refused naming the field `script`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AnalyzeRecord, routeNumber } from "../../src/routing/index.js";
import { RoutingService } from "../../src/routing/routing-service.js";
import { SCRIPT_SERVICE } from "../../src/routing/types.js";
import { analyzeSchema } from "../../src/store/routing-model.js";
import { analyzeReferences, type RoutingSnapshot } from "../../src/store/routing-validation.js";
import { TrunkCallRouting } from "../../src/trunks/call-routing.js";
import { CarrierState } from "../../src/trunks/carrier-state.js";
import type { OutgoingLegs } from "../../src/trunks/outgoing-legs.js";
import { silentLogger } from "../../src/util/logger.js";

const record: AnalyzeRecord = {
  dialPlan: "default",
  prefix: "*77",
  routeType: "script",
  externalLine: "",
  outgoingGroupId: 0,
  sipTrunk: "",
  script: "time-router",
  rejectStatus: 0,
  changeNumber: true,
  transitionId: 1,
  reanalyze: false,
  callRight: 0,
};
const transitions = [{ id: 1, type: "delete" as const, start: 0, length: 3, text: "" }];

describe('route type "script"', () => {
  it("routes a matching number to the record's script, as the transition changed it", () => {
    const tables = {
      dialPlans: ["default"],
      analyze: [record],
      transitions,
      refine: [],
      outGroupPrefix: "9",
    };
    const result = routeNumber(tables, "*77100", { dialPlan: "default", callRight: 0, origin: "user" });
    assert.deepEqual(result.route, { kind: "script", number: "100", script: "time-router" });
  });

  const snapshot: RoutingSnapshot = {
    lines: [],
    trunks: [],
    dialPlans: [],
    analyze: [{ ...record, id: 1 }],
    transitions,
    refine: [],
  };
  const service = new RoutingService({
    load: async () => snapshot,
    user: async (name) => ({ name, callRight: 0, specificExternalLine: "" }),
    outGroupPrefix: "9",
  });
  const caller = { origin: "user" as const, user: { name: "100", callRight: 0, specificExternalLine: "" } };

  it("the dry run and the call's decision both name the script", async () => {
    const dry = await service.dryRun("user", "100", "*77123");
    assert.ok(dry.found);
    assert.deepEqual(dry.plan.outcome, { kind: "script", number: "123", script: "time-router" });
    const decision = await service.decide(caller, "*77123");
    assert.equal(decision.kind, "script");
    assert.ok(decision.kind === "script");
    assert.equal(decision.script, "time-router");
    assert.equal(decision.number, "123");
  });

  it("the call engine gets the script service, the script as its argument and the routed number", async () => {
    const routing = new TrunkCallRouting({
      routing: service,
      legs: {} as OutgoingLegs,
      carriers: new CarrierState(),
      logger: silentLogger(),
      noAnswerTime: 30,
    });
    const decision = await routing.decide({
      user: undefined,
      userName: "100",
      callerDisplayName: "",
      inbound: undefined,
      dialed: "*77123",
    } as Parameters<TrunkCallRouting["decide"]>[0]);
    assert.deepEqual(decision, {
      kind: "service",
      service: SCRIPT_SERVICE,
      number: "123",
      argument: "time-router",
    });
    assert.equal(SCRIPT_SERVICE, "script");
  });

  it("a script record needs a script, named as scripts are", () => {
    const { script: _none, ...withoutScript } = record;
    const s: RoutingSnapshot = { ...snapshot, analyze: [] };
    assert.deepEqual(
      analyzeReferences(s, { ...withoutScript, id: 0 } as never).map((e) => e.field),
      ["script"],
    );
    assert.deepEqual(
      analyzeReferences(s, { ...record, script: "" } as never).map((e) => e.field),
      ["script"],
    );
    assert.deepEqual(analyzeReferences(s, record as never), []);
    const parsed = analyzeSchema.safeParse({ prefix: "1", routeType: "script", script: "Not/A/Name" });
    assert.equal(parsed.success, false);
    assert.deepEqual(
      parsed.error?.issues.map((i) => i.path.join(".")),
      ["script"],
    );
  });
});
