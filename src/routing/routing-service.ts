/**
 * The routing service: the one place a dialed number is routed, for a real call (the call
 * engine, through src/trunks/call-routing.ts and the call layer's CallRouting), for the dry run of
 * the REST API (POST /api/v1/dialplan/test) and for the CLI (`parley route`). All three use the
 * same instance type and the same methods, so a dry run answers what a call would do.
 *
 * Why here, in routing/, rather than in trunks/: the dial plan and the choice of line or trunk are
 * configuration read as data (ARCHITECTURE.md: routing/ owns analyze, transitions, refine, call
 * rights, route choice), not lines and trunks as SIP peers. Kept in trunks/, the API and the CLI
 * would have to import the layer that registers to providers and builds outgoing legs just to
 * explain a number. So routing/ declares the structural shapes it reads (RoutingTablesSnapshot,
 * RoutableLine, RoutableTrunk, CallerUser; a lower layer declares the interface it needs) and the
 * store's rows satisfy them; the I/O (reading the store, looking a user up) and the live facts
 * (which line is registered, which trunk is full) are handed in as functions. The service holds
 * no socket, no timer and no database: only a cache of the tables and the round-robin cursors,
 * with time read from an injected `now`, so it is tested like the rest of routing/.
 */
import { callStatus } from "../core/status-catalogue.js";
import type { RoutableLine, RoutableTrunk } from "./outbound-candidates.js";
import { type LineCheck, type Outcome, outcomeOf, type TrunkCheck } from "./route-explainer.js";
import {
  type Attempt,
  type Caller,
  type CallerUser,
  carrierId,
  type ExplainedPlan,
  explainPlan,
  type LineOf,
  planRoute,
  type RoutingPlan,
  type RoutingTablesSnapshot,
  type TrunkOf,
} from "./routing-plan.js";

/** A caller named as a call or a dry run names it: a user with its facts, a line or trunk by key. */
export type CallerRef =
  | { readonly origin: "user"; readonly user: CallerUser }
  | { readonly origin: "line"; readonly account: string }
  | { readonly origin: "trunk"; readonly trunkId: string };

/** Where a call goes, or why it may not (the SIP status the caller receives). */
export type RouteDecision<L extends RoutableLine, T extends RoutableTrunk> =
  | {
      readonly kind: "refuse";
      readonly status: number;
      readonly reason: string;
      /** Why, in words: the explainer's (route-explainer.ts), as the dry run shows it. */
      readonly detail: string;
      /** The plan that led here; none when the caller's line or trunk no longer exists. */
      readonly plan?: RoutingPlan<L, T>;
    }
  | { readonly kind: "local-user"; readonly number: string; readonly plan: RoutingPlan<L, T> }
  | {
      readonly kind: "ringing-group";
      readonly number: string;
      readonly groupId: number;
      readonly plan: RoutingPlan<L, T>;
    }
  | { readonly kind: "auto-attendant"; readonly number: string; readonly plan: RoutingPlan<L, T> }
  | {
      readonly kind: "script";
      readonly number: string;
      readonly script: string;
      readonly plan: RoutingPlan<L, T>;
    }
  | {
      readonly kind: "outbound";
      /** The number as routed (each attempt carries it as refined for its line or trunk). */
      readonly number: string;
      /** The lines or trunks to try, in order; never empty. */
      readonly attempts: ReadonlyArray<Attempt<L, T>>;
      readonly plan: RoutingPlan<L, T>;
    };

/** A dry run's answer: the explained plan, or the caller it names does not exist. */
export type DryRun =
  | { readonly found: true; readonly plan: ExplainedPlan }
  | { readonly found: false; readonly message: string };

export interface RoutingServiceOptions<S extends RoutingTablesSnapshot> {
  /** Reads the domain's routing tables (the store). */
  readonly load: () => Promise<S>;
  /** A local user's routing facts by name, for the dry run (the store's users). */
  readonly user: (name: string) => Promise<CallerUser | undefined>;
  /** System out-group call prefix (FEATURES.md section 5). */
  readonly outGroupPrefix: string;
  /**
   * Why a line or trunk cannot carry one more outgoing call now (offline, at its limits), undefined
   * when it can. Without them the live state is unknown (no SIP server): every one is usable.
   */
  readonly checkLine?: LineCheck<LineOf<S>>;
  readonly checkTrunk?: TrunkCheck<TrunkOf<S>>;
  /** The same facts as yes or no (no reason told); checkLine and checkTrunk take precedence. */
  readonly usableLine?: (line: LineOf<S>) => boolean;
  readonly usableTrunk?: (trunk: TrunkOf<S>) => boolean;
  /** Milliseconds a snapshot is reused before it is read again (changes made by another process). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

const DEFAULT_MAX_AGE_MS = 2000;

/** The statuses the explainer gives a route with no usable line or trunk (the engine's catalogue). */
const STATUSES = { noLine: callStatus("no-external-line"), noTrunk: callStatus("no-sip-trunk") };

/** What a plan's call gets: the real call (decide) and the dry run (dryRun) both ask this. */
export function planOutcome(plan: RoutingPlan): Outcome {
  return outcomeOf(
    plan.route,
    plan.attempts.map((a) => carrierId(a.carrier)),
    plan.candidates ?? [],
    STATUSES,
  );
}

export class RoutingService<S extends RoutingTablesSnapshot> {
  private cached: { snapshot: S; at: number } | undefined;
  private loading: Promise<S> | undefined;
  private readonly cursors = new Map<string, number>();

  private readonly usableLine: (line: LineOf<S>) => boolean;
  private readonly usableTrunk: (trunk: TrunkOf<S>) => boolean;

