/**
 * The STUN server (RFC 5389 Binding, UDP, port 3478 by default, `--stun-port`): a phone may use
 * Parley's address as its STUN server to learn its public address. One UDP socket per bound
 * address; every datagram is answered by answerStun() or dropped.
 */
import { createSocket, type Socket } from "node:dgram";
import { answerStun } from "./stun-message.js";

export interface StunServerOptions {
  /** Addresses to listen on ("0.0.0.0", "::", or specific ones). */
  readonly addresses: readonly string[];
  readonly port: number;
  readonly onError?: (error: unknown) => void;
}

export class StunServer {
  private readonly sockets: Socket[] = [];
  /** Requests answered and datagrams dropped, since start. */
  readonly stats = { answered: 0, dropped: 0 };

  constructor(private readonly o: StunServerOptions) {}

  get listening(): Array<{ address: string; port: number }> {
    return this.sockets.map((s) => s.address());
  }

  async start(): Promise<void> {
    for (const address of this.o.addresses) {
      const v6 = address.includes(":");
      // The IPv6 wildcard alone: "0.0.0.0" has its own socket (as the SIP listeners do).
      const socket = createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: v6 });
      socket.on("message", (packet, from) => {
        const local = socket.address();
        const answer = answerStun(packet, from, local);
        if (answer === undefined) {
          this.stats.dropped++;
          return;
        }
        this.stats.answered++;
        socket.send(answer, from.port, from.address);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind(this.o.port, address, () => {
          socket.off("error", reject);
          socket.on("error", (e) => this.o.onError?.(e));
          resolve();
        });
      });
      this.sockets.push(socket);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.sockets.length = 0;
  }
}
