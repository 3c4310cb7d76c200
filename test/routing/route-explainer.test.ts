/**
 * The route explainer (issue 23, src/routing/route-explainer.ts), pure: for a caller and a number,
 * every candidate (dial plan record or default rule, line, trunk, local user) in order, tried or
 * skipped and why (line offline, at its maximum calls, not open to the caller, round robin chose
 * another, trunk forbidding outgoing calls, no record matched, out-group prefix missing, call right
 * too low), and the outcome; and the routing service's real-call decide() and its dry run
 * dryRun() giving the same outcome, the refusal's words included (an emergency number's too).
 * Not covered here: the API, the CLI and the SIP response (test/e2e/route-explainer.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lineChoice, outGroupSkip, trunkChoice } from "../../src/routing/route-explainer.js";
import type { CallerUser } from "../../src/routing/routing-plan.js";
import { RoutingService } from "../../src/routing/routing-service.js";
import {
  type ExternalLine,
  externalLineSchema,
  type SipTrunk,
  sipTrunkSchema,
} from "../../src/store/routing-model.js";
import type { RoutingSnapshot } from "../../src/store/routing-validation.js";
import { CarrierState } from "../../src/trunks/carrier-state.js";

const line = (account: string, fields: Partial<ExternalLine> = {}): ExternalLine =>
  externalLineSchema.parse({ account, server: "p.example", ...fields });
const trunk = (trunkId: string, fields: Partial<SipTrunk> = {}): SipTrunk =>
  sipTrunkSchema.parse({ trunkId, address: "127.0.0.1", ...fields });
const any = { line: "", outgoingGroupId: 0, callerLine: "", cursor: 0 };
const brief = (cs: ReadonlyArray<{ id: string; via: string; tried: boolean; skip?: string }>) =>
  cs.map((c) => `${c.id}/${c.via}/${c.tried ? "tried" : c.skip}`);

describe("lineChoice()", () => {
  const lines = [
    line("a", { chainTo: "b" }),
    line("b"),
    line("c"),
    line("p", { allUsers: false, outgoingGroupId: 2 }),
  ];
  const offline =
    (...names: string[]) =>
    (l: ExternalLine) =>
      names.includes(l.account) ? { code: "line-offline" as const } : undefined;

  it("an offline line is listed as skipped, with the reason, before the line round robin takes", () => {
    const choice = lineChoice(lines, any, offline("a"));
    assert.deepEqual(
      choice.tried.map((l) => l.account),
      ["b"],
    );
    assert.deepEqual(brief(choice.candidates), ["a/pool/line-offline", "b/pool/tried", "c/pool/round-robin"]);
    assert.equal(choice.candidates[0]?.reason, "offline (not registered)");
    assert.equal(choice.candidates[2]?.reason, "not tried: round robin chose line b (and its chain)");
  });
  it("the chosen line's chain follows it, each chain member checked too", () => {
    assert.deepEqual(brief(lineChoice(lines, any, () => undefined).candidates), [
      "a/pool/tried",
      "b/chain/tried",
      "c/pool/round-robin",
    ]);
    assert.deepEqual(brief(lineChoice(lines, { ...any, line: "a" }, offline("b")).candidates), [
      "a/record/tried",
      "b/chain/line-offline",
    ]);
  });
  it("a record naming a line that does not exist: the line, skipped as missing", () => {
    const choice = lineChoice(lines, { ...any, line: "zzz" }, () => undefined);
    assert.deepEqual(brief(choice.candidates), ["zzz/record/line-missing"]);
    assert.equal(choice.candidates[0]?.reason, "does not exist");
  });
  it("by group: a line of the group not open to the caller is listed as not open", () => {
    const choice = lineChoice(lines, { ...any, outgoingGroupId: 2 }, () => undefined);
    assert.deepEqual(choice.tried, []);
    assert.deepEqual(brief(choice.candidates), ["p/pool/line-not-open"]);
  });
  it("the caller's specific line first (caller-line)", () => {
    assert.deepEqual(brief(lineChoice(lines, { ...any, callerLine: "p" }, () => undefined).candidates), [
      "p/caller-line/tried",
    ]);
  });
  it("the live state's words: maximum outgoing and concurrent calls reached (CarrierState)", () => {
    const carriers = new CarrierState();
    const busy = line("busy", { doNotRegister: true, maxOutgoingCalls: 1 });
    const full = line("full", { doNotRegister: true, maxConcurrentCalls: 1 });
    carriers.acquire("line", "busy", "outgoing");
    carriers.acquire("line", "full", "incoming");
    const choice = lineChoice([busy, full, line("down")], any, (l) => carriers.lineCheck(l));
    assert.deepEqual(
      choice.candidates.map((c) => `${c.id}: ${c.reason}`),
      [
        "busy: busy: maximum outgoing calls (1) reached",
        "full: busy: maximum concurrent calls (1) reached",
        "down: offline (not registered)",
      ],
    );
  });
});

describe("trunkChoice()", () => {
  const carriers = new CarrierState();
  const trunks = [
    trunk("t1", { failoverTrunk: "t2", maxOutgoingCalls: 0 }),
    trunk("t2", { failoverTrunk: "t3", maxOutgoingCalls: 1 }),
    trunk("t3"),
  ];
  carriers.acquire("trunk", "t2", "outgoing");
  it("each trunk of the failover chain, skipped with the reason or tried", () => {
    const choice = trunkChoice(trunks, "t1", (t) => carriers.trunkCheck(t));
    assert.deepEqual(
      choice.candidates.map((c) => `${c.id}/${c.via}: ${c.tried ? "tried" : c.reason}`),
      [
        "t1/record: takes no outgoing calls (its maximum outgoing calls is 0)",
        "t2/failover: busy: maximum outgoing calls (1) reached",
        "t3/failover: tried",
      ],
    );
    assert.deepEqual(brief(trunkChoice(trunks, "nope", () => undefined).candidates), [
      "nope/record/trunk-missing",
    ]);
  });
});

describe("outGroupSkip()", () => {
  it("says why the out-group default does not apply", () => {
    assert.equal(outGroupSkip("9", "9555", "user"), undefined);
    assert.equal(outGroupSkip("9", "555", "user"), "out-group-prefix-missing");
    assert.equal(outGroupSkip("9", "9", "user"), "out-group-prefix-missing");
    assert.equal(outGroupSkip("9", "9555", "line"), "out-group-not-for-origin");
    assert.equal(outGroupSkip("", "9555", "user"), "out-group-prefix-none");
  });
});

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

describe("the routing service: the real call and the dry run give one outcome", () => {
  const snapshot: RoutingSnapshot = {
    lines: [line("5550001"), line("5550002", { doNotRegister: true, maxOutgoingCalls: 0 })],
    trunks: [trunk("t1", { maxOutgoingCalls: 0 })],
    dialPlans: [],
    analyze: [
      analyze("2", { id: 4, routeType: "sip-trunk", sipTrunk: "t1" }),
      analyze("7", { id: 5, routeType: "external-line", callRight: 2 }),
      analyze("66", { id: 6, routeType: "reject", rejectStatus: 603 }),
    ],
    transitions: [],
    refine: [],
  };
  const users: Record<string, CallerUser> = {
    "100": { name: "100", callRight: 0, specificExternalLine: "" },
  };
  const carriers = new CarrierState();
  const service = new RoutingService({
    load: async () => snapshot,
    user: async (name) => users[name],
    outGroupPrefix: "9",
    checkLine: (l) => carriers.lineCheck(l),
    checkTrunk: (t) => carriers.trunkCheck(t),
  });
  const caller = { origin: "user" as const, user: users["100"]! };
  const both = async (number: string) => {
    const dry = await service.dryRun("user", "100", number);
    assert.ok(dry.found);
    return { dry: dry.plan, call: await service.decide(caller, number) };
  };

  it("every line offline or full: 503, each line named with its reason, in the call's refusal too", async () => {
    const { dry, call } = await both("9555");
    assert.deepEqual(brief(dry.candidates), [
      "analyze/analyze/no-match",
      "out-group/default/tried",
      "5550001/pool/line-offline",
      "5550002/pool/line-max-outgoing-calls",
    ]);
    const detail =
      "no line available: line 5550001 offline (not registered); line 5550002 busy: maximum outgoing calls (0) reached";
    assert.deepEqual(dry.outcome, {
      kind: "refuse",
      status: 503,
      reason: "No External Line Available",
      detail,
    });
    assert.equal(dry.live, true);
    assert.deepEqual(call.kind === "refuse" && [call.status, call.reason, call.detail], [
      503,
      "No External Line Available",
      detail,
    ]);
  });
  it("once a line registers, both go out on it", async () => {
    carriers.setLineOnline("5550001", true);
    const { dry, call } = await both("9555");
    assert.deepEqual(dry.outcome, { kind: "outbound", number: "555", carriers: ["5550001"] });
    assert.deepEqual(call.kind === "outbound" && call.attempts.map((a) => a.number), ["555"]);
    carriers.setLineOnline("5550001", false);
  });
  it("a trunk forbidding outgoing calls: 503 No SIP Trunk Available, saying so", async () => {
    const { dry, call } = await both("201");
    const detail = "no trunk available: trunk t1 takes no outgoing calls (its maximum outgoing calls is 0)";
    assert.deepEqual(dry.outcome, { kind: "refuse", status: 503, reason: "No SIP Trunk Available", detail });
    assert.equal(call.kind === "refuse" && call.detail, detail);
  });
  it("a call right too low: the record skipped for it, 403", async () => {
    const { dry, call } = await both("7000");
    assert.deepEqual(brief(dry.candidates), ["5/analyze/call-right"]);
    const detail = "analyze record 5: the caller's call right 0 is below the 2 the record requires";
    assert.deepEqual(dry.outcome, { kind: "refuse", status: 403, reason: "Insufficient Call Right", detail });
    assert.equal(call.kind === "refuse" && call.detail, detail);
  });
  it("a reject record: its status, the record named", async () => {
    const { dry } = await both("6601");
    assert.deepEqual(dry.outcome, {
      kind: "refuse",
      status: 603,
      reason: "Rejected By Dial Plan",
      detail: "analyze record 6 rejects the number",
    });
  });
  it("no record and no out-group prefix: the rule skipped (prefix missing), the local user tried", async () => {
    const { dry, call } = await both("101");
    assert.deepEqual(brief(dry.candidates), [
      "analyze/analyze/no-match",
      "out-group/default/out-group-prefix-missing",
      "local-user/default/tried",
      "101/route/tried",
    ]);
    assert.deepEqual(dry.outcome, { kind: "local-user", number: "101" });
    assert.equal(call.kind, "local-user");
  });
  it("an emergency number with every line offline: the emergency rule, each line and why, 503", async () => {
    const withTable = new RoutingService({
      load: async () => ({ ...snapshot, emergencyNumbers: [{ number: "112", line: "5550002" }] }),
      user: async (name) => users[name],
      outGroupPrefix: "9",
      checkLine: (l) => carriers.lineCheck(l),
    });
    const dry = await withTable.dryRun("user", "100", "9112");
    assert.ok(dry.found);
    assert.deepEqual(brief(dry.plan.candidates), [
      "emergency/default/tried",
      "5550002/record/line-max-outgoing-calls",
      "5550001/pool/line-offline",
    ]);
    const detail =
      "no line available: line 5550002 busy: maximum outgoing calls (0) reached; line 5550001 offline (not registered)";
    assert.deepEqual(dry.plan.outcome, {
      kind: "refuse",
      status: 503,
      reason: "No External Line Available",
      detail,
    });
    const call = await withTable.decide(caller, "9112");
    assert.equal(call.kind === "refuse" && call.detail, detail);
  });
  it("a dry run without live facts says so (live: false)", async () => {
    const offline = new RoutingService({
      load: async () => snapshot,
      user: async (n) => users[n],
      outGroupPrefix: "9",
    });
    const dry = await offline.dryRun("user", "100", "9555");
    assert.ok(dry.found);
    assert.equal(dry.plan.live, false);
  });
});
