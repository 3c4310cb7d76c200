/**
 * The dial plan's tables (FEATURES.md section 5) and what routing a number produces. Pure data:
 * the store loads these rows, the engine reads them, nothing here does I/O.
 */

/** Where an "analyze called number" record sends a call. Services come in a later issue. */
export const ROUTE_TYPES = [
  "local-user",
  "external-line",
  "sip-trunk",
  "ringing-group",
  "auto-attendant",
  "script",
  "reject",
] as const;
export type RouteType = (typeof ROUTE_TYPES)[number];

/** One "analyze called number" record: the core of the dial plan. */
export interface AnalyzeRecord {
  /** The dial plan it belongs to (`default` unless the administrator made others). */
  readonly dialPlan: string;
  /** Called number prefix; the longest match wins. */
  readonly prefix: string;
  readonly routeType: RouteType;
  /** external-line: a specific line's account; "" = any line (or by outgoing group). */
  readonly externalLine: string;
  /** external-line: the lines of this outgoing group; 0 = not by group. */
  readonly outgoingGroupId: number;
  /** sip-trunk: the trunk's ID. */
  readonly sipTrunk: string;
  /** ringing-group: the ringing group ID whose users ring together (FEATURES.md section 2). */
  readonly ringingGroupId?: number;
  /** script: the service script (its name in `<dataDir>/scripts`) that takes the call. */
  readonly script?: string;
  /** reject: the SIP status the caller receives (4xx-6xx). */
  readonly rejectStatus: number;
  /** Apply `transitionId` to the called number. */
  readonly changeNumber: boolean;
  readonly transitionId: number;
  /** After the transition, analyze the new number again (bounded: MAX_ANALYSIS_ROUNDS). */
  readonly reanalyze: boolean;
  /** The minimum call right a caller needs; a caller below it gets 403. */
  readonly callRight: number;
}

export const TRANSITION_TYPES = ["delete", "replace", "insert"] as const;
export type TransitionType = (typeof TRANSITION_TYPES)[number];

/** A change to a number: delete, replace or insert `text` at `start` (0-based) over `length` digits. */
export interface Transition {
  readonly id: number;
  readonly type: TransitionType;
  readonly start: number;
  readonly length: number;
  readonly text: string;
}

/** "Refine called number": the last change before a call leaves on a line or trunk of the group. */
export interface RefineRecord {
  readonly outgoingGroupId: number;
  readonly prefix: string;
  readonly transitionId: number;
}

/** Every table the engine reads. */
export interface DialPlanTables {
  /** Dial plan names; `default` always exists. */
  readonly dialPlans: readonly string[];
  readonly analyze: readonly AnalyzeRecord[];
  readonly transitions: readonly Transition[];
  readonly refine: readonly RefineRecord[];
  /** System out-group call prefix (default `9`); "" = none. */
  readonly outGroupPrefix: string;
}

/** Who is calling, as far as routing cares. */
export interface RoutingContext {
  /** The caller's dial plan; an unknown name falls back to `default`. */
  readonly dialPlan: string;
  /** The caller's call right, compared with each matched record's. */
  readonly callRight: number;
  /**
   * Where the call comes from. The out-group default (prefix → external line) is for local users
   * only: a call arriving on a line or trunk never leaves again on a line unless a record says so.
   */
  readonly origin: "user" | "line" | "trunk";
}

/** The destination a number resolves to. */
export type Route =
  | { readonly kind: "local-user"; readonly number: string }
  | {
      readonly kind: "external-line";
      readonly number: string;
      /** A specific line's account; "" = any (the caller's specific line, else round robin). */
      readonly line: string;
      /** 0 = not by group. */
      readonly outgoingGroupId: number;
    }
  | { readonly kind: "sip-trunk"; readonly number: string; readonly trunk: string }
  /** The users of a ringing group ring together (the service named RINGING_GROUP_SERVICE). */
  | { readonly kind: "ringing-group"; readonly number: string; readonly groupId: number }
  /** The auto-attendant answers (the service named AUTO_ATTENDANT_SERVICE; the number's entry point). */
  | { readonly kind: "auto-attendant"; readonly number: string }
  /** A service script takes the call (the service named SCRIPT_SERVICE; its argument is the script). */
  | { readonly kind: "script"; readonly number: string; readonly script: string }
  | { readonly kind: "reject"; readonly status: number; readonly reason: string };

/** The call service a ringing-group route names; its argument is the group ID. */
export const RINGING_GROUP_SERVICE = "ringing-group";

/** The call service an auto-attendant route names; the number routed picks its menu (entry point). */
export const AUTO_ATTENDANT_SERVICE = "auto-attendant";

/** The call service a script route names (issue 18); its argument is the script's name. */
export const SCRIPT_SERVICE = "script";

/** One step of the explanation a dry run shows (and the SIP path logs at debug). */
export type RoutingStep =
  | {
      readonly step: "analyze";
      readonly dialPlan: string;
      readonly number: string;
      /** The matched record, or undefined when none matched. */
      readonly record: AnalyzeRecord | undefined;
    }
  | {
      readonly step: "transition";
      readonly transitionId: number;
      readonly before: string;
      readonly after: string;
    }
  | { readonly step: "call-right"; readonly required: number; readonly caller: number }
  | { readonly step: "default"; readonly rule: string; readonly number: string }
  | {
      readonly step: "refine";
      readonly outgoingGroupId: number;
      readonly record: RefineRecord | undefined;
      readonly before: string;
      readonly after: string;
    };

export interface RoutingResult {
  readonly route: Route;
  readonly steps: readonly RoutingStep[];
}

export const DEFAULT_DIAL_PLAN = "default";
export const DEFAULT_OUT_GROUP_PREFIX = "9";
/** Analysis rounds before a dial plan loop (records re-analyzing into each other) is refused. */
export const MAX_ANALYSIS_ROUNDS = 8;