  constructor(private readonly o: RoutingServiceOptions<S>) {
    const { checkLine, checkTrunk } = o;
    this.usableLine =
      checkLine !== undefined ? (l) => checkLine(l) === undefined : (o.usableLine ?? (() => true));
    this.usableTrunk =
      checkTrunk !== undefined ? (t) => checkTrunk(t) === undefined : (o.usableTrunk ?? (() => true));
  }

  /** The tables last read, if any (for synchronous views: live state lists, credentials). */
  get cachedSnapshot(): S | undefined {
    return this.cached?.snapshot;
  }

  /** Forgets the cached tables (the API or CLI changed them). */
  invalidate(): void {
    this.cached = undefined;
  }

  /** The tables, read again when older than maxAgeMs; concurrent readers share one read. */
  async snapshot(): Promise<S> {
    const now = (this.o.now ?? Date.now)();
    if (this.cached !== undefined && now - this.cached.at < (this.o.maxAgeMs ?? DEFAULT_MAX_AGE_MS))
      return this.cached.snapshot;
    this.loading ??= this.o.load().then(
      (snapshot) => {
        this.cached = { snapshot, at: now };
        this.loading = undefined;
        return snapshot;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  /**
   * Routes `dialed` for `caller`. With `commit`, a round-robin choice advances its cursor (a real
   * call); a dry run leaves it where it is.
   */
  async plan(
    caller: Caller<LineOf<S>, TrunkOf<S>>,
    dialed: string,
    commit = false,
  ): Promise<RoutingPlan<LineOf<S>, TrunkOf<S>>> {
    return this.planOver(await this.snapshot(), caller, dialed, commit);
  }

  /** Where a real call goes: the decide stage of the call engine (its round robin advances). */
  async decide(ref: CallerRef, dialed: string): Promise<RouteDecision<LineOf<S>, TrunkOf<S>>> {
    const snapshot = await this.snapshot();
    const caller = callerOf(snapshot, ref);
    // The line or trunk the call came in on was removed meanwhile.
    if (caller === undefined)
      return { kind: "refuse", ...callStatus("carrier-gone"), detail: goneDetail(ref) };
    const plan = this.planOver(snapshot, caller, dialed, true);
    const outcome = planOutcome(plan);
    switch (outcome.kind) {
      case "refuse":
        return { ...outcome, plan };
      case "local-user":
      case "auto-attendant":
        return { kind: outcome.kind, number: outcome.number, plan };
      case "ringing-group":
        return { kind: "ringing-group", number: outcome.number, groupId: outcome.groupId, plan };
      case "script":
        return { kind: "script", number: outcome.number, script: outcome.script, plan };
      case "outbound":
        return { kind: "outbound", number: outcome.number, attempts: plan.attempts, plan };
    }
  }

  /** The dry run: how `dialed` would be routed for the user, line or trunk named `name`. */
  async dryRun(origin: "user" | "line" | "trunk", name: string, dialed: string): Promise<DryRun> {
    let ref: CallerRef;
    if (origin === "user") {
      const user = await this.o.user(name);
      if (user === undefined) return { found: false, message: `user "${name}" not found` };
      ref = {
        origin,
        user: { name: user.name, callRight: user.callRight, specificExternalLine: user.specificExternalLine },
      };
    } else ref = origin === "line" ? { origin, account: name } : { origin, trunkId: name };
    const snapshot = await this.snapshot();
    const caller = callerOf(snapshot, ref);
    if (caller === undefined)
      return {
        found: false,
        message: origin === "line" ? `external line "${name}" not found` : `SIP trunk "${name}" not found`,
      };
    const plan = this.planOver(snapshot, caller, dialed, false);
    const live = this.o.checkLine !== undefined || this.o.usableLine !== undefined;
    return { found: true, plan: explainPlan(plan, planOutcome(plan), live) };
  }

  private planOver(
    snapshot: S,
    caller: Caller<LineOf<S>, TrunkOf<S>>,
    dialed: string,
    commit: boolean,
  ): RoutingPlan<LineOf<S>, TrunkOf<S>> {
    const { plan, advance } = planRoute<LineOf<S>, TrunkOf<S>>(snapshot, caller, dialed, {
      outGroupPrefix: this.o.outGroupPrefix,
      cursor: (key) => this.cursors.get(key) ?? 0,
      usableLine: this.usableLine,
      usableTrunk: this.usableTrunk,
      ...(this.o.checkLine === undefined ? {} : { checkLine: this.o.checkLine }),
      ...(this.o.checkTrunk === undefined ? {} : { checkTrunk: this.o.checkTrunk }),
    });
    if (commit && advance !== undefined) this.cursors.set(advance.key, advance.cursor);
    return plan;
  }
}

/** The caller a reference names in this snapshot; undefined when its line or trunk does not exist. */
function callerOf<L extends RoutableLine, T extends RoutableTrunk>(
  snapshot: RoutingTablesSnapshot<L, T>,
  ref: CallerRef,
): Caller<L, T> | undefined {
  switch (ref.origin) {
    case "user":
      return ref;
    case "line": {
      const line = snapshot.lines.find((l) => l.account === ref.account);
      return line === undefined ? undefined : { origin: "line", line };
    }
    case "trunk": {
      const trunk = snapshot.trunks.find((t) => t.trunkId === ref.trunkId);
      return trunk === undefined ? undefined : { origin: "trunk", trunk };
    }
  }
}

function goneDetail(ref: CallerRef): string {
  return ref.origin === "line"
    ? `the external line "${ref.account}" the call came in on no longer exists`
    : `the SIP trunk "${ref.origin === "trunk" ? ref.trunkId : ""}" the call came in on no longer exists`;
}
