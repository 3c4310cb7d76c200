/**
 * The INVITE of one callee leg, built from the caller's (RFC 3261 6: a B2BUA's UAC side writes
 * a new request): Parley's From with the caller's configured display name (issue 4), the To of
 * the number dialled, the offer through the leg policy, and only the allow-listed header fields;
 * a line's or trunk's leg has its own From, To and credentials (issue 5).
 */
import type { InviteSpec } from "../dialog/uac-invite.js";
import { quoteDisplayName } from "../sip/index.js";
import type { SipRequest } from "../sip/types.js";
import { allowedHeaders, type LegPolicy } from "./leg-policy.js";
import type { CallParty, CallTarget } from "./types.js";

export interface CalleeInviteInput {
  readonly target: CallTarget;
  readonly caller: CallParty;
  /** The user part of the To: the number dialled, or the callee a service chose. */
  readonly toUser: string;
  /** The host of the From and To URIs Parley writes (its domain). */
  readonly host: string;
  readonly allow: string;
  readonly policy: LegPolicy;
  /** The caller's INVITE. */
  readonly request: SipRequest;
  /** The caller's offer through the SDP hook (nothing for a late offer). */
  readonly body: { body?: Buffer; contentType?: string };
}

export function calleeInvite(input: CalleeInviteInput): InviteSpec {
  const { target, caller, host, request } = input;
  const uri = `sip:${caller.user}@${host}`;
  const outbound = target.outbound;
  return {
    uri: target.uri,
    from:
      outbound?.from ??
      (caller.displayName === "" ? `<${uri}>` : `${quoteDisplayName(caller.displayName)} <${uri}>`),
    to: outbound?.to ?? `<sip:${input.toUser}@${host}>`,
    ...(outbound === undefined ? {} : { authorize: outbound.authorize, no100rel: outbound.no100rel }),
    routes: target.routes,
    destination: target.destination,
    // RFC 3261 13.2.2.4: with a late offer the answer goes in the ACK, which the call sends itself.
    manualAck: request.body.length === 0,
    headers: [["Allow", input.allow], ...allowedHeaders(input.policy, (n) => request.getAll(n))],
    ...input.body,
  };
}
