/**
 * IP address authorization entries: a single address or a CIDR range, IPv4 or IPv6.
 * Parsing is strict (the validator uses it); matching uses node:net's BlockList.
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";

export interface IpRange {
  family: "ipv4" | "ipv6";
  address: string;
  prefix: number;
}

/** Parses "192.0.2.7", "10.0.0.0/8", "2001:db8::/32"; undefined when malformed. */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : undefined;
  if (family === undefined) return undefined;
  const max = family === "ipv4" ? 32 : 128;
  if (slash < 0) return { family, address, prefix: max };
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > max) return undefined;
  return { family, address, prefix };
}

/** "::ffff:192.0.2.7" (an IPv4 peer on a dual-stack socket) is the IPv4 address 192.0.2.7. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}

/** Answers "is this address inside any of these entries?" for one user's list. */
export class IpMatcher {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    let count = 0;
    for (const entry of entries) {
      const range = parseIpRange(entry);
      if (!range) continue;
      this.list.addSubnet(range.address, range.prefix, range.family);
      count++;
    }
    this.empty = count === 0;
  }

  matches(ip: string): boolean {
    if (this.empty) return false;
    const address = normalizeIp(ip);
    const family = isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : undefined;
    return family !== undefined && this.list.check(address, family);
  }
}
