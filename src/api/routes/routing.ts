/**
 * /api/v1/external-lines, /api/v1/sip-trunks, /api/v1/dialplans, /api/v1/dialplan/analyze,
 * /api/v1/dialplan/transitions, /api/v1/dialplan/refine (FEATURES.md sections 3-5) and the dry
 * run POST /api/v1/dialplan/test, which explains every step of routing a number.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { RoutingService } from "../../routing/routing-service.js";
import type { Store } from "../../store/index.js";
import type { ExternalLine, SipTrunk } from "../../store/routing-model.js";
import type { RoutingSnapshot } from "../../store/routing-validation.js";
import { type OwnListener, selfReferenceCheck } from "../../store/self-reference.js";
import { ApiError, errorResponses } from "../errors.js";
import {
  AnalyzeSchemas,
  DialPlanSchemas,
  DialPlanTestBody,
  DialPlanTestResult,
  LineSchemas,
  RefineSchemas,
  TransitionSchemas,
  TrunkSchemas,
} from "../routing-schemas.js";
import { routingCrud } from "./routing-crud.js";

/** What the running server knows of its lines and trunks (all offline / idle without one). */
export interface RoutingLive {
  /** The routing service the SIP path uses: the dry run asks it, as `parley route` does. */
  readonly service: RoutingService<RoutingSnapshot>;
  lineState(account: string): "online" | "offline";
  lineCalls(account: string): number;
  trunkCalls(trunkId: string): { incoming: number; outgoing: number };
  /** From OPTIONS to the peer: "unknown" until the first answer or timeout. */
  trunkState(trunkId: string): "online" | "offline" | "unknown";
  /** The tables changed: reload them, (re)register lines. */
  changed(): void;
  /**
   * Parley's own SIP listeners: a line or trunk pointing at one of them is refused (400 naming the
   * field). Absent (no SIP server): not checked.
   */
  listeners?(): readonly OwnListener[];
}

export interface RoutingRoutesOptions {
  store: Store;
  domainId: number;
  live: RoutingLive;
}

export const routingRoutes: FastifyPluginAsyncTypebox<RoutingRoutesOptions> = async (
  app,
  { store, domainId, live },
) => {
  const listeners = live.listeners?.bind(live);
  const common = {
    store,
    domainId,
    onChange: () => live.changed(),
    ...(listeners === undefined ? {} : { check: selfReferenceCheck(listeners) }),
  };
  await app.register(routingCrud<"line">(), {
    ...common,
    kind: "line",
    path: "/external-lines",
    tag: "external-lines",
    op: "ExternalLine",
    param: "account",
    referable: true,
    updateConflicts: false,
    noun: "external line",
    schemas: LineSchemas,
    view: (line: ExternalLine) => {
      const { password: _secret, ...shown } = line;
      return { ...shown, state: live.lineState(line.account), activeCalls: live.lineCalls(line.account) };
    },
  });
  await app.register(routingCrud<"trunk">(), {
    ...common,
    kind: "trunk",
    path: "/sip-trunks",
    tag: "sip-trunks",
    op: "SipTrunk",
    param: "trunkId",
    referable: true,
    updateConflicts: false,
    noun: "SIP trunk",
    schemas: TrunkSchemas,
    view: (trunk: SipTrunk) => {
      const calls = live.trunkCalls(trunk.trunkId);
      return {
        ...trunk,
        state: live.trunkState(trunk.trunkId),
        activeIncomingCalls: calls.incoming,
        activeOutgoingCalls: calls.outgoing,
      };
    },
  });
  await app.register(routingCrud<"dialplan">(), {
    ...common,
    kind: "dialplan",
    path: "/dialplans",
    tag: "dialplans",
    op: "DialPlan",
    param: "name",
    referable: true,
    updateConflicts: false,
    noun: "dial plan",
    schemas: DialPlanSchemas,
  });
  await app.register(routingCrud<"analyze">(), {
    ...common,
    kind: "analyze",
    path: "/dialplan/analyze",
    tag: "dialplan",
    op: "AnalyzeRecord",
    param: "id",
    referable: false,
    updateConflicts: true,
    noun: "analyze record",
    schemas: AnalyzeSchemas,
  });
  await app.register(routingCrud<"transition">(), {
    ...common,
    kind: "transition",
    path: "/dialplan/transitions",
    tag: "dialplan",
    op: "Transition",
    param: "id",
    referable: true,
    updateConflicts: false,
    noun: "transition",
    schemas: TransitionSchemas,
  });
  await app.register(routingCrud<"refine">(), {
    ...common,
    kind: "refine",
    path: "/dialplan/refine",
    tag: "dialplan",
    op: "RefineRecord",
    param: "id",
    referable: false,
    updateConflicts: true,
    noun: "refine record",
    schemas: RefineSchemas,
  });

  app.post(
    "/dialplan/test",
    {
      schema: {
        operationId: "testDialPlan",
        tags: ["dialplan"],
        summary: "Dry run: how a number would be routed, step by step (nothing is called)",
        body: DialPlanTestBody,
        response: { 200: DialPlanTestResult, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { caller, number, origin } = request.body;
      const run = await live.service.dryRun(origin ?? "user", caller, number);
      if (!run.found) throw new ApiError("not_found", run.message);
      return run.plan;
    },
  );
};

/** Live facts when the API runs without a SIP server (tests, tools): every line offline, no calls. */
export function offlineRouting(store: Store, domainId: number, outGroupPrefix = "9"): RoutingLive {
  const service = new RoutingService({
    load: () => store.routing.snapshot(domainId),
    user: (name) => store.users.get(domainId, name),
    outGroupPrefix,
    maxAgeMs: 0,
  });
  return {
    service,
    lineState: () => "offline",
    lineCalls: () => 0,
    trunkCalls: () => ({ incoming: 0, outgoing: 0 }),
    trunkState: () => "unknown",
    changed: () => service.invalidate(),
  };
}
