/** What the stages of the call lifecycle hand each other (docs/call-lifecycle.md). */
import type { UasInvite } from "../../dialog/index.js";
import type { SipRequest } from "../../sip/types.js";
import type { LocalUser } from "../../store/user-model.js";
import type { ReceivedMessage } from "../../transport/types.js";
import type { InboundOrigin } from "../call-routing.js";
import type { CallParty } from "../types.js";

export type ReceivedInvite = ReceivedMessage & { message: SipRequest };

/** A call from a SIP trunk or an external line (trusted by address, FEATURES.md section 4). */
export type Inbound = Exclude<InboundOrigin, { kind: "refuse" }>;

/** Stage 1's result: who the INVITE says is calling, before any credential is checked. */
export type Identified = { readonly kind: "user" } | { readonly kind: "inbound"; readonly origin: Inbound };

/**
 * Who is calling, once identified and authenticated: what routing and the services read. It holds
 * no message, so a call can keep it for its whole life (a service at "noAnswer" reads it).
 */
export interface CallerIdentity {
  readonly party: CallParty;
  /** The caller's local user; undefined for a trunk's or line's caller (the outside world). */
  readonly user: LocalUser | undefined;
  readonly inbound: Inbound | undefined;
  /** The number to route: the Request-URI's user, or the line's destination number. */
  readonly dialed: string;
  /** Wall-clock epoch milliseconds of the INVITE. */
  readonly startedAt: number;
}

/** The caller and its INVITE: what the stages up to "connect" read. */
export interface CallerContext extends CallerIdentity {
  readonly rx: ReceivedInvite;
  readonly uas: UasInvite;
}

/** The identity alone, for what outlives the INVITE. */
export function identityOf(caller: CallerContext): CallerIdentity {
  const { rx: _rx, uas: _uas, ...identity } = caller;
  return identity;
}
