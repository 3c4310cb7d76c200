/**
 * The media engine as the signalling thread sees it: a pool of media workers (worker threads)
 * driven by request messages with ids and timeouts (STYLE.md, mediasoup: "requests go over a
 * channel with ids and timeouts, and everything pending is rejected when the channel closes").
 * The call engine holds MediaSession handles; no object is shared with a worker.
 */

import { randomUUID, X509Certificate } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { TonePlanName } from "./dsp/tones.js";
import { type EndpointChannel, EndpointHandle, type EndpointRequestBody } from "./endpoint-handle.js";
import type {
  MediaErrorCode,
  MediaEvent,
  MediaPeer,
  MediaReply,
  MediaRequest,
  MediaSide,
  SessionStats,
  WorkerConfig,
} from "./protocol.js";
import { createDtlsCertificate } from "./webrtc/dtls-certificate.js";

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "MediaError";
  }
}

export interface MediaEngineOptions {
  /** Inclusive RTP port range shared out between the workers (--rtp-ports). */
  readonly minPort: number;
  readonly maxPort: number;
  /** Worker threads (--media-workers). */
  readonly workers: number;
  /** Address the relay sockets bind to. */
  readonly bindAddress: string;
  /** How long a request may wait for its reply, ms. */
  readonly requestTimeoutMs?: number;
  /** How often workers push the stats of every session, ms. */
  readonly statsIntervalMs?: number;
  /** A worker failed or exited unexpectedly. */
  readonly onWorkerError?: (error: unknown) => void;
  /** The call progress tones media endpoints play (changeable later with setTonePlan). */
  readonly tonePlan?: TonePlanName;
  /** Silence after which a relay latch may move to a new source, ms (0 = never). */
  readonly relatchAfterMs?: number;
  /** Something about a media endpoint worth a log line (a prompt file missing, say). */
  readonly onEndpointWarning?: (endpoint: string, message: string) => void;
}

/** Where a new media endpoint goes: near another (to bridge them), on a relayed call's side, in a room's worker. */
export interface OpenEndpointOptions {
  readonly near?: EndpointHandle | MediaSession;
  /** Attach to this side of a relayed call (music on hold, park): no port of its own. */
  readonly attach?: { readonly session: MediaSession; readonly side: MediaSide };
  /** The conference room it will join: every participant of a room is on one worker. */
  readonly room?: string;
}

type Distribute<T> = T extends unknown ? Omit<T, "id"> : never;
type RequestBody = Distribute<MediaRequest>;
type Ok = Extract<MediaReply, { ok: true }>;

interface Pending {
  resolve(reply: Ok): void;
  reject(error: MediaError): void;
  timer: NodeJS.Timeout;
}

/** One worker and the requests it has not answered. */
class WorkerChannel implements EndpointChannel {
  readonly pending = new Map<number, Pending>();
  sessions = 0;
  private nextId = 1;
  closed = false;

  constructor(
    readonly worker: Worker,
    private readonly timeoutMs: number,
  ) {}

