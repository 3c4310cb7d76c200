/**
 * Where a request within a dialog goes (RFC 3261 12.2.1.1): its Request-URI and Route header
 * fields from the remote target and route set, and the next hop (RFC 3261 8.1.2, 16.6 step 7 for
 * a strict router) as a transport Destination.
 */
import { isIP } from "node:net";
import { formatUri, parseUri } from "../sip/index.js";
import type { SipUri } from "../sip/types.js";
import type { Destination, TransportProtocol } from "../transport/types.js";

export interface RequestTarget {
  /** The Request-URI text. */
  readonly uri: string;
  /** Route header values, in order (name-addr form). */
  readonly routes: readonly string[];
  /** The URI whose host and port are the next hop: the first Route, else the Request-URI. */
  readonly nextHop: string;
}

/** The URI inside a name-addr route value ("<sip:p1;lr>" -> "sip:p1;lr"). */
export function routeUri(route: string): string {
  const lt = route.indexOf("<");
  const gt = route.lastIndexOf(">");
  return lt >= 0 && gt > lt ? route.slice(lt + 1, gt) : route.trim();
}

/**
 * RFC 3261 12.2.1.1: "If the route set is empty, the UAC MUST place the remote target URI into
 * the Request-URI. The UAC MUST NOT add a Route header field to the request. If the route set is
 * not empty, and the first URI in the route set contains the lr parameter (see Section 19.1.1),
 * the UAC MUST place the remote target URI into the Request-URI and MUST include a Route header
 * field containing the route set values in order, including all parameters. If the route set is
 * not empty, and its first URI does not contain the lr parameter, the UAC MUST place the first
 * URI from the route set into the Request-URI, stripping any parameters that are not allowed in a
 * Request-URI. The UAC MUST add a Route header field containing the remainder of the route set
 * values in order, including all parameters. The UAC MUST then place the remote target URI into
 * the Route header field as the last value."
 */
export function requestTarget(remoteTarget: string, routeSet: readonly string[]): RequestTarget {
  if (routeSet.length === 0) return { uri: remoteTarget, routes: [], nextHop: remoteTarget };
  const first = routeUri(routeSet[0]);
  const parsed = parseUri(first);
  if (parsed === undefined || parsed.params.has("lr")) {
    return { uri: remoteTarget, routes: [...routeSet], nextHop: first };
  }
  const uri = requestUriForm(parsed);
  return { uri, routes: [...routeSet.slice(1), `<${remoteTarget}>`], nextHop: uri };
}

/**
 * RFC 3261 19.1.1 (table 1): the method parameter and URI headers are not allowed in a
 * Request-URI; everything else stays.
 */
function requestUriForm(uri: SipUri): string {
  if (!uri.params.has("method") && uri.headers.length === 0) return uri.raw;
  const params = new Map(uri.params);
  params.delete("method");
  return formatUri({ ...uri, params, headers: [] });
}

/** Resolves a URI to a destination; undefined when it cannot (a host name with no resolver). */
export type UriResolver = (uri: SipUri) => Destination | undefined;

/**
 * The default resolver: IP literals only (RFC 3263 resolution of names lives above this layer).
 * RFC 3263 4.1: the transport comes from the URI's transport parameter, a SIPS URI means TLS,
 * and UDP otherwise; RFC 3261 19.1.2: the default port is 5060, 5061 for TLS. A WS/WSS
 * destination is only usable with the client's open flow (RFC 7118 5): the transport sends to it
 * over that connection or fails at once.
 */
export const resolveIpLiteral: UriResolver = (uri) => {
  const host = uri.host.startsWith("[") ? uri.host.slice(1, -1) : uri.host;
  if (isIP(host) === 0) return undefined;
  const param = uri.params.get("transport")?.toUpperCase();
  let protocol: TransportProtocol = "UDP";
  // RFC 7118 5: transport=ws / wss (a sips URI over WebSocket is WSS).
  if (param === "WSS" || (param === "WS" && uri.scheme === "sips")) protocol = "WSS";
  else if (param === "WS") protocol = "WS";
  else if (uri.scheme === "sips" || param === "TLS") protocol = "TLS";
  else if (param === "TCP") protocol = "TCP";
  const maddr = uri.params.get("maddr");
  const address = maddr !== undefined && maddr !== null && isIP(maddr) !== 0 ? maddr : host;
  return { protocol, address, port: uri.port ?? (protocol === "TLS" || protocol === "WSS" ? 5061 : 5060) };
};
