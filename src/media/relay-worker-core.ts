/**
 * What a media worker does with each request of the control channel (protocol.ts): allocate a
 * session's sockets from its port range, aim sides at their SDP addresses, arm the media timeout,
 * report stats and release. Kept apart from the worker entry so it runs in any thread or process.
 */

import { type PortPair, PortPool } from "./port-pool.js";
import type {
  Allocation,
  MediaEvent,
  MediaReply,
  MediaSide,
  RelayRequest,
  SessionStats,
  WorkerConfig,
} from "./protocol.js";
import { RelaySession, RelaySide } from "./relay-session.js";
import { workerCertificate } from "./secure-link.js";
import type { DtlsCertificate } from "./webrtc/webrtc-transport.js";

export class RelayWorkerCore {
  private readonly sessions = new Map<string, RelaySession>();
  private readonly timer: NodeJS.Timeout;
  private readonly statsTimer: NodeJS.Timeout | undefined;
  /** The worker's DTLS certificate for browsers' sides (and its endpoints'). */
  readonly certificate: DtlsCertificate | undefined;
  constructor(
    private readonly config: WorkerConfig,
    private readonly emit: (event: MediaEvent) => void,
    /** The worker's ports, shared with its media endpoints. */
    readonly ports: PortPool = new PortPool(config.minPort, config.maxPort, config.bindAddress),
  ) {
    this.certificate = workerCertificate(config.dtls);
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

  /** A relayed call's side, for a media endpoint to attach to (music on hold, park). */
  relaySide(session: string, side: MediaSide): RelaySide | undefined {
    return this.sessions.get(session)?.side(side);
  }

  async handle(request: RelayRequest): Promise<MediaReply> {
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
    session.pair(this.side(a, latchAny.a), this.side(b, latchAny.b));
    for (const side of ["a", "b"] as const)
      session.side(side).onDigit = (digit) => this.emit({ type: "relayDigit", session: id, side, digit });
    this.sessions.set(id, session);
    return { portA: a.port, portB: b.port };
  }

  private side(p: PortPair, latchAny: boolean): RelaySide {
    const { specificAddress, dualStack } = this.ports;
    return new RelaySide(
      p.rtp,
      p.rtcp,
      p.port,
      latchAny,
      specificAddress,
      dualStack,
      this.config.relatchAfterMs,
      this.certificate,
    );
  }

  private pair(): Promise<PortPair | undefined> {
    return this.ports.take();
  }

  private free(p: PortPair): void {
    this.ports.give(p);
  }

  private drop(session: RelaySession): void {
    session.close();
    this.ports.release(session.a.port);
    this.ports.release(session.b.port);
    this.sessions.delete(session.id);
  }

  private checkTimeouts(): void {
    const now = performance.now();
    for (const session of this.sessions.values()) {
      session.checkSilence(now);
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
