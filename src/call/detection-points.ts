/**
 * The detection points of the call lifecycle (docs/call-lifecycle.md) and the one ordered table
 * of what is attached to them. The engine knows the points, never the services: a service
 * (forwarding, voicemail, groups, DND, lists...) registers a handler at a point, with an order,
 * and the engine asks the table at that point of every call.
 *
 * Decision points ask the handlers, in order, until one gives a verdict (ring other targets,
 * route another number, refuse); undefined lets the call go on as it would without the service.
 * Notification points tell every handler, in order. A handler that throws or rejects is logged
 * and skipped: one broken service never breaks a call or another service.
 */
import type { CallStatusCode } from "../core/status-catalogue.js";
import type { NewCallRecord } from "../store/cdr-model.js";
import type { LocalUser } from "../store/user-model.js";
import type { Logger } from "../util/logger.js";
import type { CallSide, ControlledCall } from "./call-control.js";
import type { CallSubject } from "./call-events.js";
import type { EndpointTarget, FinalStatus } from "./media-endpoint.js";
import type { Inbound } from "./stages/context.js";
import type { CallParty, Diversion, TargetSet } from "./types.js";

/** Points where a service may change where the call goes, in the order a call meets them. */
export type DecisionPoint =
  /** Caller identified, authenticated and within its limits; nothing routed yet. */
  | "attempted"
  /** A local callee was found; before its devices are looked at (forward unconditional, DND). */
  | "reachesCallee"
  /** The callee is busy: at its limit, or every device answered busy (486/600). */
  | "busy"
  /** The callee's devices rang out its no-answer time. */
  | "noAnswer"
  /** The callee has no device, or every device failed otherwise. */
  | "unreachable";

/** Points that only tell what happened. */
export type NotificationPoint = "answered" | "digit" | "held" | "ended";

export type DetectionPoint = DecisionPoint | NotificationPoint;

/** Every point, in the order a call meets them. */
export const DETECTION_POINTS: readonly DetectionPoint[] = [
  "attempted",
  "reachesCallee",
  "busy",
  "noAnswer",
  "unreachable",
  "answered",
  "digit",
  "held",
  "ended",
];

/** What a decision point's handler sees of the call. */
export interface PointContext {
  /** Parley's id of the call, once it has one (from "reachesCallee" on a connected attempt). */
  readonly callId?: string;
  readonly caller: CallParty;
  readonly callerUser: LocalUser | undefined;
  readonly inbound: Inbound | undefined;
  readonly dialed: string;
  /** The local callee, from "reachesCallee" on. */
  readonly callee?: CallParty;
  readonly calleeUser?: LocalUser;
  /** The failure that led here (busy, no answer, unreachable). */
  readonly failure?: { readonly status: number; readonly reason: string };
  /** Users the call already reached through services (a forwarding chain visits each once). */
  readonly visited: readonly string[];
  /** The caller withheld its identity (caller-privacy.ts): "attempted" only. */
  readonly anonymous?: boolean;
  /**
   * "attempted" only: changes the caller's name or number as the callee sees it and the CDR
   * records it (a caller-ID lookup script, issue 18).
   */
  readonly rename?: (to: { readonly displayName?: string; readonly user?: string }) => void;
}

/** A decision point's verdict. */
export type Verdict =
  /** Ring these targets instead. */
  | { readonly kind: "targets"; readonly set: TargetSet }
  /**
   * Route this number as if `asUser` dialled it (the forwarding user's call right and limits,
   * never the caller's: no toll fraud through forwarding), and ring what it resolves to.
   */
  | {
      readonly kind: "route";
      readonly number: string;
      readonly asUser?: string;
      /** A forwarding: who diverted the call and why (181 to the caller, Diversion to the callee). */
      readonly diversion?: Diversion;
    }
  /**
   * Ring several numbers for `asUser` (follow-me): each routed with that user's rights (its own
   * number rings its own devices), all at once or one after another, each step `attemptMs` long.
   */
  | {
      readonly kind: "destinations";
      readonly numbers: readonly string[];
      readonly asUser: string;
      readonly mode: "parallel" | "sequential";
      /** Sequential: how long each destination rings before the next; 0 = until it fails. */
      readonly attemptMs: number;
      /** The whole ringing time; 0 = none (the steps bound it). */
      readonly noAnswerMs: number;
    }
  /**
   * Ring a group of local users as one callee (ringing group, hunt group): every member's devices
   * (src/call/stages/group.ts), all at once or member after member, each `attemptMs` long; the
   * member that answers becomes the call's callee.
   */
  | {
      readonly kind: "group";
      /** Who the call is to while it rings (the called member, or the group's own number). */
      readonly callee: CallParty;
      /** Member user names, in ringing order. */
      readonly members: readonly string[];
      readonly mode: "parallel" | "sequential";
      /** Sequential: how long each member rings before the next; 0 = until it fails. */
      readonly attemptMs: number;
      /** The whole ringing time; 0 = none (the steps bound it). */
      readonly noAnswerMs: number;
    }
  /** Connect the caller to a media endpoint the service opened (voicemail, a prompt, an IVR). */
  | { readonly kind: "endpoint"; readonly target: EndpointTarget }
  /** End the call here with a catalogue status. */
  | { readonly kind: "refuse"; readonly code: CallStatusCode };

