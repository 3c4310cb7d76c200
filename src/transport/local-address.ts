/**
 * Which of this host's addresses a peer reaches Parley on, per peer: what the media relay and
 * Parley's own media endpoints write in the SDP of that peer's leg when no media address is
 * configured (issue 23), so a phone on 127.0.0.1 is told 127.0.0.1, one on ::1 is told ::1 and a
 * LAN phone the LAN address.
 *
 * A stream connection knows its local address exactly, and so does a UDP listener bound to one
 * address. A UDP listener on a wildcard does not: NOTE: Node exposes no IP_PKTINFO, so the local
 * address a datagram was sent to is unknown. The address chosen then is the one the kernel's
 * routing would most likely send from: the peer's own address when it is one of this host's, the
 * loopback of the family for a loopback peer, the interface whose subnet holds the peer (longest
 * prefix), else the first global address of the family (the usual default route's source; set
 * --media-address on a host with several uplinks).
 */
import { BlockList } from "node:net";
import { networkInterfaces } from "node:os";
import { ipFamily, isLoopback, unbracket, unmapIPv4 } from "./addresses.js";

/** One address of one interface, as os.networkInterfaces() lists it. */
export interface InterfaceAddress {
  readonly address: string;
  readonly family: 4 | 6;
  /** The subnet's prefix length ("cidr" of os.networkInterfaces()). */
  readonly prefix: number;
  readonly internal: boolean;
}

/** Every address of this host's interfaces (IPv6 link-local addresses left out: they need a scope). */
export function hostInterfaceAddresses(
  read: typeof networkInterfaces = networkInterfaces,
): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const list of Object.values(read())) {
    for (const i of list ?? []) {
      const family = i.family === "IPv6" ? 6 : 4;
      if (family === 6 && i.address.toLowerCase().startsWith("fe80")) continue;
      const prefix = Number(i.cidr?.split("/")[1] ?? (family === 6 ? 128 : 32));
      out.push({ address: i.address, family, prefix, internal: i.internal });
    }
  }
  return out;
}

/** An interface address with the subnet test built once. */
interface Subnet extends InterfaceAddress {
  readonly holds: (address: string) => boolean;
}

function subnet(i: InterfaceAddress): Subnet {
  const list = new BlockList();
  const type = i.family === 6 ? "ipv6" : "ipv4";
  list.addSubnet(i.address, i.prefix, type);
  return { ...i, holds: (address) => list.check(address, type) };
}

/**
 * The local address facing `remote` among `addresses` (see the file comment for the rules), or
 * undefined when `remote` is not an IP address or the host has no address of its family.
 */
export function localAddressFacing(
  remote: string,
  addresses: readonly InterfaceAddress[],
): string | undefined {
  return facing(remote, addresses.map(subnet));
}

function facing(remoteHost: string, subnets: readonly Subnet[]): string | undefined {
  const remote = unmapIPv4(unbracket(remoteHost));
  const family = ipFamily(remote);
  if (family === 0) return undefined;
  const own = subnets.filter((s) => s.family === family);
  const lower = remote.toLowerCase();
  // A peer on this very host (a phone on the LAN address, a softphone beside Parley): itself.
  if (own.some((s) => s.address.toLowerCase() === lower)) return remote;
  if (isLoopback(remote)) return own.find((s) => s.internal)?.address ?? (family === 6 ? "::1" : "127.0.0.1");
  let best: Subnet | undefined;
  for (const s of own)
    if (!s.internal && s.holds(remote) && (best === undefined || s.prefix > best.prefix)) best = s;
  if (best !== undefined) return best.address;
  return own.find((s) => !s.internal)?.address;
}

/**
 * The host's addresses, read again at most every `ttlMs` (a DHCP lease or a new interface is
 * seen without a restart), and the choice of local address per peer over them.
 */
export class LocalAddresses {
  private subnets: Subnet[] = [];
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly read: () => readonly InterfaceAddress[] = () => hostInterfaceAddresses(),
    private readonly now: () => number = () => performance.now(),
    private readonly ttlMs = 10_000,
  ) {}

  private current(): readonly Subnet[] {
    const now = this.now();
    if (now - this.readAt >= this.ttlMs) {
      this.subnets = this.read().map(subnet);
      this.readAt = now;
    }
    return this.subnets;
  }

  /** The local address facing `remote`, or undefined (not an IP address, no address of its family). */
  facing(remote: string): string | undefined {
    return facing(remote, this.current());
  }

  /** Whether `address` is one of this host's. */
  has(address: string): boolean {
    const lower = unmapIPv4(unbracket(address)).toLowerCase();
    return this.current().some((s) => s.address.toLowerCase() === lower);
  }
}
