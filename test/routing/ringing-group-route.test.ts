/**
 * A dial plan route of type ringing-group (issue 16; FEATURES.md section 5, "ringing/hunt group"
 * route type): the analyze record's group ID comes out as the route, and a record of that type
 * without a group ID is refused naming the field.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AnalyzeRecord, routeNumber } from "../../src/routing/index.js";
import { analyzeReferences } from "../../src/store/routing-validation.js";

const record: AnalyzeRecord = {
  dialPlan: "default",
  prefix: "70",
  routeType: "ringing-group",
  externalLine: "",
  outgoingGroupId: 0,
  sipTrunk: "",
  ringingGroupId: 7,
  rejectStatus: 0,
  changeNumber: false,
  transitionId: 0,
  reanalyze: false,
  callRight: 0,
};

describe("route type ringing-group", () => {
  it("routes a matching number to the record's ringing group", () => {
    const tables = {
      dialPlans: ["default"],
      analyze: [record],
      transitions: [],
      refine: [],
      outGroupPrefix: "9",
    };
    const result = routeNumber(tables, "700", { dialPlan: "default", callRight: 0, origin: "user" });
    assert.deepEqual(result.route, { kind: "ringing-group", number: "700", groupId: 7 });
  });

  it("refuses a record of that type with no ringing group ID, naming the field", () => {
    const snapshot = { lines: [], trunks: [], dialPlans: [], analyze: [], transitions: [], refine: [] };
    const { ringingGroupId: _none, ...withoutGroup } = record;
    assert.deepEqual(
      analyzeReferences(snapshot, withoutGroup).map((e) => e.field),
      ["ringingGroupId"],
    );
  });
});
