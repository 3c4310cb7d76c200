/**
 * A worker's slice of the RTP port range (--rtp-ports): even/odd pairs of bound UDP sockets, one
 * pair per relay side or media endpoint (RFC 3550 11: RTP on an even port, RTCP on the next).
 * Relay sessions and endpoints of one worker draw from the same pool.
 */
import { createSocket, type Socket } from "node:dgram";

export interface PortPair {
  readonly rtp: Socket;
  readonly rtcp: Socket;
  readonly port: number;
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

  constructor(
    readonly minPort: number,
    readonly maxPort: number,
    readonly bindAddress: string,
  ) {
    this.next = this.first();
    this.family = bindAddress.includes(":") ? "udp6" : "udp4";
    this.specificAddress = bindAddress !== "0.0.0.0" && bindAddress !== "::";
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
      const rtp = createSocket({ type: this.family, reuseAddr: false });
      if (!(await bind(rtp, port, this.bindAddress))) continue;
      const rtcp = createSocket({ type: this.family, reuseAddr: false });
      if (!(await bind(rtcp, port + 1, this.bindAddress))) {
        rtp.close();
        continue;
      }
      this.used.add(port);
      return { rtp, rtcp, port };
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
