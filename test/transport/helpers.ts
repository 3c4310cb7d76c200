import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, type Socket } from "node:net";
import { parseMessage } from "../../src/sip/index.js";
import type { SipMessage, SipRequest } from "../../src/sip/types.js";
import type { SipTransportOptions, TransportEvent } from "../../src/transport/options.js";
import { SipTransportLayer } from "../../src/transport/transport-layer.js";
import type { ReceivedMessage, TransportProtocol } from "../../src/transport/types.js";
import { systemClock } from "../../src/util/clock.js";

/** Wire text from readable lines: "\n" becomes CRLF. */
export function wire(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}

/** Parse wire text into a message; the test fails loudly if it does not parse. */
export function msg(text: string): SipMessage {
  const result = parseMessage(Buffer.from(wire(text), "latin1"));
  if (!result.ok) throw new Error(`test message does not parse: ${result.error.reason}`);
  return result.message;
}

export function req(text: string): SipRequest {
  const m = msg(text);
  if (m.kind !== "request") throw new Error("expected a request");
  return m;
}

let seq = 0;

/** A minimal valid request text; `via` is the whole Via value. */
export function requestText(
  method: string,
  via: string,
  opts: { body?: string; extra?: string } = {},
): string {
  seq++;
  const body = opts.body ?? "";
  return wire(
    `${method} sip:bob@127.0.0.1 SIP/2.0\n` +
      `Via: ${via}\n` +
      "Max-Forwards: 70\n" +
      "From: <sip:alice@127.0.0.1>;tag=a1\n" +
      "To: <sip:bob@127.0.0.1>\n" +
      `Call-ID: call-${seq}@test\n` +
      `CSeq: ${seq} ${method}\n` +
      (opts.extra ?? "") +
      `Content-Length: ${Buffer.byteLength(body, "latin1")}\n\n`,
  ).concat(body);
}

/** A queue of values with an awaitable `next()` that fails after a deadline instead of hanging. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private waiters: Array<(item: T) => void> = [];

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  get size(): number {
    return this.items.length;
  }

  next(timeoutMs = 2_000): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`nothing arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (value: T) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.waiters.push(waiter);
    });
  }
}

/** A started transport with inboxes for messages and events. */
export interface Harness {
  readonly transport: SipTransportLayer;
  readonly messages: Inbox<ReceivedMessage>;
  readonly events: TransportEvent[];
  port(protocol: TransportProtocol, address?: string): number;
}

export async function startTransport(options: Partial<SipTransportOptions> = {}): Promise<Harness> {
  const messages = new Inbox<ReceivedMessage>();
  const events: TransportEvent[] = [];
  const transport = new SipTransportLayer({
    listeners: [
      { protocol: "UDP", address: "127.0.0.1", port: 0 },
      { protocol: "TCP", address: "127.0.0.1", port: 0 },
    ],
    clock: systemClock,
    onEvent: (e) => events.push(e),
    ...options,
  });
  transport.onMessage((m) => messages.push(m));
  await transport.start();
  return {
    transport,
    messages,
    events,
    port(protocol, address) {
      const l = transport.listening.find(
        (x) => x.protocol === protocol && (!address || x.address === address),
      );
      if (!l) throw new Error(`no ${protocol} listener`);
      return l.port;
    },
  };
}

/** A UDP peer on loopback with an inbox of datagrams. */
export async function udpPeer(
  family: 4 | 6 = 4,
  port = 0,
): Promise<{
  socket: UdpSocket;
  port: number;
  inbox: Inbox<Buffer>;
  send(data: string | Buffer, port: number): void;
}> {
  const socket = createSocket(family === 6 ? "udp6" : "udp4");
  const inbox = new Inbox<Buffer>();
  socket.on("message", (data) => inbox.push(data));
  const host = family === 6 ? "::1" : "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => resolve());
  });
  return {
    socket,
    port: socket.address().port,
    inbox,
    send(data, toPort) {
      socket.send(typeof data === "string" ? Buffer.from(data, "latin1") : data, toPort, host);
    },
  };
}

/** A raw TCP client collecting everything it reads; `closed` resolves when the server closes it. */
export async function tcpPeer(port: number, host = "127.0.0.1"): Promise<StreamPeer> {
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return new StreamPeer(socket);
}

export class StreamPeer {
  private data = "";
  private readonly watchers: Array<() => void> = [];
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.data += chunk.toString("latin1");
      for (const w of [...this.watchers]) w();
    });
    socket.on("error", () => {});
    this.closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  }

  get received(): string {
    return this.data;
  }

  write(text: string): void {
    this.socket.write(Buffer.from(text, "latin1"));
  }

  /** Resolve once what was received satisfies `test`; fail after the deadline. */
  waitFor(test: (received: string) => boolean, timeoutMs = 2_000): Promise<string> {
    if (test(this.data)) return Promise.resolve(this.data);
    return new Promise<string>((resolve, reject) => {
      const watcher = () => {
        if (!test(this.data)) return;
        clearTimeout(timer);
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
        resolve(this.data);
      };
      const timer = setTimeout(() => {
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
        reject(
          new Error(`expected data did not arrive within ${timeoutMs} ms; got ${JSON.stringify(this.data)}`),
        );
      }, timeoutMs);
      this.watchers.push(watcher);
    });
  }

  /** Resolve when the peer is closed; fail after the deadline. */
  async waitClosed(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.closed, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Resolve `true` if ::1 can be bound here. */
export async function ipv6Available(): Promise<boolean> {
  const socket = createSocket({ type: "udp6", ipv6Only: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "::1", () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    try {
      socket.close();
    } catch {
      // never bound
    }
  }
}
