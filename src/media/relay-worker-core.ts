/**
 * What a media worker does with each request of the control channel (protocol.ts): allocate a
 * session's sockets from its port range, aim sides at their SDP addresses, arm the media timeout,
 * report stats and release. Kept apart from the worker entry so it runs in any thread or process.
 */
import { createSocket, type Socket } from "node:dgram";
import type {
  Allocation,
  MediaEvent,
  MediaReply,
  MediaRequest,
  SessionStats,
  WorkerConfig,
} from "./protocol.js";
import { RelaySession, RelaySide } from "./relay-session.js";

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

export class RelayWorkerCore {
  private readonly sessions = new Map<string, RelaySession>();
  private readonly used = new Set<number>();
  private next: number;
  private readonly timer: NodeJS.Timeout;
  private readonly statsTimer: NodeJS.Timeout | undefined;
  private readonly family: "udp4" | "udp6";
  /** Bound to one address rather than a wildcard (see RelaySide connectOnLatch). */
  private readonly specificAddress: boolean;

  constructor(
    private readonly config: WorkerConfig,
    private readonly emit: (event: MediaEvent) => void,
  ) {
    this.next = config.minPort % 2 === 0 ? config.minPort : config.minPort + 1;
    this.family = config.bindAddress.includes(":") ? "udp6" : "udp4";
    this.specificAddress = config.bindAddress !== "0.0.0.0" && config.bindAddress !== "::";
    this.timer = setInterval(() => this.checkTimeouts(), 250);
    this.timer.unref();
    if (config.statsIntervalMs > 0) {
      this.statsTimer = setInterval(() => this.pushStats(), config.statsIntervalMs);
      this.statsTimer.unref();
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  async handle(request: MediaRequest): Promise<MediaReply> {
    const id = request.id;
    const fail = (code: "no_port" | "no_session" | "exists" | "bad_request", error: string): MediaReply => ({
      type: "reply",
      id,
      ok: false,
      code,
      error,
    });
    if (request.type === "allocate") {
      if (this.sessions.has(request.session)) return fail("exists", `session ${request.session} exists`);
      const allocation = await this.allocate(request.session, request.latchAny);
      if (allocation === undefined)
        return fail("no_port", `no free RTP port pair in ${this.config.minPort}-${this.config.maxPort}`);
      return { type: "reply", id, ok: true, allocation };
    }
    const session = this.sessions.get(request.session);
    if (session === undefined) {
      // Release is idempotent: releasing what is gone succeeds.
      if (request.type === "release") return { type: "reply", id, ok: true };
      return fail("no_session", `no session ${request.session}`);
    }
    switch (request.type) {
      case "update": {
        const { peer } = request;
        if (
          typeof peer?.address !== "string" ||
          !Number.isInteger(peer.port) ||
          peer.port < 0 ||
          peer.port > 65535
        )
          return fail("bad_request", "peer.address and peer.port required");
        session.side(request.side).update(peer);
        return { type: "reply", id, ok: true };
      }
      case "timeout":
        session.arm(request.ms);
        return { type: "reply", id, ok: true };
      case "stats":
        return { type: "reply", id, ok: true, stats: session.stats() };
      case "release": {
        const stats = session.stats();
        this.drop(session);
        return { type: "reply", id, ok: true, stats };
      }
    }
  }

  /** Two free even/odd port pairs, one per side; undefined when the range is exhausted. */
  private async allocate(
    id: string,
    latchAny: { readonly a: boolean; readonly b: boolean },
  ): Promise<Allocation | undefined> {
    const a = await this.pair();
    if (a === undefined) return undefined;
    const b = await this.pair();
    if (b === undefined) {
      this.free(a);
      return undefined;
    }
    const session = new RelaySession(id);
    session.pair(
      new RelaySide(a.rtp, a.rtcp, a.port, latchAny.a, this.specificAddress),
      new RelaySide(b.rtp, b.rtcp, b.port, latchAny.b, this.specificAddress),
    );
    this.sessions.set(id, session);
    return { portA: a.port, portB: b.port };
  }

  private async pair(): Promise<{ rtp: Socket; rtcp: Socket; port: number } | undefined> {
    const { minPort, maxPort, bindAddress } = this.config;
    const slots = Math.floor((maxPort - minPort + 1) / 2);
    for (let tried = 0; tried < slots; tried++) {
      const port = this.next;
      this.next = port + 2 > maxPort - 1 ? (minPort % 2 === 0 ? minPort : minPort + 1) : port + 2;
      if (this.used.has(port)) continue;
      const rtp = createSocket({ type: this.family, reuseAddr: false });
      if (!(await bind(rtp, port, bindAddress))) continue;
      const rtcp = createSocket({ type: this.family, reuseAddr: false });
      if (!(await bind(rtcp, port + 1, bindAddress))) {
        rtp.close();
        continue;
      }
      this.used.add(port);
      return { rtp, rtcp, port };
    }
    return undefined;
  }

  private free(p: { rtp: Socket; rtcp: Socket; port: number }): void {
    p.rtp.close();
    p.rtcp.close();
    this.used.delete(p.port);
  }

  private drop(session: RelaySession): void {
    session.close();
    this.used.delete(session.a.port);
    this.used.delete(session.b.port);
    this.sessions.delete(session.id);
  }

  private checkTimeouts(): void {
    const now = performance.now();
    for (const session of this.sessions.values()) {
      if (session.timedOut(now)) {
        session.timeoutMs = 0; // reported once; the call engine releases the session
        this.emit({ type: "timeout", session: session.id, stats: session.stats() });
      }
    }
  }

  private pushStats(): void {
    if (this.sessions.size === 0) return;
    const sessions: Array<readonly [string, SessionStats]> = [];
    for (const s of this.sessions.values()) sessions.push([s.id, s.stats()]);
    this.emit({ type: "stats", sessions });
  }

  close(): void {
    clearInterval(this.timer);
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const s of [...this.sessions.values()]) this.drop(s);
  }
}
