/**
 * What a ban or a failure count is kept against: an IPv4 address as it is, an IPv6 address by
 * its /64 (issue 22). One IPv6 host is routinely given a whole /64 and can pick a new address in
 * it for every guess; banning the exact address would give each guess a fresh start.
 */
import { isIPv6 } from "node:net";

/** The /64 of an IPv6 address ("2001:db8:1:2::/64", "2001:db8::/64"); an IPv4 (or IPv4-mapped) one as is. */
export function sourceKey(address: string): string {
  if (!isIPv6(address)) return address;
  const lower = address.toLowerCase();
  if (lower.startsWith("::ffff:") && lower.includes(".")) return lower.slice(7);
  const groups = expand(lower);
  if (groups === undefined) return address;
  const prefix = groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, ""));
  // The host half is all zeros: with the prefix's own trailing zero groups, the run "::" stands for.
  while (prefix.length > 0 && prefix[prefix.length - 1] === "0") prefix.pop();
  return `${prefix.join(":")}::/64`;
}

/** The eight groups of an IPv6 address (zone dropped; an embedded IPv4 tail as two groups). */
function expand(address: string): string[] | undefined {
  let text = address.split("%")[0] ?? address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? left.length !== 8 : missing < 0) return undefined;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
}
