import type { SipRequest, ViaValue } from "../sip/types.js";
import { defaultPort, formatHost, ipFamily, sameHost, unbracket } from "./addresses.js";
import type { SocketAddress, TransportProtocol } from "./types.js";

/**
 * Build a complete Via value: `SIP/2.0/<transport> <sent-by>;branch=<branch>[;params]`
 * (RFC 3261 20.42). A parameter with a null value is written without "=value" (e.g. `rport`).
 */
export function buildVia(
  protocol: TransportProtocol,
  host: string,
  port: number,
  branch: string,
  params: Record<string, string | number | null> = {},
): string {
  let value = `SIP/2.0/${protocol} ${formatHost(unbracket(host))}:${port};branch=${branch}`;
  for (const [name, v] of Object.entries(params)) value += v === null ? `;${name}` : `;${name}=${v}`;
  return value;
}

/**
 * RFC 3261 18.1.1: "the transport ... fills in the transport and sent-by of the topmost Via".
 * Rewrites the top Via value with `protocol` and `host:port`, keeping every parameter as written
 * (branch, rport, ...). Throws when the request has no Via: the caller built it wrong.
 */
export function completeTopVia(
  request: SipRequest,
  protocol: TransportProtocol,
  host: string,
  port: number,
): void {
  const via = request.topVia;
  if (!via) throw new Error("request has no Via header: the transaction layer must add one with a branch");
  const semi = via.raw.indexOf(";");
  const params = semi >= 0 ? via.raw.slice(semi).trimEnd() : "";
  request.removeTopVia();
  request.append("via", `SIP/2.0/${protocol} ${formatHost(unbracket(host))}:${port}${params}`, true);
}

/**
 * RFC 3261 18.2.1: "When the server transport receives a request over any transport, it MUST
 * examine the value of the 'sent-by' parameter in the top Via header field value. If the host
 * portion of the 'sent-by' field contains a domain name, or if it contains an IP address that
 * differs from the packet source address, the server MUST add a 'received' parameter to that Via
 * header field value."
 * RFC 3581 4: "If this Via header field value contains an 'rport' parameter with no value, it MUST
 * set the value of the parameter to the source port of the request. ... the server MUST add a
 * received parameter ... even if it is identical to the value of the 'sent-by' component."
 * Returns true when the Via was changed.
 */
export function stampReceived(request: SipRequest, source: SocketAddress): boolean {
  const via = request.topVia;
  if (!via) return false;
  if (via.rport === null) request.setTopViaParams({ received: source.address, rport: source.port });
  else if (via.host === source.address || sameHost(via.host, source.address)) return false;
  else request.setTopViaParams({ received: source.address });
  return true;
}

/** Where an unreliable response goes, or why it cannot be sent. */
export type ResponseTarget =
  | { readonly ok: true; readonly address: string; readonly port: number; readonly ttl: number | undefined }
  | { readonly ok: false; readonly reason: string };

/** The bare IP of a host, or undefined when it is a name. */
function ipOf(host: string): string | undefined {
  const address = unbracket(host);
  return ipFamily(address) === 0 ? undefined : address;
}

/**
 * RFC 3261 18.2.2 with RFC 3581 4, for an unreliable transport:
 * - maddr present: to maddr, port from sent-by or 5060 (with the Via's ttl);
 * - else received and rport with a value: to received:rport;
 * - else received: to received, port from sent-by or the transport default;
 * - else to the sent-by host and port.
 * NOTE: only IP literals are supported; a sent-by host name without `received` fails (no DNS here).
 */
export function unreliableResponseTarget(via: ViaValue, protocol: TransportProtocol): ResponseTarget {
  const port = via.port ?? defaultPort(protocol);
  if (via.maddr !== undefined) {
    const address = ipOf(via.maddr);
    if (!address) return { ok: false, reason: `Via maddr "${via.maddr}" is not an IP address` };
    return { ok: true, address, port, ttl: via.ttl };
  }
  const rport = typeof via.rport === "number" ? via.rport : undefined;
  const host = via.received ?? via.host;
  const address = ipOf(host);
  if (!address)
    return { ok: false, reason: `Via host "${host}" is not an IP address and no received is present` };
  return { ok: true, address, port: rport ?? port, ttl: undefined };
}

/**
 * RFC 3261 18.2.2, reliable transport whose connection is gone: "the server SHOULD open a connection
 * to the IP address in the 'received' parameter, if present, using the port in the 'sent-by'
 * value, or the default port for that transport, if no port is specified."
 */
export function reliableResponseTarget(via: ViaValue, protocol: TransportProtocol): ResponseTarget {
  const host = via.received ?? via.host;
  const address = ipOf(host);
  if (!address)
    return { ok: false, reason: `Via host "${host}" is not an IP address and no received is present` };
  return { ok: true, address, port: via.port ?? defaultPort(protocol), ttl: undefined };
}

/**
 * Where a response goes when its top Via cannot be parsed: back to the source of the request.
 * RFC 3581 4: "the server MUST send the response to the source IP address and port of the
 * request" (there for a request with rport; here because the Via gives nothing better to use).
 */
export function symmetricResponseTarget(source: SocketAddress): ResponseTarget & { readonly ok: true } {
  return { ok: true, address: source.address, port: source.port, ttl: undefined };
}
