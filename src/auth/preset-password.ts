/**
 * The preset users' passwords equal their names (100/100, 101/101, 102/102: what a fresh install
 * promises) and are cracked on the first guess (issue 22). Until each is changed, such a password
 * is accepted only from addresses the Internet cannot reach Parley from: loopback, private,
 * link-local and shared ones, and the documentation and benchmarking ranges (RFC 5737, RFC 3849,
 * RFC 2544: never routed on the Internet, used by test networks). The phones on the office network
 * keep working; a scanner on the Internet gets 403.
 */
import { createHash } from "node:crypto";
import { addressIn, buildBlockList } from "./ban-list.js";

const LOCAL = buildBlockList([
  "127.0.0.0/8",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "169.254.0.0/16",
  "100.64.0.0/10",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
  "192.0.2.0/24",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "198.18.0.0/15",
  "2001:db8::/32",
]).list;

/** A loopback, private (RFC 1918, RFC 4193), link-local, shared (RFC 6598) or test-range address. */
export function isLocalAddress(address: string): boolean {
  const plain =
    address.toLowerCase().startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
  return addressIn(LOCAL, plain);
}

/**
 * Whether the HA1 (MD5) stored for `name` is that of the password `name` itself (RFC 7616 3.4.2:
 * HA1 = MD5(username ":" realm ":" password)); only MD5, the one hash compared.
 */
export function passwordIsName(name: string, realm: string, ha1Md5: string): boolean {
  return createHash("md5").update(`${name}:${realm}:${name}`, "utf8").digest("hex") === ha1Md5;
}
