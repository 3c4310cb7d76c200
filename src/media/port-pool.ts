/**
 * A worker's slice of the RTP port range (--rtp-ports): even/odd pairs of bound UDP sockets, one
 * pair per relay side or media endpoint (RFC 3550 11: RTP on an even port, RTCP on the next).
 * Relay sessions and endpoints of one worker draw from the same pool.
 */
import { createSocket, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";
import { literalLookup } from "../util/literal-lookup.js";

export interface PortPair {
  readonly rtp: Socket;
  readonly rtcp: Socket;
  readonly port: number;
  /** The sockets are bound to "::" and carry IPv4 too (peers as IPv4-mapped addresses). */
  readonly dualStack?: boolean;
}

/**
 * Where a socket of the pool sends to reach `address` (an SDP address): on a dual-stack socket an
 * IPv4 peer is written IPv4-mapped ("::ffff:127.0.0.1"), the form the socket reports it in, so
 * latching compares like with like. Done when a peer is set, never per packet.
 */
export function socketPeer(address: string, dualStack: boolean | undefined): string {
  return dualStack === true && isIPv4(address) ? `::ffff:${address}` : address;
}

/** A peer's address as a person (and the SDP) writes it: IPv4-mapped becomes plain IPv4. */
export function plainPeer(address: string): string {
  return address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function bind(socket: Socket, port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = (): void => {
      socket.close();
      resolve(false);
    };
    socket.once("error", onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off("error", onError);
      resolve(true);
    });
  });
}

export class PortPool {
  private readonly used = new Set<number>();
  private next: number;
  readonly family: "udp4" | "udp6";
  /** Bound to one address rather than a wildcard (see RelaySide connectOnLatch). */
  readonly specificAddress: boolean;
  /**
   * Bound to "::": one socket per port takes IPv4 and IPv6 peers alike (the default, issue 23:
   * each leg is told the address it reached Parley on, of either family). NOTE: with the sysctl
   * net.ipv6.bindv6only set, "::" carries IPv6 only; set --media-address then.
   */
  readonly dualStack: boolean;

  constructor(
    readonly minPort: number,
    readonly maxPort: number,
    readonly bindAddress: string,
  ) {
    this.next = this.first();
    this.family = bindAddress.includes(":") ? "udp6" : "udp4";
    this.specificAddress = bindAddress !== "0.0.0.0" && bindAddress !== "::";
    this.dualStack = bindAddress === "::";
  }

  private first(): number {
    return this.minPort % 2 === 0 ? this.minPort : this.minPort + 1;
  }

  /** A free pair, or undefined when every pair of the range is taken (by Parley or others). */
  async take(): Promise<PortPair | undefined> {
    const slots = Math.floor((this.maxPort - this.minPort + 1) / 2);
    for (let tried = 0; tried < slots; tried++) {
      const port = this.next;
      this.next = port + 2 > this.maxPort - 1 ? this.first() : port + 2;
      if (this.used.has(port)) continue;
      const rtp = createSocket({ type: this.family, reuseAddr: false, lookup: literalLookup });
      if (!(await bind(rtp, port, this.bindAddress))) continue;
      const rtcp = createSocket({ type: this.family, reuseAddr: false, lookup: literalLookup });
      if (!(await bind(rtcp, port + 1, this.bindAddress))) {
        rtp.close();
        continue;
      }
      this.used.add(port);
      return { rtp, rtcp, port, dualStack: this.dualStack };
    }
    return undefined;
  }

  /** Closes the pair's sockets (if still open) and frees its port. */
  give(pair: PortPair): void {
    for (const s of [pair.rtp, pair.rtcp]) {
      try {
        s.close();
      } catch {
        // already closed by its owner
      }
    }
    this.used.delete(pair.port);
  }

  /** Frees a port whose sockets the owner closed itself. */
  release(port: number): void {
    this.used.delete(port);
  }
}
