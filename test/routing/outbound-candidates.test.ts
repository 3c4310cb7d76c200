/**
 * Which lines or trunks an outgoing call tries, in order (FEATURES.md sections 3 and 4), and the
 * routing service's plans over them (round robin, refine called number).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lineCandidates, trunkCandidates } from "../../src/routing/outbound-candidates.js";
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
const accounts = (lines: ExternalLine[]) => lines.map((l) => l.account);
const any = { line: "", outgoingGroupId: 0, callerLine: "", cursor: 0 };
const all = () => true;

describe("lineCandidates()", () => {
  const lines = [
    line("a", { chainTo: "b" }),
    line("b", { chainTo: "a" }),
    line("c"),
    line("private", { allUsers: false, outgoingGroupId: 2 }),
    line("g2", { outgoingGroupId: 2 }),
  ];
  const cases: Array<[string, Parameters<typeof lineCandidates>[1], (l: ExternalLine) => boolean, string[]]> =
    [
      ["any line: round robin picks by the cursor, then the chain (a loop stops)", any, all, ["a", "b"]],
      ["the cursor moves the start", { ...any, cursor: 2 }, all, ["c"]],
      ["the cursor wraps (the pool: a, b, c, g2)", { ...any, cursor: 4 }, all, ["a", "b"]],
      ["an unusable line is skipped for the next in the pool", any, (l) => l.account !== "a", ["b"]],
      [
        "the caller's specific line comes first, even when not open to all",
        { ...any, callerLine: "private" },
        all,
        ["private"],
      ],
      ["a specific line from a record, chained", { ...any, line: "b" }, all, ["b", "a"]],
      [
        "a specific line with an unusable chain member",
        { ...any, line: "a" },
        (l) => l.account !== "b",
        ["a"],
      ],
      ["an unknown specific line: none", { ...any, line: "zzz" }, all, []],
      ["by group: only the group's lines open to the caller", { ...any, outgoingGroupId: 2 }, all, ["g2"]],
      [
        "by group, the bound user may use its private line",
        { ...any, outgoingGroupId: 2, callerLine: "private" },
        all,
        ["private"],
      ],
      ["nothing usable: none", any, () => false, []],
    ];
  for (const [what, request, usable, expected] of cases) {
    it(what, () => assert.deepEqual(accounts(lineCandidates(lines, request, usable)), expected));
  }
});

describe("trunkCandidates()", () => {
  const trunks = [trunk("t1", { failoverTrunk: "t2" }), trunk("t2", { failoverTrunk: "t1" }), trunk("t3")];
  it("the trunk, then its failover trunks (a loop stops)", () => {
    assert.deepEqual(
      trunkCandidates(trunks, "t1", all).map((t) => t.trunkId),
      ["t1", "t2"],
    );
  });
  it("leaves out trunks that cannot take a call", () => {
    assert.deepEqual(
      trunkCandidates(trunks, "t1", (t) => t.trunkId !== "t1").map((t) => t.trunkId),
      ["t2"],
    );
    assert.deepEqual(trunkCandidates(trunks, "nope", all), []);
  });
});

describe("RoutingService.plan()", () => {
  const snapshot: RoutingSnapshot = {
    lines: [line("a"), line("b", { outgoingGroupId: 1 })],
    trunks: [],
    dialPlans: [],
    analyze: [],
    transitions: [{ id: 1, type: "insert", start: 0, length: 0, text: "00" }],
    refine: [{ id: 1, outgoingGroupId: 1, prefix: "", transitionId: 1 }],
  };
  const caller = {
    origin: "user" as const,
    user: { name: "100", callRight: 0, specificExternalLine: "" },
  };
  const service = () =>
    new RoutingService({ load: async () => snapshot, user: async () => undefined, outGroupPrefix: "9" });
  it("a committed call advances the round robin; a dry run does not", async () => {
    const router = service();
    const ids = async (commit: boolean) =>
      (await router.plan(caller, "9123", commit)).attempts.map((a) =>
        a.carrier.kind === "line" ? a.carrier.line.account : "",
      );
    assert.deepEqual(await ids(false), ["a"]);
    assert.deepEqual(await ids(false), ["a"]);
    assert.deepEqual(await ids(true), ["a"]);
    assert.deepEqual(await ids(true), ["b"]);
    assert.deepEqual(await ids(true), ["a"]);
  });
  it("refines the number for the outgoing group of the line it leaves on", async () => {
    const router = service();
    await router.plan(caller, "9123", true);
    const plan = await router.plan(caller, "9123", true);
    assert.equal(plan.attempts[0]?.number, "00123");
  });
});