  request(body: RequestBody): Promise<Ok> {
    if (this.closed) return Promise.reject(new MediaError("closed", "media worker is closed"));
    const id = this.nextId++;
    return new Promise<Ok>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MediaError("timeout", `media worker did not answer ${body.type} in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...body, id });
    });
  }

  reply(reply: MediaReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply);
    else p.reject(new MediaError(reply.code, reply.error));
  }

  /** Rejects everything pending: the channel is gone. */
  close(reason: string): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new MediaError("closed", reason));
    }
    this.pending.clear();
  }
}

/** A handle to one relayed call's media in a worker. close() is idempotent. */
export class MediaSession {
  /** The latest stats the worker pushed (or returned on release). */
  lastStats: SessionStats | undefined;
  private closing: Promise<SessionStats | undefined> | undefined;
  private readonly timeoutListeners: Array<(stats: SessionStats) => void> = [];
  /** RFC 4733 key presses a side sent (in-call feature codes). */
  onDigit: ((side: MediaSide, digit: string) => void) | undefined;

  constructor(
    readonly id: string,
    /** The relay's RTP port facing the caller (side "a") and the callee (side "b"). */
    readonly portA: number,
    readonly portB: number,
    /** @internal the worker it lives on. */
    readonly channel: WorkerChannel,
    private readonly forget: (session: MediaSession) => void,
    /** The session's final figures, once the worker released it (or could not answer). */
    private readonly released: (final: SessionStats | undefined) => void = () => {},
  ) {}

  get closed(): boolean {
    return this.closing !== undefined;
  }

  port(side: MediaSide): number {
    return side === "a" ? this.portA : this.portB;
  }

  /** Aims a side at the address and port of its SDP (latching starts again). */
  async update(side: MediaSide, peer: MediaPeer): Promise<void> {
    if (this.closed) return;
    await this.channel.request({ type: "update", session: this.id, side, peer });
  }

  /** Arms the media timeout (0 disarms): no RTP either way for `ms` fires onTimeout once. */
  async armTimeout(ms: number): Promise<void> {
    if (this.closed) return;
    await this.channel.request({ type: "timeout", session: this.id, ms });
  }

  async stats(): Promise<SessionStats> {
    const reply = await this.channel.request({ type: "stats", session: this.id });
    this.lastStats = reply.stats;
    return reply.stats as SessionStats;
  }

  onTimeout(listener: (stats: SessionStats) => void): void {
    this.timeoutListeners.push(listener);
  }

  /** @internal the worker reported the media timeout. */
  timedOut(stats: SessionStats): void {
    this.lastStats = stats;
    for (const l of this.timeoutListeners) {
      try {
        l(stats);
      } catch {
        // A listener's exception must not corrupt the session (STYLE.md, mediasoup).
      }
    }
  }

  /** Releases the ports; resolves with the final stats. Safe to call any number of times. */
  close(): Promise<SessionStats | undefined> {
    if (this.closing === undefined) {
      this.forget(this);
      this.closing = this.channel.request({ type: "release", session: this.id }).then(
        (reply) => {
          if (reply.stats) this.lastStats = reply.stats;
          this.released(this.lastStats);
          return this.lastStats;
        },
        () => {
          this.released(this.lastStats);
          return this.lastStats;
        },
      );
    }
    return this.closing;
  }
}

/**
 * Starts a media worker. Built, the worker is media-worker.js beside this module. Under tsx
 * (tests) both are .ts, and Node 20 does not apply the parent's --import loader to a worker's
 * entry module: the worker first registers tsx's loader, then imports the .ts entry.
 */
function spawnWorker(config: WorkerConfig): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./media-worker.js", import.meta.url), { workerData: config });
  const entry = new URL("./media-worker.ts", import.meta.url).href;
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: config });
}

/** One media worker's load: what it holds now and how busy its event loop has been. */
export interface WorkerLoad {
  readonly worker: number;
  /** Relay sessions and media endpoints on the worker now. */
  readonly sessions: number;
  /**
   * Milliseconds its event loop spent working since it started (performance.eventLoopUtilization).
   * NOTE: Node counts an idle period still in progress as active, so a reading may be lower than
   * the one before it; the metric built on it never goes down.
   */
  readonly activeMs: number;
}

/** Relayed RTP since start: packets received from and sent to phones, and packets lost (RFC 3550). */
export interface RelayTraffic {
  packetsIn: number;
  packetsOut: number;
  lost: number;
}

function addTraffic(to: RelayTraffic, stats: SessionStats | undefined): void {
  if (stats === undefined) return;
  for (const s of [stats.a, stats.b]) {
    to.packetsIn += s.packetsIn;
    to.packetsOut += s.packetsOut;
    to.lost += Math.max(0, s.lost);
  }
}

export class MediaEngine {
  private readonly channels: WorkerChannel[] = [];
  private readonly sessions = new Map<string, MediaSession>();
  /** The final figures of the relay sessions released so far. */
  private readonly released: RelayTraffic = { packetsIn: 0, packetsOut: 0, lost: 0 };
  private readonly endpoints = new Map<string, EndpointHandle>();
  private closed = false;

  constructor(private readonly o: MediaEngineOptions) {
    const count = Math.max(1, Math.floor(o.workers));
    if (o.minPort < 1 || o.maxPort > 65535 || o.maxPort - o.minPort + 1 < 4 * count)
      throw new MediaError(
        "bad_request",
        `RTP port range ${o.minPort}-${o.maxPort} too small for ${count} worker(s)`,
      );
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Each worker's load (the metrics read it at scrape time). */
  workerLoad(): WorkerLoad[] {
    return this.channels.map((c, worker) => ({
      worker,
      sessions: c.sessions,
      activeMs: c.closed ? 0 : c.worker.performance.eventLoopUtilization().active,
    }));
  }

  /**
   * Relayed RTP since start: the released sessions' final figures plus the live ones' latest
   * (pushed by the workers every second). A session being released counts in neither for a moment.
   */
  relayTraffic(): RelayTraffic {
    const total = { ...this.released };
    for (const s of this.sessions.values()) addTraffic(total, s.lastStats);
    return total;
  }

  /**
   * "sha-256 AB:CD:..." of the workers' DTLS certificate, for the SDP Parley writes to browsers
   * (issue 20); undefined before start() or when no certificate could be made.
   */
  dtlsFingerprint: string | undefined;

  /** Starts the workers, each with its own slice of the port range; resolves when all are ready. */
  async start(): Promise<void> {
    const count = Math.max(1, Math.floor(this.o.workers));
    // One certificate for every worker: any of them may take a browser's side.
    const certificate = await createDtlsCertificate().catch((error: unknown) => {
      this.o.onWorkerError?.(new Error(`no DTLS certificate, WebRTC media is off: ${String(error)}`));
      return undefined;
    });
    const dtls =
      certificate === undefined
        ? undefined
        : {
            certPem: new X509Certificate(certificate.der).toString(),
            keyPem: certificate.key.export({ type: "pkcs8", format: "pem" }).toString(),
            fingerprint: certificate.fingerprint,
          };
    if (dtls !== undefined) this.dtlsFingerprint = `sha-256 ${dtls.fingerprint}`;
    const span = Math.floor((this.o.maxPort - this.o.minPort + 1) / count);
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      const config: WorkerConfig = {
        minPort: this.o.minPort + i * span,
        maxPort: i === count - 1 ? this.o.maxPort : this.o.minPort + (i + 1) * span - 1,
        bindAddress: this.o.bindAddress,
        statsIntervalMs: this.o.statsIntervalMs ?? 1000,
        ...(this.o.relatchAfterMs === undefined ? {} : { relatchAfterMs: this.o.relatchAfterMs }),
        ...(this.o.tonePlan === undefined ? {} : { tonePlan: this.o.tonePlan }),
        ...(dtls === undefined ? {} : { dtls }),
      };
      const worker = spawnWorker(config);
      const channel = new WorkerChannel(worker, this.o.requestTimeoutMs ?? 2000);
      this.channels.push(channel);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once("error", reject);
          worker.on("message", (m: MediaReply | MediaEvent) => {
            if (m.type === "ready") {
              worker.off("error", reject);
              resolve();
            } else this.onMessage(channel, m);
          });
        }),
      );
      worker.on("error", (error) => {
        channel.close(`media worker failed: ${String(error)}`);
        this.o.onWorkerError?.(error);
      });
      worker.on("exit", (code) => {
        channel.close("media worker exited");
        if (!this.closed) this.o.onWorkerError?.(new Error(`media worker exited with code ${code}`));
      });
    }
    await Promise.all(ready);
  }

  private onMessage(channel: WorkerChannel, m: MediaReply | MediaEvent): void {
    if (m.type === "reply") channel.reply(m);
    else if (m.type === "op") {
      const { type: _t, endpoint, op, ...result } = m;
      this.endpoints.get(endpoint)?.opEnded(op, result);
    } else if (m.type === "digit")
      this.endpoints.get(m.endpoint)?.digitArrived({
        digit: m.digit,
        source: m.source,
        durationMs: m.durationMs,
        ...(m.volume === undefined ? {} : { volume: m.volume }),
      });
    else if (m.type === "talking") this.endpoints.get(m.endpoint)?.talkingChanged(m.talking);
    else if (m.type === "endpoint.warning") this.o.onEndpointWarning?.(m.endpoint, m.message);
    else if (m.type === "timeout") this.sessions.get(m.session)?.timedOut(m.stats);
    else if (m.type === "relayDigit") this.sessions.get(m.session)?.onDigit?.(m.side, m.digit);
    else if (m.type === "stats")
      for (const [id, stats] of m.sessions) {
        const s = this.sessions.get(id);
        if (s) s.lastStats = stats;
      }
  }

  /**
   * Allocates a relay session on the least loaded worker. `latchAny` per side: latch onto any
   * source (the side is behind NAT) rather than only its SDP address.
   */
  async allocate(latchAny: { a: boolean; b: boolean }): Promise<MediaSession> {
    if (this.closed || this.channels.length === 0)
      throw new MediaError("closed", "media engine is not running");
    let channel = this.channels[0];
    for (const c of this.channels) if (c.sessions < channel.sessions) channel = c;
    const id = randomUUID();
    channel.sessions++;
    try {
      const reply = await channel.request({ type: "allocate", session: id, latchAny });
      const { portA, portB } = reply.allocation!;
      const session = new MediaSession(
        id,
        portA,
        portB,
        channel,
        (s) => {
          if (this.sessions.delete(s.id)) channel.sessions--;
        },
        (final) => addTraffic(this.released, final),
      );
      this.sessions.set(id, session);
      return session;
    } catch (error) {
      channel.sessions--;
      throw error;
    }
  }

  /** Opens a media endpoint (Parley as a party to a call) on a worker (the least loaded unless told). */
  async openEndpoint(options: OpenEndpointOptions = {}): Promise<EndpointHandle> {
    if (this.closed || this.channels.length === 0)
      throw new MediaError("closed", "media engine is not running");
    const channel = this.channelFor(options);
    const id = randomUUID();
    channel.sessions++;
    const attach =
      options.attach === undefined
        ? undefined
        : { session: options.attach.session.id, side: options.attach.side };
    try {
      const reply = await channel.request({
        type: "endpoint.open",
        endpoint: id,
        ...(attach ? { attach } : {}),
      });
      const handle = new EndpointHandle(
        id,
        reply.endpointPort ?? 0,
        channel,
        (h) => {
          if (this.endpoints.delete(h.id)) channel.sessions--;
        },
        (message) => this.o.onEndpointWarning?.(id, message),
      );
      this.endpoints.set(id, handle);
      return handle;
    } catch (error) {
      channel.sessions--;
      throw error;
    }
  }

  private channelFor(options: OpenEndpointOptions): WorkerChannel {
    const near = options.attach?.session ?? options.near;
    if (near !== undefined) return near.channel as WorkerChannel;
    if (options.room !== undefined) {
      // A room's participants must share a worker: the room's name picks it.
      let hash = 0;
      for (let i = 0; i < options.room.length; i++) hash = (hash * 31 + options.room.charCodeAt(i)) >>> 0;
      return this.channels[hash % this.channels.length];
    }
    let channel = this.channels[0];
    for (const c of this.channels) if (c.sessions < channel.sessions) channel = c;
    return channel;
  }

  /** Tells every worker (a system setting changed, a prompt file was replaced). */
  async broadcast(
    body: Extract<EndpointRequestBody, { type: "media.settings" | "media.forget" }>,
  ): Promise<void> {
    await Promise.all(this.channels.map((c) => c.request(body)));
  }

  /** Stops every worker; pending requests reject with MediaError("closed"). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.channels) c.close("media engine closed");
    await Promise.all(this.channels.map((c) => c.worker.terminate()));
    this.sessions.clear();
    this.endpoints.clear();
  }
}
