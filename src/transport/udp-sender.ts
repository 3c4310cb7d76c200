import { ipFamily } from "./addresses.js";
import type { UdpListener } from "./listeners.js";
import type { SipTransportOptions, TransportStats } from "./options.js";
import type { TransportContext } from "./transport-context.js";
import { TransportError } from "./transport-error.js";
import type { DatagramSender } from "./udp-sent-response.js";

/** Largest UDP payload over IPv4. */
export const MAX_UDP_PAYLOAD = 65_507;

/** Datagrams out of a UDP listener, traced and counted. */
export class UdpSender implements DatagramSender {
  // The context's own options and counters, held here so the per-datagram path reads them directly.
  private readonly options: SipTransportOptions;
  private readonly counters: TransportStats;

  constructor(private readonly context: TransportContext) {
    this.options = context.options;
    this.counters = context.counters;
  }

  /** One datagram; resolves once the socket has sent it, rejects with its error. */
  send(listener: UdpListener, data: Buffer, address: string, port: number): Promise<void> {
    if (data.length > MAX_UDP_PAYLOAD) {
      return Promise.reject(new TransportError(`message of ${data.length} bytes is too large for UDP`));
    }
    return new Promise<void>((resolve, reject) => {
      this.sendDatagram(listener, data, address, port, (err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** One datagram; `done` runs on a later tick with the socket's error, if any. */
  sendDatagram(
    listener: UdpListener,
    data: Buffer,
    address: string,
    port: number,
    done: (err: Error | null) => void,
  ): void {
    // A dual-stack IPv6 socket reaches IPv4 peers through IPv4-mapped addresses.
    const target = listener.family === 6 && ipFamily(address) === 4 ? `::ffff:${address}` : address;
    if (this.options.onTrace) this.context.trace("out", "UDP", listener.local, { address, port }, data);
    try {
      listener.socket.send(data, port, target, (err) => {
        if (!err) this.counters.sent++;
        done(err);
      });
    } catch (err) {
      // A closed socket throws at once; report it as a send error, on a later tick like the others.
      queueMicrotask(() => done(err as Error));
    }
  }
}
