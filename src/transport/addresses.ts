import { isIP } from "node:net";
import type { TransportProtocol } from "./types.js";

/** IP family of a bare address: 4, 6, or 0 when it is not an IP literal (a host name). */
export function ipFamily(address: string): 0 | 4 | 6 {
  const family = isIP(address);
  return family === 4 || family === 6 ? family : 0;
}

/** Strip the brackets of an IPv6 reference ("[::1]" -> "::1"); anything else is returned as is. */
export function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** Host as written in a Via sent-by or URI: IPv6 gets brackets (RFC 3261 25.1 IPv6reference). */
export function formatHost(address: string): string {
  return ipFamily(address) === 6 ? `[${address}]` : address;
}

/** "host:port" for logs and table keys, IPv6 bracketed. */
export function formatHostPort(address: string, port: number): string {
  return `${formatHost(address)}:${port}`;
}

/**
 * The plain IPv4 address behind an IPv4-mapped IPv6 address ("::ffff:10.0.0.1" -> "10.0.0.1"), as
 * a dual-stack socket reports IPv4 peers. Other addresses are returned unchanged.
 */
export function unmapIPv4(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith("::ffff:") && ipFamily(lower.slice(7)) === 4) return lower.slice(7);
  return address;
}

/** True for "0.0.0.0" and "::". */
export function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

/** True for 127.0.0.0/8 and ::1. */
export function isLoopback(address: string): boolean {
  return address === "::1" || (ipFamily(address) === 4 && address.startsWith("127."));
}

/**
 * Compare two hosts as addresses: case-insensitive, brackets ignored, IPv4-mapped IPv6 equal to
 * its IPv4 form. Used for the RFC 3261 18.2.1 sent-by vs. source check.
 */
export function sameHost(a: string, b: string): boolean {
  return unmapIPv4(unbracket(a).toLowerCase()) === unmapIPv4(unbracket(b).toLowerCase());
}

/** RFC 3261 18.2.2 / 19.1.2: the default port of a transport when a sent-by carries none. */
export function defaultPort(protocol: TransportProtocol): number {
  return protocol === "TLS" || protocol === "WSS" ? 5061 : 5060;
}
