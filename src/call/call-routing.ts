/**
 * What the call engine asks of the dial plan, lines and trunks (issue 5), declared here so the
 * call layer never imports them (ARCHITECTURE.md: a lower layer declares the interface it needs;
 * src/trunks/call-routing.ts implements it).
 */
import type { LocalUser } from "../store/user-model.js";
import type { ReceivedMessage } from "../transport/types.js";
import type { CallTarget } from "./types.js";

/** A call arriving from a SIP trunk's or an external line's address, or refused at once. */
export type InboundOrigin =
  | {
      readonly kind: "trunk" | "line";
      /** The trunk's ID or the line's account. */
      readonly name: string;
      /** The number to route: the line's destination number, else the called number. */
      readonly dialed: string;
      /** Ends this call's count on the trunk or line. */
      readonly release: () => void;
      /** The trunk's or line's "relay media" (issue 6). */
      readonly relayMedia?: boolean;
      /** The trunk or line records its calls (issue 17). */
      readonly recordCalls?: boolean;
    }
  | { readonly kind: "refuse"; readonly status: number; readonly reason: string };

export type RoutingDecision =
  | { readonly kind: "local-user"; readonly number: string }
  /**
   * A service is the target (a feature code, or a dial plan route naming a service such as the
   * auto-attendant): the service registered under that name decides what the call does.
   */
  | {
      readonly kind: "service";
      readonly service: string;
      readonly number: string;
      /** What follows a feature code (`101` of `*93*101#`); "" otherwise. */
      readonly argument: string;
    }
  | {
      readonly kind: "refuse";
      readonly status: number;
      readonly reason: string;
      /** Why, in words (the route explainer's): sent in a Warning header. */
      readonly detail?: string;
    }
  | {
      readonly kind: "outbound";
      /** The number as routed (before each line's or trunk's refinement). */
      readonly number: string;
      /** The lines or trunks to try, one after another. */
      readonly targets: readonly CallTarget[];
      /** Ringing time of the whole call. */
      readonly noAnswerMs: number;
      /** The line's maximum duration; 0 = none. */
      readonly maxDurationMs: number;
      /** A line or trunk tried has "relay media" (issue 6). */
      readonly relayMedia?: boolean;
      /** A line or trunk tried records its calls (issue 17). */
      readonly recordCalls?: boolean;
    };

export interface CallRouting {
  /** The trunk or line an INVITE comes from; undefined: a local user's (authenticated as usual). */
  identify(
    rx: ReceivedMessage & { message: import("../sip/types.js").SipRequest },
  ): Promise<InboundOrigin | undefined>;
  /** Routes a dialed number for a local user (`user`) or an inbound origin. */
  decide(input: {
    readonly user: LocalUser | undefined;
    readonly userName: string;
    readonly callerDisplayName: string;
    readonly inbound: InboundOrigin | undefined;
    readonly dialed: string;
  }): Promise<RoutingDecision>;
}
