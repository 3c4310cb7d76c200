/**
 * The kernel's per-socket UDP counters on Linux (/proc/net/udp, /proc/net/udp6): datagrams
 * dropped because a socket's receive buffer was full, and the bytes queued now. Under a flood
 * they tell "the kernel dropped it before Parley read it" from "Parley read it and chose not to
 * answer", and show that the flooder lost no answer of its own. Read in the current network
 * namespace; null where /proc is not there.
 */
import { readFileSync } from "node:fs";
import { endianness } from "node:os";

export interface UdpSocketId {
  readonly address: string;
  readonly port: number;
}

export interface UdpSocketCounters {
  /** Datagrams dropped at these sockets since they were opened. */
  readonly drops: number;
  /** Bytes waiting in their receive queues now. */
  readonly rxQueue: number;
}

/** The 16 bytes of an IPv6 address (or 4 of an IPv4 one). */
function addressBytes(address: string): number[] {
  if (!address.includes(":")) return address.split(".").map(Number);
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const words = (s: string | undefined) => (s ? s.split(":") : []);
  const left = words(head);
  const right = words(tail);
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.flatMap((g) => {
    const n = Number.parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** The address as /proc/net/udp* writes it: 32-bit words in host byte order, in hex. */
function procHex(address: string): string {
  const bytes = addressBytes(address);
  const words: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const word = bytes.slice(i, i + 4);
    if (endianness() === "LE") word.reverse();
    words.push(word.map((b) => b.toString(16).padStart(2, "0")).join(""));
  }
  return words.join("").toUpperCase();
}

/** Sums the counters of the given bound sockets; null when /proc/net/udp cannot be read. */
export function udpSocketCounters(sockets: readonly UdpSocketId[]): UdpSocketCounters | null {
  const wanted = new Set(
    sockets.map((s) => `${procHex(s.address)}:${s.port.toString(16).toUpperCase().padStart(4, "0")}`),
  );
  let text: string;
  try {
    text = readFileSync("/proc/net/udp", "utf8");
    try {
      text += readFileSync("/proc/net/udp6", "utf8");
    } catch {
      // no IPv6 in this kernel
    }
  } catch {
    return null;
  }
  let drops = 0;
  let rxQueue = 0;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13 || !wanted.has(f[1])) continue;
    rxQueue += Number.parseInt(f[4].split(":")[1], 16);
    drops += Number(f[12]);
  }
  return { drops, rxQueue };
}

/** Datagrams dropped at the given sockets, or null when unknown. */
export function udpSocketDrops(sockets: readonly UdpSocketId[]): number | null {
  return udpSocketCounters(sockets)?.drops ?? null;
}
