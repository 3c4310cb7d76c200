/**
 * Is a source on the shared ports one of a tenant's carriers (issue 21)? Unlike the rate limit's
 * carrier check (trunks/peer-addresses.ts, by address only), the router must not take a phone of
 * another tenant behind the same address for a carrier: the source's address and port must be a
 * SIP trunk's or an external line's server or outbound proxy, as configured (an IP literal; a
 * carrier named by host name reaches its tenant by the domain it calls, or on the tenant's own
 * ports).
 */
import { isIP } from "node:net";
import type { RoutingSnapshot } from "../store/routing-validation.js";
import { bareHost, sameAddress } from "../trunks/resolve.js";

export function isTenantPeer(
  snapshot: RoutingSnapshot | undefined,
  source: { readonly address: string; readonly port: number },
): boolean {
  if (snapshot === undefined) return false;
  const matches = (host: string, port: number) =>
    host !== "" && isIP(bareHost(host)) !== 0 && port === source.port && sameAddress(host, source.address);
  for (const t of snapshot.trunks) if (matches(t.address, t.port)) return true;
  for (const l of snapshot.lines) {
    if (matches(l.server, l.serverPort)) return true;
    if (l.outboundProxy.enabled && matches(l.outboundProxy.address, l.outboundProxy.port)) return true;
  }
  return false;
}
