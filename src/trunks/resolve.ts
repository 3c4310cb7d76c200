/**
 * Next hops of lines and trunks: an IP address as is, a host name through the system resolver
 * (A/AAAA; NOTE: no NAPTR/SRV, RFC 3263, yet: a provider is configured with host and port).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Destination, TransportProtocol } from "../transport/types.js";

export type Transport = "udp" | "tcp" | "tls";

export function protocolOf(transport: Transport): TransportProtocol {
  return transport.toUpperCase() as TransportProtocol;
}

/** "[::1]" → "::1". */
export function bareHost(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** Names resolved recently: every INVITE checks its source against the trunks' and lines' hosts. */
const cache = new Map<string, { address: Promise<string>; until: number }>();
const CACHE_MS = 60_000;

export async function resolveHost(host: string): Promise<string> {
  const bare = bareHost(host);
  if (isIP(bare)) return bare;
  const now = Date.now();
  const hit = cache.get(bare);
  if (hit !== undefined && hit.until > now) return hit.address;
  const address = lookup(bare).then((r) => r.address);
  if (cache.size > 1000) cache.clear();
  cache.set(bare, { address, until: now + CACHE_MS });
  // A failed lookup is not kept: the next call asks again.
  address.catch(() => cache.delete(bare));
  return address;
}

export async function resolveDestination(
  host: string,
  port: number,
  transport: Transport,
): Promise<Destination> {
  return { protocol: protocolOf(transport), address: await resolveHost(host), port };
}

/** "127.0.0.1" and "::ffff:127.0.0.1" are the same source. */
export function sameAddress(a: string, b: string): boolean {
  const norm = (x: string) =>
    bareHost(x)
      .toLowerCase()
      .replace(/^::ffff:(?=\d+\.)/, "");
  return norm(a) === norm(b);
}
