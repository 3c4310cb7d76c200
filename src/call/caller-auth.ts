/**
 * What every request that starts something for a caller (an INVITE, an out-of-dialog MESSAGE)
 * goes through first: the ban check and authentication with 407 (RFC 3261 22.3), before anything
 * is looked up, so an unknown and a known target are answered alike (no enumeration); and where a
 * registered binding is reached.
 */
import type { Authenticator } from "../auth/authenticator.js";
import { callStatus } from "../core/status-catalogue.js";
import type { LiveBinding } from "../registrar/location-service.js";
import type { SipRequest } from "../sip/types.js";
import type { Destination, ReceivedMessage, TransportProtocol } from "../transport/types.js";

export type CallerAuth =
  | { readonly kind: "ok"; readonly username: string }
  | {
      readonly kind: "reject";
      readonly status: number;
      readonly reason: string;
      readonly headers: ReadonlyArray<readonly [string, string]>;
    };

export async function authenticateCaller(
  authenticator: Authenticator,
  domain: { readonly id: number; readonly realm: string },
  rx: ReceivedMessage & { message: SipRequest },
): Promise<CallerAuth> {
  if (authenticator.isBanned(rx.source.address))
    return { kind: "reject", ...callStatus("banned"), headers: [] };
  // RFC 3261 22.3: a B2BUA acting for its users challenges with 407 (Proxy-Authenticate).
  const auth = await authenticator.authenticate({
    request: rx.message,
    sourceAddress: rx.source.address,
    domainId: domain.id,
    realm: domain.realm,
    challenge: 407,
    claimedUser: rx.message.from?.uri.user,
  });
  if (auth.kind === "challenge")
    return { kind: "reject", status: auth.status, reason: auth.reason, headers: auth.headers };
  if (auth.kind === "forbidden") return { kind: "reject", status: 403, reason: auth.reason, headers: [] };
  return { kind: "ok", username: auth.username };
}

/** Where a binding is reached: the address its REGISTER came from (the NAT-observed one). */
export function bindingDestination(binding: LiveBinding): Destination {
  const protocol = binding.transport.toUpperCase() as TransportProtocol;
  return {
    protocol,
    address: binding.sourceAddress,
    port: binding.sourcePort,
    ...(binding.flowId === undefined ? {} : { flowId: binding.flowId }),
  };
}
