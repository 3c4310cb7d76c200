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
import type { CallParty, CallTarget, Diversion } from "./types.js";

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
  /** Why the call rings here rather than at the number dialled, latest first. */
  readonly diversions?: readonly Diversion[];
}

/** RFC 4458 / RFC 7044 9.1: the SIP cause a diversion reason stands for. */
const CAUSE: Readonly<Record<Diversion["reason"], number>> = {
  unconditional: 302,
  "user-busy": 486,
  "no-answer": 408,
  unavailable: 480,
  deflection: 480,
};

/**
 * RFC 5806 Diversion (one entry per diversion, latest first, counter 1 each) and RFC 7044
 * History-Info (the number dialled, then each new target with the cause that retargeted to it and
 * `mp`: the request URI was mapped by a forwarding).
 */
export function diversionHeaders(
  diversions: readonly Diversion[],
  toUser: string,
  host: string,
): Array<readonly [string, string]> {
  if (diversions.length === 0) return [];
  const diversion = diversions
    .map((d) => `<sip:${d.from.user}@${host}>;reason=${d.reason};counter=1;privacy=off`)
    .join(", ");
  // Oldest first: the number dialled (index 1), then each forwarding's target (1.1, 1.1.1, ...).
  const chain = [...diversions].reverse();
  const entries = [`<sip:${chain[0].from.user}@${host}>;index=1`];
  let index = "1";
  chain.forEach((d, i) => {
    index = `${index}.1`;
    const target = i + 1 < chain.length ? chain[i + 1].from.user : toUser;
    entries.push(`<sip:${target}@${host};cause=${CAUSE[d.reason]}>;index=${index};mp=${index.slice(0, -2)}`);
  });
  return [
    ["Diversion", diversion],
    ["History-Info", entries.join(", ")],
  ];
}

/** RFC 3261 21.1.3: the 181 that tells the caller the call goes elsewhere, and on whose behalf. */
export function forwardingProgress(user: string, host: string): { headers: Array<[string, string]> } {
  return { headers: [["Call-Info", `<sip:${user}@${host}>;purpose=forwarding`]] };
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
    headers: [
      ["Allow", input.allow],
      ...allowedHeaders(input.policy, (n) => request.getAll(n)),
      ...diversionHeaders(input.diversions ?? [], input.toUser, host),
    ],
    ...input.body,
  };
}
