/**
 * The dial plan engine, table-driven: FEATURES.md section 5's worked examples 1 and 2 and each rule
 * (example 3, hunt groups, is end to end in test/e2e/hunt-groups.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AnalyzeRecord,
  applyTransition,
  type DialPlanTables,
  longestPrefixMatch,
  PrefixIndex,
  type Route,
  type RoutingContext,
  refineNumber,
  routeNumber,
  type Transition,
} from "../../src/routing/index.js";

function record(fields: Partial<AnalyzeRecord> & Pick<AnalyzeRecord, "prefix" | "routeType">): AnalyzeRecord {
  return {
    dialPlan: "default",
    externalLine: "",
    outgoingGroupId: 0,
    sipTrunk: "",
    rejectStatus: 0,
    changeNumber: false,
    transitionId: 0,
    reanalyze: false,
    callRight: 0,
    ...fields,
  };
}

function tables(fields: Partial<DialPlanTables>): DialPlanTables {
  return { dialPlans: ["default"], analyze: [], transitions: [], refine: [], outGroupPrefix: "9", ...fields };
}

const user: RoutingContext = { dialPlan: "default", callRight: 0, origin: "user" };

describe("FEATURES.md section 5, worked example 1: two providers, one dial plan", () => {
  // The international line has outgoing group 1; transition 1 = replace, start 0, length 1, "0086";
  // refine record: group 1, prefix "0", transition 1.
  const t = tables({
    transitions: [{ id: 1, type: "replace", start: 0, length: 1, text: "0086" }],
    refine: [{ outgoingGroupId: 1, prefix: "0", transitionId: 1 }],
  });
  it("routeNumber() strips the out-group prefix 9 from 90xxxx and picks any external line", () => {
    assert.deepEqual(routeNumber(t, "9012345", user).route, {
      kind: "external-line",
      number: "012345",
      line: "",
      outgoingGroupId: 0,
    });
  });
  it("refineNumber() on group 1 turns 0xxxx into 0086xxxx", () => {
    assert.equal(refineNumber(t, "012345", 1).number, "008612345");
  });
  it("refineNumber() on the local provider's group (0) leaves 0xxxx as it is", () => {
    assert.equal(refineNumber(t, "012345", 0).number, "012345");
    assert.equal(refineNumber(t, "012345", 2).number, "012345");
  });
});

describe("FEATURES.md section 5, worked example 2: two lines chosen by prefix", () => {
  const t = tables({
    transitions: [{ id: 1, type: "delete", start: 0, length: 1, text: "" }],
    analyze: [
      record({
        prefix: "9",
        routeType: "external-line",
        externalLine: "1234",
        changeNumber: true,
        transitionId: 1,
      }),
      record({
        prefix: "8",
        routeType: "external-line",
        externalLine: "5678",
        changeNumber: true,
        transitionId: 1,
      }),
    ],
  });
  const cases: Array<[string, Route]> = [
    ["91234567", { kind: "external-line", number: "1234567", line: "1234", outgoingGroupId: 0 }],
    ["81234567", { kind: "external-line", number: "1234567", line: "5678", outgoingGroupId: 0 }],
  ];
  for (const [dialed, expected] of cases) {
    it(`routeNumber("${dialed}") leaves on line ${(expected as { line: string }).line} as 1234567`, () => {
      assert.deepEqual(routeNumber(t, dialed, user).route, expected);
    });
  }
});

describe("longest prefix wins", () => {
  const t = tables({
    analyze: [
      record({ prefix: "2", routeType: "sip-trunk", sipTrunk: "office2" }),
      record({ prefix: "20", routeType: "reject", rejectStatus: 404 }),
      record({ prefix: "201", routeType: "local-user" }),
      record({ prefix: "2", routeType: "reject", rejectStatus: 603, dialPlan: "other" }),
    ],
  });
  const cases: Array<[string, Route["kind"]]> = [
    ["299", "sip-trunk"],
    ["205", "reject"],
    ["2015", "local-user"],
    ["201", "local-user"],
    ["3", "local-user"],
  ];
  for (const [dialed, kind] of cases) {
    it(`routes ${dialed} by its longest matching prefix to ${kind}`, () => {
      assert.equal(routeNumber(t, dialed, user).route.kind, kind);
    });
  }
  it("a reject record answers its status", () => {
    assert.deepEqual(routeNumber(t, "205", user).route, {
      kind: "reject",
      status: 404,
      reason: "Rejected By Dial Plan",
    });
  });
  it("only the caller's dial plan's records match; an unknown plan falls back to default", () => {
    const multi = { ...t, dialPlans: ["default", "other"] };
    assert.equal(routeNumber(multi, "299", { ...user, dialPlan: "other" }).route.kind, "reject");
    assert.equal(routeNumber(multi, "299", { ...user, dialPlan: "nonexistent" }).route.kind, "sip-trunk");
  });
});

describe("transitions and re-analysis", () => {
  const transitions: Transition[] = [
    { id: 1, type: "delete", start: 0, length: 2, text: "" },
    { id: 2, type: "insert", start: 0, length: 0, text: "1" },
    { id: 3, type: "replace", start: 1, length: 2, text: "X" },
  ];
  it("applyTransition() deletes, inserts and replaces, clamping positions past the end", () => {
    const cases: Array<[string, Transition, string]> = [
      ["12345", transitions[0], "345"],
      ["2345", transitions[1], "12345"],
      ["12345", transitions[2], "1X45"],
      ["1", transitions[0], ""],
      ["12", { id: 9, type: "insert", start: 10, length: 0, text: "#" }, "12#"],
    ];
    for (const [input, t, expected] of cases) assert.equal(applyTransition(input, t), expected);
  });
  it("re-analyzes the changed number when the record says so", () => {
    const t = tables({
      transitions,
      analyze: [
        // *01 + number: strip "*0", then "1xx" goes to the trunk.
        record({
          prefix: "*0",
          routeType: "local-user",
          changeNumber: true,
          transitionId: 1,
          reanalyze: true,
        }),
        record({ prefix: "1", routeType: "sip-trunk", sipTrunk: "office1" }),
      ],
    });
    const result = routeNumber(t, "*0123", user);
    assert.deepEqual(result.route, { kind: "sip-trunk", number: "123", trunk: "office1" });
    assert.deepEqual(
      result.steps.map((s) => s.step),
      ["analyze", "transition", "analyze"],
    );
  });
  it("without re-analysis the first record's route stands with the changed number", () => {
    const t = tables({
      transitions,
      analyze: [
        record({ prefix: "*0", routeType: "local-user", changeNumber: true, transitionId: 1 }),
        record({ prefix: "1", routeType: "sip-trunk", sipTrunk: "office1" }),
      ],
    });
    assert.deepEqual(routeNumber(t, "*0123", user).route, { kind: "local-user", number: "123" });
  });
  it("a loop of re-analyses is refused after a bounded number of rounds", () => {
    const t = tables({
      transitions: [{ id: 1, type: "replace", start: 0, length: 1, text: "5" }],
      analyze: [
        record({
          prefix: "5",
          routeType: "local-user",
          changeNumber: true,
          transitionId: 1,
          reanalyze: true,
        }),
      ],
    });
    const result = routeNumber(t, "555", user);
    assert.deepEqual(result.route, { kind: "reject", status: 500, reason: "Dial Plan Loop" });
    assert.equal(result.steps.filter((s) => s.step === "analyze").length, 8);
  });
  it("a record naming a missing transition is refused, not guessed", () => {
    const t = tables({
      analyze: [record({ prefix: "5", routeType: "local-user", changeNumber: true, transitionId: 7 })],
    });
    assert.deepEqual(routeNumber(t, "55", user).route, {
      kind: "reject",
      status: 500,
      reason: "Missing Transition 7",
    });
  });
});

describe("call right", () => {
  const t = tables({
    analyze: [
      record({ prefix: "00", routeType: "external-line", callRight: 3 }),
      record({ prefix: "0", routeType: "external-line", callRight: 1 }),
    ],
  });
  const cases: Array<[number, string, Route["kind"]]> = [
    [0, "0123", "reject"],
    [1, "0123", "external-line"],
    [1, "00123", "reject"],
    [3, "00123", "external-line"],
    [5, "00123", "external-line"],
  ];
  for (const [right, dialed, kind] of cases) {
    it(`a caller with call right ${right} dialing ${dialed} gets ${kind}`, () => {
      const { route } = routeNumber(t, dialed, { ...user, callRight: right });
      assert.equal(route.kind, kind);
      if (route.kind === "reject") assert.equal(route.status, 403);
    });
  }
  it("a call right checked on a re-analyzed record too", () => {
    const re = tables({
      transitions: [{ id: 1, type: "delete", start: 0, length: 1, text: "" }],
      analyze: [
        record({
          prefix: "*",
          routeType: "local-user",
          changeNumber: true,
          transitionId: 1,
          reanalyze: true,
        }),
        record({ prefix: "0", routeType: "external-line", callRight: 2 }),
      ],
    });
    const result = routeNumber(re, "*0123", user);
    assert.equal(result.route.kind, "reject");
    assert.equal(result.steps.at(-1)?.step, "call-right");
  });
});

describe("default routing: no record matches", () => {
  const cases: Array<[string, string, RoutingContext, Route]> = [
    ["a number is a local user", "9", user, { kind: "local-user", number: "101" }],
    [
      "the out-group prefix is removed and the call leaves on any external line",
      "9",
      user,
      { kind: "external-line", number: "5551234", line: "", outgoingGroupId: 0 },
    ],
    [
      "a longer out-group prefix works alike",
      "00",
      user,
      { kind: "external-line", number: "5551234", line: "", outgoingGroupId: 0 },
    ],
    [
      "an empty out-group prefix means every number is local",
      "",
      user,
      { kind: "local-user", number: "95551234" },
    ],
    [
      "a call that came in on a line never leaves on a line by default",
      "9",
      { ...user, origin: "line" },
      { kind: "local-user", number: "95551234" },
    ],
    [
      "nor does a call from a trunk",
      "9",
      { ...user, origin: "trunk" },
      { kind: "local-user", number: "95551234" },
    ],
  ];
  const dialedFor = (c: (typeof cases)[number]) =>
    c[0].startsWith("a number") ? "101" : c[1] === "00" ? "005551234" : "95551234";
  for (const c of cases) {
    it(c[0], () => {
      const result = routeNumber(tables({ outGroupPrefix: c[1] }), dialedFor(c), c[2]);
      assert.deepEqual(result.route, c[3]);
      assert.equal(result.steps.at(-1)?.step, "default");
    });
  }
  it("the out-group prefix alone is not an outside number", () => {
    assert.deepEqual(routeNumber(tables({}), "9", user).route, { kind: "local-user", number: "9" });
  });
});

describe("refine called number", () => {
  const t = tables({
    transitions: [
      { id: 1, type: "insert", start: 0, length: 0, text: "+" },
      { id: 2, type: "delete", start: 0, length: 2, text: "" },
    ],
    refine: [
      { outgoingGroupId: 1, prefix: "", transitionId: 1 },
      { outgoingGroupId: 1, prefix: "00", transitionId: 2 },
    ],
  });
  it("the longest prefix of the group's records wins; an empty prefix matches everything", () => {
    assert.equal(refineNumber(t, "0049301234", 1).number, "49301234");
    assert.equal(refineNumber(t, "49301234", 1).number, "+49301234");
  });
  it("explains what it did", () => {
    const { step } = refineNumber(t, "0049", 1);
    assert.deepEqual(step, {
      step: "refine",
      outgoingGroupId: 1,
      record: { outgoingGroupId: 1, prefix: "00", transitionId: 2 },
      before: "0049",
      after: "49",
    });
  });
});

describe("PrefixIndex", () => {
  it("matches exactly what a linear longest-prefix scan matches (seeded random tables)", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const digits = (n: number) =>
      Array.from({ length: n }, () => "0123456789*#"[Math.floor(random() * 12)]).join("");
    for (let round = 0; round < 20; round++) {
      const rows = Array.from({ length: 50 }, (_, i) => ({
        prefix: digits(Math.floor(random() * 4)),
        plan: i % 2 ? "a" : "b",
      }));
      const index = new PrefixIndex(rows, (r) => r.plan);
      for (let i = 0; i < 200; i++) {
        const number = digits(1 + Math.floor(random() * 8));
        for (const plan of ["a", "b"]) {
          const expected = longestPrefixMatch(
            rows.filter((r) => r.plan === plan),
            number,
          );
          assert.equal(index.match(plan, number), expected, `${plan} ${number}`);
        }
      }
    }
  });
});
