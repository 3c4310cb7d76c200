/**
 * A line or trunk pointing at Parley itself (issue 23): an external line (type 0, Parley registers
 * to it and sends its calls there) or a SIP trunk whose address and port are one of Parley's own
 * SIP listeners would send every call back into Parley, a loop. Such a row is refused, the field
 * named: the line's server (or its outbound proxy's address, where its messages go), the trunk's
 * address.
 *
 * What "Parley itself" is depends on the running server, so the listeners come in from where the
 * API or the CLI is composed (the transport's bound sockets, or the settings' bind addresses and
 * ports), with the machine's addresses: a listener on a wildcard address (0.0.0.0, ::) is reached
 * at localhost, any loopback address and any address of the machine; a listener on one address at
 * that address (and at localhost when it is a loopback one). Names other than localhost and the
 * machine's host name are not resolved (no DNS lookup while validating).
 */
import { isIPv4, isIPv6 } from "node:net";
import { hostname, networkInterfaces } from "node:os";
import type { FieldError } from "./errors.js";

/** One of Parley's SIP listeners. */
export interface OwnListener {
  readonly protocol: string;
  readonly address: string;
  readonly port: number;
}

export interface OwnSip {
  readonly listeners: readonly OwnListener[];
  /** The machine's addresses (every interface's) and its host name. */
  readonly machine: readonly string[];
}

/** The check a routing row goes through beside its own validation (routing-repository.ts). */
export type RowCheck = (kind: string, value: unknown) => FieldError[];

/** The machine's addresses and host name, as os.networkInterfaces() and os.hostname() tell them. */
export function machineAddresses(read: typeof networkInterfaces = networkInterfaces): string[] {
  const out = Object.values(read())
    .flatMap((list) => list ?? [])
    .map((a) => a.address);
  out.push(hostname());
  return out;
}

/** A host as compared: lower case, no brackets, an IPv6 address in its shortest form. */
function canonical(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (isIPv6(h)) {
    h = new URL(`http://[${h}]`).hostname.slice(1, -1);
    // An IPv4-mapped address is its IPv4 address.
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
    if (mapped) {
      const hi = Number.parseInt(mapped[1]!, 16);
      const lo = Number.parseInt(mapped[2]!, 16);
      h = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
  }
  return h;
}

function loopback(host: string): boolean {
  return host === "localhost" || host === "::1" || (isIPv4(host) && host.startsWith("127."));
}

function wildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::";
}

/** The listener `host:port` over `transport` reaches, if it is one of Parley's. */
export function ownListenerAt(
  own: OwnSip,
  host: string,
  port: number,
  transport: string,
): OwnListener | undefined {
  const h = canonical(host);
  if (h === "") return undefined;
  const machine = new Set(own.machine.map(canonical));
  return own.listeners.find((l) => {
    if (l.port !== port || l.protocol.toUpperCase() !== transport.toUpperCase()) return false;
    const address = canonical(l.address);
    if (wildcard(address)) return loopback(h) || wildcard(h) || machine.has(h);
    return h === address || (h === "localhost" && loopback(address));
  });
}

function message(l: OwnListener): string {
  const at = l.address.includes(":") ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`;
  return `points at this Parley (it listens for SIP over ${l.protocol.toUpperCase()} on ${at}): calls would loop back into it`;
}

interface LineLike {
  readonly type: number;
  readonly server: string;
  readonly serverPort: number;
  readonly transport: string;
  readonly outboundProxy: { readonly enabled: boolean; readonly address: string; readonly port: number };
}
interface TrunkLike {
  readonly address: string;
  readonly port: number;
  readonly transport: string;
}

/** The errors of a line or trunk pointing at Parley itself (none for other kinds of row). */
export function selfReferenceErrors(own: OwnSip, kind: string, value: unknown): FieldError[] {
  if (kind === "line") {
    const line = value as LineLike;
    // A type 1 line's gateway registers to Parley: Parley sends it nothing at a configured address.
    if (line.type !== 0) return [];
    const hop = line.outboundProxy.enabled
      ? { field: "outboundProxy.address", host: line.outboundProxy.address, port: line.outboundProxy.port }
      : { field: "server", host: line.server, port: line.serverPort };
    const hit = ownListenerAt(own, hop.host, hop.port, line.transport);
    return hit === undefined ? [] : [{ field: hop.field, message: message(hit) }];
  }
  if (kind === "trunk") {
    const trunk = value as TrunkLike;
    const hit = ownListenerAt(own, trunk.address, trunk.port, trunk.transport);
    return hit === undefined ? [] : [{ field: "address", message: message(hit) }];
  }
  return [];
}

/** The check of a composition root: its listeners, read at each write (and the machine's addresses). */
export function selfReferenceCheck(listeners: () => readonly OwnListener[]): RowCheck {
  return (kind, value) =>
    kind === "line" || kind === "trunk"
      ? selfReferenceErrors({ listeners: listeners(), machine: machineAddresses() }, kind, value)
      : [];
}
