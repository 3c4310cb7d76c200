import { ipFamily, isLoopback, isWildcard, unbracket, unmapIPv4 } from "./addresses.js";
import {
  type ConnectionListener,
  type ConnectionProtocol,
  guessLocalAddress,
  type Listener,
  pickListener,
  type UdpListener,
} from "./listeners.js";
import type { ListeningAddress } from "./options.js";
import type { SocketAddress, TransportProtocol } from "./types.js";

/**
 * The bound listeners of one transport layer: which of them sends to a peer, and which host and
 * port a message sent from them names as its Via sent-by.
 */
export class ListenerSet {
  private readonly listeners: Listener[] = [];

  constructor(private readonly advertisedAddress: string | undefined) {}

  add(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** The bound listeners with their real ports. */
  get listening(): ListeningAddress[] {
    return this.listeners.map((l) => ({ protocol: l.protocol, address: l.address, port: l.port }));
  }

  /** Close every UDP socket and stream server; resolves once all are closed. */
  async close(): Promise<void> {
    await Promise.all(
      this.listeners.map(
        (l) =>
          new Promise<void>((resolve) => {
            if (l.protocol === "UDP") l.socket.close(() => resolve());
            else {
              l.server.close(() => resolve());
              // An HTTP server (WS, WSS) also holds idle keep-alive connections open.
              if (l.protocol === "WS" || l.protocol === "WSS") l.server.closeAllConnections();
            }
          }),
      ),
    );
  }

  /**
   * Where this transport says it is, for a Via sent-by or the core's Contact: the advertised
   * address or the listener's bound address (for a wildcard, a local address of the right family),
   * and the listener's port. Undefined when no listener of that protocol and family exists.
   */
  localSentBy(protocol: TransportProtocol, remoteAddress: string): SocketAddress | undefined {
    const remote = unmapIPv4(unbracket(remoteAddress));
    const listener = protocol === "UDP" ? this.pickUdp(remote) : this.pickStream(protocol, remote);
    if (!listener) return undefined;
    return { address: this.sentByHost(listener.address, remote), port: listener.port };
  }

  pickUdp(remote: string): UdpListener | undefined {
    return pickListener(
      this.listeners.filter((l): l is UdpListener => l.protocol === "UDP"),
      remote,
    );
  }

  pickStream(protocol: ConnectionProtocol, remote: string): ConnectionListener | undefined {
    return pickListener(
      this.listeners.filter((l): l is ConnectionListener => l.protocol === protocol),
      remote,
    );
  }

  /** The UDP listener a request arrived on (by local address and port), else any that fits. */
  udpFor(local: SocketAddress, remote: string): UdpListener | undefined {
    const same = this.listeners.find(
      (l): l is UdpListener => l.protocol === "UDP" && l.port === local.port && l.address === local.address,
    );
    if (same && (same.family === ipFamily(remote) || same.dualStack)) return same;
    return this.pickUdp(remote);
  }

  /** Host for a Via sent-by: advertised, or bound, or (wildcard) a local address of the family. */
  sentByHost(boundAddress: string, remote: string): string {
    if (this.advertisedAddress) return this.advertisedAddress;
    if (!isWildcard(boundAddress)) return boundAddress;
    const family: 4 | 6 = ipFamily(remote) === 6 ? 6 : 4;
    if (isLoopback(remote)) return family === 6 ? "::1" : "127.0.0.1";
    return guessLocalAddress(family);
  }
}
