/**
 * A dgram socket's `lookup` that answers an IP literal in the same tick: Node's default sends every
 * destination through dns.lookup, which for a literal still costs a callback on the next tick and
 * its allocations per datagram. Every destination of Parley's SIP and media sockets is a literal
 * by the time it is sent to; anything else still goes to dns.lookup.
 */

import type { SocketOptions } from "node:dgram";
import { lookup as dnsLookup } from "node:dns";
import { isIP } from "node:net";

export const literalLookup = ((
  hostname: string,
  options: unknown,
  callback: (...args: unknown[]) => void,
) => {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else (dnsLookup as (h: string, o: unknown, c: unknown) => void)(hostname, options, callback);
}) as unknown as NonNullable<SocketOptions["lookup"]>;
