/**
 * A dial plan route of type auto-attendant (issue 17: "a dial plan route to the auto-attendant"):
 * a matching number routes to the auto-attendant with the number as changed by the record's
 * transition (the auto-attendant's entry point of kind "number" picks the menu by it).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AnalyzeRecord, routeNumber } from "../../src/routing/index.js";

const record: AnalyzeRecord = {
  dialPlan: "default",
  prefix: "85",
  routeType: "auto-attendant",
  externalLine: "",
  outgoingGroupId: 0,
  sipTrunk: "",
  rejectStatus: 0,
  changeNumber: true,
  transitionId: 1,
  reanalyze: false,
  callRight: 0,
};

describe("route type auto-attendant", () => {
  it("routes a matching number to the auto-attendant, as the transition changed it", () => {
    const tables = {
      dialPlans: ["default"],
      analyze: [record],
      transitions: [{ id: 1, type: "delete" as const, start: 0, length: 1, text: "" }],
      refine: [],
      outGroupPrefix: "9",
    };
    const result = routeNumber(tables, "8500", { dialPlan: "default", callRight: 0, origin: "line" });
    assert.deepEqual(result.route, { kind: "auto-attendant", number: "500" });
  });
});