export type DecisionHandler = (context: PointContext) => Verdict | undefined | Promise<Verdict | undefined>;

export interface NotificationPayloads {
  answered: { readonly call: CallSubject };
  digit: { readonly call: CallSubject; readonly by: CallParty; readonly digit: string };
  held: { readonly call: CallSubject; readonly by: CallParty; readonly held: boolean };
  ended: { readonly call: CallSubject; readonly record: NewCallRecord };
}

/** A service named as a route's target (a feature code, a dial plan route of kind service). */
export type ServiceHandler = (
  context: PointContext & { readonly number: string; readonly argument: string },
) => Verdict | Promise<Verdict>;

/**
 * A service a blind transfer may target by its feature code (park: REFER to `*70*5`): it takes
 * the transferee's side of `call` and answers the status the transferor's NOTIFY reports
 * (RFC 3515 2.4.5; 200 when done).
 */
export type TransferServiceHandler = (request: {
  readonly call: ControlledCall;
  /** The side of the party being transferred; the transferor is the other. */
  readonly transferee: CallSide;
  readonly by: CallParty;
  readonly number: string;
  readonly argument: string;
}) => Promise<FinalStatus>;

interface Entry<H> {
  readonly name: string;
  readonly order: number;
  readonly handler: H;
}

export class DetectionPointTable {
  private readonly decisions = new Map<DecisionPoint, Entry<DecisionHandler>[]>();
  private readonly notifications = new Map<NotificationPoint, Entry<(payload: never) => void>[]>();
  private readonly services = new Map<string, ServiceHandler>();
  private readonly transferServices = new Map<string, TransferServiceHandler>();
  private readonly transferClaims = new Map<string, (number: string) => boolean>();

  constructor(private readonly logger: Logger) {}

  /** Attaches `handler` at a decision point; lower `order` runs first. Returns its removal. */
  decide(point: DecisionPoint, name: string, handler: DecisionHandler, order = 100): () => void {
    return insert(this.decisions, point, { name, order, handler });
  }

  /** Attaches `handler` at a notification point; lower `order` runs first. Returns its removal. */
  notify<P extends NotificationPoint>(
    point: P,
    name: string,
    handler: (payload: NotificationPayloads[P]) => void,
    order = 100,
  ): () => void {
    return insert(this.notifications, point, { name, order, handler: handler as (payload: never) => void });
  }

  /** Names a service that a route can target. */
  service(name: string, handler: ServiceHandler): () => void {
    this.services.set(name, handler);
    return () => {
      if (this.services.get(name) === handler) this.services.delete(name);
    };
  }

  /** Names a service that a blind transfer (REFER) to its feature code reaches. */
  transferService(name: string, handler: TransferServiceHandler): () => void {
    this.transferServices.set(name, handler);
    return () => {
      if (this.transferServices.get(name) === handler) this.transferServices.delete(name);
    };
  }

  transferServiceNamed(name: string): TransferServiceHandler | undefined {
    return this.transferServices.get(name);
  }

  /**
   * Lets a transfer service claim numbers that are not feature codes (a conference room's own
   * number): `claims` answers at once, from what the service has in memory.
   */
  transferNumbers(name: string, claims: (number: string) => boolean): () => void {
    this.transferClaims.set(name, claims);
    return () => {
      if (this.transferClaims.get(name) === claims) this.transferClaims.delete(name);
    };
  }

  /** The transfer service that claims `number`, if any. */
  transferServiceClaiming(number: string): string | undefined {
    for (const [name, claims] of this.transferClaims) if (claims(number)) return name;
    return undefined;
  }

  /** True when something is attached at `point` (the engine skips the await otherwise). */
  has(point: DecisionPoint): boolean {
    return (this.decisions.get(point)?.length ?? 0) > 0;
  }

  /** Asks the handlers of `point` in order; the first verdict wins. */
  async ask(point: DecisionPoint, context: PointContext): Promise<Verdict | undefined> {
    for (const entry of this.decisions.get(point) ?? []) {
      try {
        const verdict = await entry.handler(context);
        if (verdict !== undefined) return verdict;
      } catch (error) {
        this.logger.error({ err: error, point, service: entry.name }, "service failed at a detection point");
      }
    }
    return undefined;
  }

  /** Tells every handler of `point`, in order. */
  tell<P extends NotificationPoint>(point: P, payload: NotificationPayloads[P]): void {
    for (const entry of this.notifications.get(point) ?? []) {
      try {
        (entry.handler as (payload: NotificationPayloads[P]) => void)(payload);
      } catch (error) {
        this.logger.error({ err: error, point, service: entry.name }, "service failed at a detection point");
      }
    }
  }

  /** The handler of a named service, or undefined when none is installed. */
  serviceNamed(name: string): ServiceHandler | undefined {
    return this.services.get(name);
  }
}

function insert<K, H>(table: Map<K, Entry<H>[]>, key: K, entry: Entry<H>): () => void {
  const list = table.get(key) ?? [];
  // Stable: equal orders keep their registration order.
  const at = list.findIndex((e) => e.order > entry.order);
  if (at < 0) list.push(entry);
  else list.splice(at, 0, entry);
  table.set(key, list);
  return () => {
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
  };
}
