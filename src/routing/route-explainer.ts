/**
 * The route explainer (issue 23): for a caller and a number, every candidate the routing looks at
 * (the dial plan's records and default rules, the lines, the trunks, the local user), in order,
 * whether it is tried and, when not, why; and the outcome the call gets. Pure: the live facts
 * (a line's registration, a line's or trunk's calls) come in as checks.
 *
 * There is no second copy of the decision: lineCandidates() and trunkCandidates() (the lines and
 * trunks a real call tries) are the `tried` part of lineChoice() and trunkChoice() below, and the
 * routing service's decide() (the real call) and dryRun() (API, CLI, web UI) both take their
 * answer from outcomeOf(). So a dry run cannot disagree with the call it predicts.
 */
import type { RoutableLine, RoutableTrunk } from "./outbound-candidates.js";
import type { AnalyzeRecord, Route, RoutingStep } from "./types.js";

/** Why a candidate is not tried. */
export const SKIP_CODES = [
  "no-match",
  "call-right",
  "out-group-prefix-missing",
  "out-group-not-for-origin",
  "out-group-prefix-none",
  "line-offline",
  "line-max-outgoing-calls",
  "line-max-concurrent-calls",
  "line-not-open",
  "line-missing",
  "round-robin",
  "trunk-missing",
  "trunk-outgoing-forbidden",
  "trunk-max-outgoing-calls",
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

/** What a call's route comes to (Outcome's kinds). */
export const OUTCOME_KINDS = [
  "refuse",
  "outbound",
  "local-user",
  "ringing-group",
  "auto-attendant",
  "script",
] as const;

/** A live fact against a line or trunk (undefined: it can carry one more outgoing call now). */
export interface CarrierSkip {
  readonly code: Extract<
    SkipCode,
    | "line-offline"
    | "line-max-outgoing-calls"
    | "line-max-concurrent-calls"
    | "trunk-outgoing-forbidden"
    | "trunk-max-outgoing-calls"
  >;
  /** The limit reached. */
  readonly limit?: number;
}

export type LineCheck<L extends RoutableLine> = (line: L) => CarrierSkip | undefined;
export type TrunkCheck<T extends RoutableTrunk> = (trunk: T) => CarrierSkip | undefined;

/** One candidate of a route, as the dry run shows it (plain JSON). */
export interface Candidate {
  /** route: an analyze record or a default rule; line, trunk: a carrier; user: a local user. */
  readonly kind: "route" | "line" | "trunk" | "user";
  /** The record's ID (or prefix), the rule ("out-group", "local-user"), the line's account, the trunk's ID, the user. */
  readonly id: string;
  /** How it came on the list: analyze, default, record (named by the route), caller-line, pool (round robin), chain, failover. */
  readonly via: string;
  readonly tried: boolean;
  /** The number analyzed (route), or as it leaves (a line or trunk tried), or the user's. */
  readonly number?: string;
  readonly skip?: SkipCode;
  /** The skip in words. */
  readonly reason?: string;
}

/** What the call gets: refused with a SIP status, or where it goes. */
export type Outcome =
  | { readonly kind: "refuse"; readonly status: number; readonly reason: string; readonly detail: string }
  | { readonly kind: "outbound"; readonly number: string; readonly carriers: string[] }
  | { readonly kind: "local-user"; readonly number: string }
  | { readonly kind: "ringing-group"; readonly number: string; readonly groupId: number }
  | { readonly kind: "auto-attendant"; readonly number: string }
  | { readonly kind: "script"; readonly number: string; readonly script: string };

/** The SIP statuses the explainer itself decides (the same catalogue entries as the engine's). */
export interface OutcomeStatuses {
  readonly noLine: { readonly status: number; readonly reason: string };
  readonly noTrunk: { readonly status: number; readonly reason: string };
}

function carrierText(skip: CarrierSkip): string {
  switch (skip.code) {
    case "line-offline":
      return "offline (not registered)";
    case "line-max-outgoing-calls":
    case "trunk-max-outgoing-calls":
      return `busy: maximum outgoing calls (${skip.limit ?? 0}) reached`;
    case "line-max-concurrent-calls":
      return `busy: maximum concurrent calls (${skip.limit ?? 0}) reached`;
    case "trunk-outgoing-forbidden":
      return `takes no outgoing calls (its maximum outgoing calls is 0)`;
  }
}

/** The line, then each line it chains to (no line twice; chains may loop). */
export function chainOf<L extends RoutableLine>(lines: readonly L[], first: L): L[] {
  const out = [first];
  let next = first.chainTo;
  while (next !== "") {
    const line = lines.find((l) => l.account === next);
    if (line === undefined || out.includes(line)) break;
    out.push(line);
    next = line.chainTo;
  }
  return out;
}

/** The trunk, then each failover trunk (no trunk twice). */
export function failoverOf<T extends RoutableTrunk>(trunks: readonly T[], first: T): T[] {
  const out = [first];
  let next = first.failoverTrunk;
  while (next !== "") {
    const trunk = trunks.find((t) => t.trunkId === next);
    if (trunk === undefined || out.includes(trunk)) break;
    out.push(trunk);
    next = trunk.failoverTrunk;
  }
  return out;
}

function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const k = ((by % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

export interface LineRequest {
  /** A specific line's account; "" = any. */
  readonly line: string;
  /** 0 = not by group. */
  readonly outgoingGroupId: number;
  /** The caller's specific external line ("" = none, or the call is not from a local user). */
  readonly callerLine: string;
  /** Round-robin position: the pool is rotated by it. */
  readonly cursor: number;
}

/** The lines a call looks at, in order, and those it tries. */
export interface LineChoice<L extends RoutableLine> {
  readonly tried: L[];
  readonly candidates: Candidate[];
}

/**
 * The lines to try for an outgoing call (FEATURES.md sections 3 and 4), with every line looked at:
 * - a specific line: it, then the lines it chains to on failure;
 * - by outgoing group: the group's lines, round robin; the first usable one, then its chain;
 * - any line: the caller's specific external line (then its chain); else round robin over the
 *   lines open to all users.
 * A line not open to all users is chosen by group only for the users whose specific external line
 * it is; a record naming it, and a chain, may use it for anyone.
 */
export function lineChoice<L extends RoutableLine>(
  lines: readonly L[],
  request: LineRequest,
  check: LineCheck<L>,
): LineChoice<L> {
  const tried: L[] = [];
  const candidates: Candidate[] = [];
  const seen = new Set<L>();
  const look = (line: L, via: string, skip = check(line)): void => {
    if (seen.has(line)) return;
    seen.add(line);
    if (skip === undefined) {
      tried.push(line);
      candidates.push({ kind: "line", id: line.account, via, tried: true });
      return;
    }
    candidates.push({
      kind: "line",
      id: line.account,
      via,
      tried: false,
      skip: skip.code,
      reason: carrierText(skip),
    });
  };
  const chained = (first: L, via: string) => {
    chainOf(lines, first).forEach((line, i) => {
      look(line, i === 0 ? via : "chain");
    });
  };
  const missing = (account: string, via: string) =>
    candidates.push({
      kind: "line",
      id: account,
      via,
      tried: false,
      skip: "line-missing",
      reason: "does not exist",
    });
  if (request.line !== "") {
    // A record naming the line is the administrator's explicit choice: no user restriction.
    const line = lines.find((l) => l.account === request.line);
    if (line === undefined) missing(request.line, "record");
    else chained(line, "record");
    return { tried, candidates };
  }
  if (request.outgoingGroupId === 0 && request.callerLine !== "") {
    const own = lines.find((l) => l.account === request.callerLine);
    if (own !== undefined) {
      chained(own, "caller-line");
      return { tried, candidates };
    }
    missing(request.callerLine, "caller-line");
  }
  const open = (l: L) => l.allUsers || l.account === request.callerLine;
  const inGroup = (l: L) => request.outgoingGroupId !== 0 && l.outgoingGroupId === request.outgoingGroupId;
  const pool = lines.filter((l) => (request.outgoingGroupId === 0 ? l.allUsers : inGroup(l) && open(l)));
  let chosen: L | undefined;
  for (const line of rotate(pool, request.cursor)) {
    if (chosen !== undefined) {
      if (!seen.has(line)) {
        seen.add(line);
        candidates.push({
          kind: "line",
          id: line.account,
          via: "pool",
          tried: false,
          skip: "round-robin",
          reason: `not tried: round robin chose line ${chosen.account} (and its chain)`,
        });
      }
      continue;
    }
    if (seen.has(line)) continue;
    const skip = check(line);
    if (skip === undefined) {
      chosen = line;
      // Its chain may name lines of the pool listed above as skipped: each is looked at once.
      chained(line, "pool");
      continue;
    }
    look(line, "pool", skip);
  }
  for (const line of lines)
    if (!seen.has(line) && inGroup(line) && !open(line))
      candidates.push({
        kind: "line",
        id: line.account,
        via: "pool",
        tried: false,
        skip: "line-not-open",
        reason: "not open to all users, and not the caller's specific external line",
      });
  return { tried, candidates };
}

/** The trunks to try for a call routed to `trunkId`, in order, and every trunk looked at. */
export function trunkChoice<T extends RoutableTrunk>(
  trunks: readonly T[],
  trunkId: string,
  check: TrunkCheck<T>,
): { readonly tried: T[]; readonly candidates: Candidate[] } {
  const trunk = trunks.find((t) => t.trunkId === trunkId);
  if (trunk === undefined)
    return {
      tried: [],
      candidates: [
        {
          kind: "trunk",
          id: trunkId,
          via: "record",
          tried: false,
          skip: "trunk-missing",
          reason: "does not exist",
        },
      ],
    };
  const tried: T[] = [];
  const candidates: Candidate[] = [];
  failoverOf(trunks, trunk).forEach((t, i) => {
    const via = i === 0 ? "record" : "failover";
    const skip = check(t);
    if (skip === undefined) {
      tried.push(t);
      candidates.push({ kind: "trunk", id: t.trunkId, via, tried: true });
    } else
      candidates.push({
        kind: "trunk",
        id: t.trunkId,
        via,
        tried: false,
        skip: skip.code,
        reason: carrierText(skip),
      });
  });
  return { tried, candidates };
}

/**
 * Why the out-group default (prefix → any external line) does not apply to a number no record
 * matched; undefined when it applies. dial-plan.ts's default rule asks this too.
 */
export function outGroupSkip(
  prefix: string,
  number: string,
  origin: "user" | "line" | "trunk",
): "out-group-prefix-missing" | "out-group-not-for-origin" | "out-group-prefix-none" | undefined {
  if (origin !== "user") return "out-group-not-for-origin";
  if (prefix === "") return "out-group-prefix-none";
  if (!number.startsWith(prefix) || number.length === prefix.length) return "out-group-prefix-missing";
  return undefined;
}

function outGroupText(code: NonNullable<ReturnType<typeof outGroupSkip>>, prefix: string, origin: string) {
  switch (code) {
    case "out-group-not-for-origin":
      return `the out-group prefix is for local users' calls (this call comes in on a ${origin === "line" ? "line" : "trunk"})`;
    case "out-group-prefix-none":
      return "no out-group prefix is set";
    case "out-group-prefix-missing":
      return `the number does not start with the out-group prefix "${prefix}" (followed by digits)`;
  }
}

/** The dial plan's candidates: each record analyzed, each default rule looked at, and the local user. */
export function routeCandidates(
  steps: readonly RoutingStep[],
  route: Route,
  outGroupPrefix: string,
  origin: "user" | "line" | "trunk",
): Candidate[] {
  const out: Candidate[] = [];
  const recordId = (r: AnalyzeRecord) => {
    const id = (r as { readonly id?: unknown }).id;
    return typeof id === "number" && id > 0 ? String(id) : `prefix "${r.prefix}"`;
  };
  for (const step of steps) {
    if (step.step === "analyze") {
      if (step.record === undefined) {
        out.push({
          kind: "route",
          id: "analyze",
          via: "analyze",
          tried: false,
          number: step.number,
          skip: "no-match",
          reason: `no analyze record of dial plan ${step.dialPlan} matches ${step.number}`,
        });
        const skip = outGroupSkip(outGroupPrefix, step.number, origin);
        if (skip !== undefined)
          out.push({
            kind: "route",
            id: "out-group",
            via: "default",
            tried: false,
            number: step.number,
            skip,
            reason: outGroupText(skip, outGroupPrefix, origin),
          });
      } else
        out.push({
          kind: "route",
          id: recordId(step.record),
          via: "analyze",
          tried: true,
          number: step.number,
        });
    } else if (step.step === "call-right") {
      const last = out[out.length - 1];
      if (last !== undefined)
        out[out.length - 1] = {
          ...last,
          tried: false,
          skip: "call-right",
          reason: `the caller's call right ${step.caller} is below the ${step.required} the record requires`,
        };
    } else if (step.step === "default") {
      const id = route.kind === "local-user" ? "local-user" : "out-group";
      out.push({ kind: "route", id, via: "default", tried: true, number: step.number });
    }
  }
  if (route.kind === "local-user")
    out.push({ kind: "user", id: route.number, via: "route", tried: true, number: route.number });
  return out;
}

/**
 * What the call gets for a route and the carriers it tries: the routing service's decide() (the
 * real call) and dryRun() both answer this.
 */
export function outcomeOf(
  route: Route,
  tried: readonly string[],
  candidates: readonly Candidate[],
  statuses: OutcomeStatuses,
): Outcome {
  switch (route.kind) {
    case "reject": {
      const refused = candidates.find((c) => c.skip === "call-right");
      const record = candidates.findLast((c) => c.kind === "route" && c.tried);
      const detail =
        refused !== undefined
          ? `analyze record ${refused.id}: ${refused.reason ?? ""}`
          : record !== undefined && route.reason === "Rejected By Dial Plan"
            ? `analyze record ${record.id} rejects the number`
            : route.reason;
      return { kind: "refuse", status: route.status, reason: route.reason, detail };
    }
    case "local-user":
      return { kind: "local-user", number: route.number };
    case "ringing-group":
      return { kind: "ringing-group", number: route.number, groupId: route.groupId };
    case "auto-attendant":
      return { kind: "auto-attendant", number: route.number };
    case "script":
      return { kind: "script", number: route.number, script: route.script };
    case "external-line":
    case "sip-trunk": {
      if (tried.length > 0) return { kind: "outbound", number: route.number, carriers: [...tried] };
      const line = route.kind === "external-line";
      const kind = line ? "line" : "trunk";
      const skipped = candidates.filter((c) => c.kind === kind);
      const why =
        skipped.length === 0
          ? line
            ? route.outgoingGroupId === 0
              ? "no line is open to all users"
              : `outgoing group ${route.outgoingGroupId} has no line open to the caller`
            : "no trunk"
          : skipped.map((c) => `${kind} ${c.id} ${c.reason ?? ""}`).join("; ");
      const status = line ? statuses.noLine : statuses.noTrunk;
      return { kind: "refuse", ...status, detail: `no ${line ? "line" : "trunk"} available: ${why}` };
    }
  }
}
