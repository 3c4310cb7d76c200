/**
 * The router: the dial plan engine (src/routing) over the stored tables, plus the choice of line
 * or trunk and the refined number for each. The SIP path and the dry run (`parley route`,
 * POST /api/v1/dialplan/test) both call plan(), so the dry run explains what a call would do.
 */
import { refineNumber, routeNumber } from "../routing/dial-plan.js";
import type { Route, RoutingContext, RoutingStep } from "../routing/types.js";
import type { ExternalLine, SipTrunk } from "../store/routing-model.js";
import type { RoutingSnapshot } from "../store/routing-validation.js";
import { type Carrier, lineCandidates, trunkCandidates } from "./outbound-candidates.js";
import { dialPlanOfUser, dialPlanTables } from "./routing-tables.js";

/** Who is calling. */
export type Caller =
  | {
      readonly origin: "user";
      readonly user: string;
      readonly callRight: number;
      readonly specificExternalLine: string;
    }
  | { readonly origin: "line"; readonly line: ExternalLine }
  | { readonly origin: "trunk"; readonly trunk: SipTrunk };

/** One line or trunk to try, with the number as it leaves on it. */
export interface Attempt {
  readonly carrier: Carrier;
  readonly number: string;
  readonly refine: RoutingStep;
}

export interface RoutingPlan {
  readonly dialed: string;
  readonly dialPlan: string;
  readonly route: Route;
  readonly steps: readonly RoutingStep[];
  /** For a line or trunk route: what will be tried, in order (empty: none usable, 503). */
  readonly attempts: readonly Attempt[];
}

export interface RouterOptions {
  /** Reads the domain's routing rows (the store). */
  readonly load: () => Promise<RoutingSnapshot>;
  readonly outGroupPrefix: string;
  /** Whether a line can carry one more outgoing call now (registered, under its limits). */
  readonly usableLine?: (line: ExternalLine) => boolean;
  readonly usableTrunk?: (trunk: SipTrunk) => boolean;
  /** Milliseconds a snapshot is reused before it is read again (changes made by another process). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export class Router {
  private cached: { snapshot: RoutingSnapshot; at: number } | undefined;
  private loading: Promise<RoutingSnapshot> | undefined;
  private readonly cursors = new Map<string, number>();

  constructor(private readonly o: RouterOptions) {}

  /** The tables last read, if any (for synchronous views: live state lists). */
  get cachedSnapshot(): RoutingSnapshot | undefined {
    return this.cached?.snapshot;
  }

  /** Forgets the cached tables (the API or CLI changed them). */
  invalidate(): void {
    this.cached = undefined;
  }

  async snapshot(): Promise<RoutingSnapshot> {
    const now = (this.o.now ?? Date.now)();
    if (this.cached !== undefined && now - this.cached.at < (this.o.maxAgeMs ?? 2000))
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
  async plan(caller: Caller, dialed: string, commit = false): Promise<RoutingPlan> {
    const snapshot = await this.snapshot();
    const tables = dialPlanTables(snapshot, this.o.outGroupPrefix);
    const context: RoutingContext =
      caller.origin === "user"
        ? { origin: "user", callRight: caller.callRight, dialPlan: dialPlanOfUser(snapshot, caller.user) }
        : caller.origin === "line"
          ? { origin: "line", callRight: 0, dialPlan: caller.line.dialPlan }
          : { origin: "trunk", callRight: 0, dialPlan: caller.trunk.dialPlan };
    const { route, steps } = routeNumber(tables, dialed, context);
    const dialPlan = tables.dialPlans.includes(context.dialPlan) ? context.dialPlan : "default";
    const attempts: Attempt[] = [];
    const attempt = (carrier: Carrier, number: string) => {
      const group = carrier.kind === "line" ? carrier.line.outgoingGroupId : carrier.trunk.outgoingGroupId;
      const refined = refineNumber(tables, number, group);
      attempts.push({ carrier, number: refined.number, refine: refined.step });
    };
    if (route.kind === "external-line") {
      const callerLine = caller.origin === "user" ? caller.specificExternalLine : "";
      const key = `${route.outgoingGroupId}`;
      const cursor = this.cursors.get(key) ?? 0;
      const lines = lineCandidates(
        snapshot.lines,
        { line: route.line, outgoingGroupId: route.outgoingGroupId, callerLine, cursor },
        this.o.usableLine ?? (() => true),
      );
      for (const line of lines) attempt({ kind: "line", line }, route.number);
      if (commit && route.line === "" && lines.length > 0) {
        // Round robin: the next call starts after the line this one took.
        const pool = snapshot.lines.filter((l) =>
          route.outgoingGroupId === 0 ? l.allUsers : l.outgoingGroupId === route.outgoingGroupId,
        );
        const index = pool.indexOf(lines[0]);
        if (index >= 0) this.cursors.set(key, index + 1);
      }
    } else if (route.kind === "sip-trunk") {
      for (const trunk of trunkCandidates(snapshot.trunks, route.trunk, this.o.usableTrunk ?? (() => true)))
        attempt({ kind: "trunk", trunk }, route.number);
    }
    return { dialed, dialPlan, route, steps, attempts };
  }
}
