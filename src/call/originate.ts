/**
 * Click-to-call (issue 18, FEATURES.md: what replaces miniSIPServer's UDP text protocol for
 * application servers): Parley rings a local user A and, once A answers, calls B as if A had
 * dialled it (originated-call.ts has the flow). The Originator checks a request, keeps the calls
 * it placed, and shows them beside the engine's, so GET /api/v1/calls lists them and
 * DELETE /api/v1/calls/{id} ends them.
 */
import { randomUUID } from "node:crypto";
import type { DialogManager } from "../dialog/index.js";
import type { CdrSink } from "../store/cdr-csv-writer.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { ActiveCall, CallsView } from "./call-view-types.js";
import { defaultLegPolicy, type LegPolicy } from "./leg-policy.js";
import { OriginatedCall } from "./originated-call.js";
import { type PlanDeps, planNumber, replan } from "./stages/plan.js";
import { findCallee, userTargets } from "./stages/resolve-targets.js";

/** What POST /api/v1/calls asks for. */
export interface OriginateRequest {
  /** A: a local user (extension), rung first. */
  readonly from: string;
  /** B: the number A is connected to, through the dial plan. */
  readonly to: string;
  /** What A's phone shows as calling; B's number by default. */
  readonly callerId?: string;
  /** Ask A's desk phone to answer by itself (Call-Info answer-after=0, Alert-Info). */
  readonly autoAnswer?: boolean;
  /** Seconds A rings before the call is given up; 30 by default. */
  readonly timeout?: number;
}

/** The call placed, or why not (the field at fault, for the API's error). */
export type OriginateResult =
  | { readonly ok: true; readonly id: string }
  | {
      readonly ok: false;
      /** "not-found": no such user; "unavailable": it has no device now or is at its call limit. */
      readonly code: "not-found" | "unavailable";
      readonly field: "from";
      readonly message: string;
    };

/** The engine as the originator needs it: its calls, and its dial plan with its parties' counts. */
export interface OriginatorEngine extends CallsView {
  readonly planDeps: PlanDeps;
}

export interface OriginatorOptions {
  readonly engine: OriginatorEngine;
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  readonly now: () => number;
  readonly allow: () => string;
  /** The host of the From and To URIs Parley writes. */
  readonly host: string;
  readonly cdrs: CdrSink;
  readonly logger: Logger;
  readonly policy?: LegPolicy;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;

export class Originator implements CallsView {
  private readonly calls = new Map<string, OriginatedCall>();

  constructor(private readonly o: OriginatorOptions) {}

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    const { o } = this;
    const deps = o.engine.planDeps;
    const found = await findCallee(deps, request.from);
    if (!found.ok)
      return { ok: false, code: "not-found", field: "from", message: `no user "${request.from}"` };
    const a = found.value;
    // A rings the way a call to it does: every device, unless it is at its call limit.
    const targets = userTargets(deps, deps.index, a);
    if (targets.kind === "unreached") {
      const why = targets.cause === "busy" ? "is at its call limit" : "has no registered device";
      return { ok: false, code: "unavailable", field: "from", message: `user "${request.from}" ${why}` };
    }
    const id = randomUUID();
    const startedAt = o.now();
    // B is routed as if A had dialled it: A's call rights, A's services (RFC 3725: A is the caller).
    const identity = { party: a.party, user: a.user, inbound: undefined, dialed: request.to, startedAt };
    const call = new OriginatedCall({
      id,
      dialogs: o.dialogs,
      clock: o.clock,
      now: o.now,
      allow: o.allow(),
      policy: o.policy ?? defaultLegPolicy,
      host: o.host,
      a: { party: a.party, set: targets.set },
      to: request.to,
      callerId: request.callerId ?? request.to,
      autoAnswer: request.autoAnswer === true ? autoAnswerHeaders(o.host) : [],
      timeoutMs: (request.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      plan: () => planNumber(deps, identity, request.to, []),
      unanswered: (callee, failure) => {
        if (failure.cause === "cancelled") return Promise.resolve(undefined);
        const point =
          failure.cause === "busy" ? "busy" : failure.cause === "no-answer" ? "noAnswer" : "unreachable";
        return replan(deps, identity, point, { callId: id, callee, failure }, []);
      },
      record: (record) => o.cdrs.record(record).then(undefined, () => {}),
      ended: (c) => {
        this.calls.delete(c.id);
        o.logger.info({ call: c.id }, "click-to-call ended");
      },
      onError: (error) => o.logger.warn({ err: error }, "click-to-call leg error"),
    });
    this.calls.set(id, call);
    o.logger.info({ call: id, from: a.party.user, to: request.to }, "click-to-call started");
    call.start();
    return { ok: true, id };
  }

  // --- CallsView: the engine's calls and the ones placed here ---

  list(): ActiveCall[] {
    return [...this.o.engine.list(), ...[...this.calls.values()].map((c) => c.view())];
  }

  async hangup(id: string): Promise<boolean> {
    const call = this.calls.get(id);
    if (call !== undefined) return call.hangup("hangup-by-admin");
    return this.o.engine.hangup(id);
  }

  /** Ends every call placed here (shutdown). */
  closeAll(): void {
    for (const call of [...this.calls.values()]) call.hangup("server-shutdown");
  }
}

/**
 * What desk phones read as "answer at once": Call-Info answer-after=0 (Polycom, Yealink, Snom,
 * Grandstream; the draft-ietf-sip-answeralert parameter) and Alert-Info info=alert-autoanswer
 * (Polycom, Cisco). RFC 3261 20.9 / 20.4 define both fields; their parameters are the vendors'.
 */
export function autoAnswerHeaders(host: string): ReadonlyArray<readonly [string, string]> {
  return [
    ["Call-Info", `<sip:${host}>;answer-after=0`],
    ["Alert-Info", `<http://${host}/>;info=alert-autoanswer`],
  ];
}
