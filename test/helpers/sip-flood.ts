/**
 * A SIP flooder for the overload tests and `npm run bench` (issue 22, hole 4): it sends new
 * INVITEs or REGISTERs without credentials at a fixed rate from many source sockets, as an
 * attacker or a storm of rebooting phones would, and counts what comes back. It never
 * retransmits, never ACKs and answers nothing, so every datagram it receives is Parley's own
 * choice (a retransmitted 407 included: RFC 3261 17.2.1 Timer G, which an unACKed final response
 * keeps running).
 *
 * Per request, by Call-ID: answered (a final response, >= 200, arrived), only provisional, or
 * silent (nothing by the end of the grace time). Also the histogram of first final statuses and
 * of every response datagram, how many 503s carried Retry-After (RFC 3261 21.5.4), datagrams
 * and bytes each way: `bytesReceived / bytesSent` is Parley's amplification ratio.
 *
 * Per-request state is two typed arrays indexed by request number (a byte and a float each), so
 * 10,000/s for 30 s holds ~1.5 MB; the Call-ID carries the number back.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { buildRequest, type FloodKind, seqOfCallId } from "./sip-flood-requests.js";
import { udpSocketDrops } from "./udp-drops.js";

export type { FloodKind } from "./sip-flood-requests.js";

export interface FloodOptions {
  readonly host: string;
  readonly port: number;
  readonly kind: FloodKind;
  /** Requests per second, all sockets together. */
  readonly rate: number;
  /** rate x duration requests are sent; a flooder too slow for the rate stops at 1.5 x this. */
  readonly durationMs: number;
  /** Local addresses to bind (default ["127.0.0.1"]); each gets `socketsPerSource` sockets. */
  readonly sources?: readonly string[];
  readonly socketsPerSource?: number;
  /** Request-URI user of an INVITE, address-of-record user of a REGISTER (default "100"). */
  readonly user?: string;
  /** An INVITE's caller (default "101"). */
  readonly fromUser?: string;
  /** Domain of the URIs (default: `host`). */
  readonly domain?: string;
  /** How long to wait for late answers after the last request (default 3000 ms). */
  readonly graceMs?: number;
  /** The pacing timer's period (default 5 ms). */
  readonly tickMs?: number;
}

export interface FloodReport {
  readonly kind: FloodKind;
  readonly target: string;
  readonly rateTarget: number;
  /** Requests sent per second over the sending phase. */
  readonly rateAchieved: number;
  /** How long sending took. */
  readonly durationMs: number;
  readonly graceMs: number;
  readonly sources: readonly string[];
  readonly sockets: number;
  /** Requests sent (each counted once; a failed send is counted in `sendErrors` and is silent). */
  readonly requests: number;
  readonly sendErrors: number;
  /** Errors the sockets reported outside a send (e.g. ICMP port unreachable on a connected socket). */
  readonly socketErrors: number;
  readonly answered: number;
  readonly provisionalOnly: number;
  readonly silent: number;
  readonly answeredPct: number;
  readonly silentPct: number;
  /** First final status of each answered request. */
  readonly statuses: Record<string, number>;
  /** Every response datagram received, by status (retransmissions and 1xx included). */
  readonly responses: Record<string, number>;
  readonly responses503: number;
  readonly responses503WithRetryAfter: number;
  readonly datagramsSent: number;
  readonly bytesSent: number;
  readonly datagramsReceived: number;
  readonly bytesReceived: number;
  /** Datagrams that were no response to one of this run's requests. */
  readonly unmatched: number;
  /** bytesReceived / bytesSent: what Parley sends back per byte it is sent. */
  readonly bytesOutOverIn: number;
  readonly requestBytes: { readonly min: number; readonly max: number };
  /** Delay from a request to its first final response, over answered requests. */
  readonly finalLatencyMs: {
    readonly min: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Datagrams the kernel dropped at the flooder's own sockets (a full receive buffer), if known. */
  readonly localDrops: number | null;
  /** CPU time the flooder's process used meanwhile (user + system): what it took from the machine. */
  readonly cpuMs: number;
}

const NONE = 0;
const PROVISIONAL = 1;
const FINAL = 2;
/** Receive buffers big enough that the flooder itself drops no answer (capped by rmem_max). */
const SOCKET_BUFFER = 4 * 1024 * 1024;

interface FloodSocket {
  readonly sock: Socket;
  readonly address: string;
  readonly port: number;
}

async function openSocket(address: string, host: string, port: number): Promise<FloodSocket> {
  const sock = createSocket({
    type: address.includes(":") ? "udp6" : "udp4",
    recvBufferSize: SOCKET_BUFFER,
    sendBufferSize: SOCKET_BUFFER,
  });
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(0, address, () => {
      sock.off("error", reject);
      resolve();
    });
  });
  // Connected: the kernel filters answers to Parley's address and send() needs no lookup.
  await new Promise<void>((resolve) => sock.connect(port, host, resolve));
  return { sock, address, port: sock.address().port };
}

function percentile(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
}

const CALL_ID = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)/i;
const RETRY_AFTER = /\r\nretry-after[ \t]*:/i;

/** Floods `o.host:o.port` and resolves with the counts once the grace time is over. */
export async function flood(o: FloodOptions): Promise<FloodReport> {
  const sources = o.sources ?? ["127.0.0.1"];
  const perSource = o.socketsPerSource ?? 1;
  const graceMs = o.graceMs ?? 3000;
  const tickMs = o.tickMs ?? 5;
  const tag = randomBytes(4).toString("hex");
  const cpuStart = process.cpuUsage();
  const total = Math.max(0, Math.round((o.rate * o.durationMs) / 1000));
  const state = new Uint8Array(total);
  const sentAt = new Float64Array(total);
  const latencies = new Float32Array(total);
  let answeredCount = 0;
  const statuses: Record<string, number> = {};
  const responses: Record<string, number> = {};
  let responses503 = 0;
  let responses503WithRetryAfter = 0;
  let datagramsReceived = 0;
  let bytesReceived = 0;
  let unmatched = 0;
  let datagramsSent = 0;
  let bytesSent = 0;
  let sendErrors = 0;
  let socketErrors = 0;
  let minBytes = Number.POSITIVE_INFINITY;
  let maxBytes = 0;

  const onMessage = (data: Buffer) => {
    const now = performance.now();
    datagramsReceived++;
    bytesReceived += data.length;
    const text = data.toString("latin1", 0, Math.min(data.length, 2048));
    const status = text.startsWith("SIP/2.0 ") ? Number(text.slice(8, 11)) : Number.NaN;
    const callId = CALL_ID.exec(text)?.[1].trim();
    const seq = callId === undefined ? -1 : seqOfCallId(callId, tag);
    if (!(status >= 100 && status < 700) || seq < 0 || seq >= total) {
      unmatched++;
      return;
    }
    responses[status] = (responses[status] ?? 0) + 1;
    if (status === 503) {
      responses503++;
      if (RETRY_AFTER.test(text)) responses503WithRetryAfter++;
    }
    if (status < 200) {
      if (state[seq] === NONE) state[seq] = PROVISIONAL;
      return;
    }
    if (state[seq] === FINAL) return;
    state[seq] = FINAL;
    statuses[status] = (statuses[status] ?? 0) + 1;
    latencies[answeredCount++] = now - sentAt[seq];
  };
  const onSent = (err: Error | null, bytes?: number) => {
    if (err) sendErrors++;
    else {
      datagramsSent++;
      bytesSent += bytes ?? 0;
    }
  };

  const sockets: FloodSocket[] = [];
  for (const address of sources)
    for (let i = 0; i < perSource; i++) sockets.push(await openSocket(address, o.host, o.port));
  for (const s of sockets) {
    s.sock.on("message", onMessage);
    // ICMP port unreachable and the like surface here on a connected socket: counted, not fatal.
    s.sock.on("error", () => socketErrors++);
  }

  const domain = o.domain ?? (o.host.includes(":") ? `[${o.host}]` : o.host);
  let next = 0;
  const start = performance.now();
  let sendEnd = start;
  await new Promise<void>((resolve) => {
    // Never more than 50 ms worth in one batch, so answers are read between batches.
    const batchCap = Math.max(1, Math.ceil(o.rate / 20));
    const tick = () => {
      const now = performance.now();
      const elapsed = now - start;
      const due = Math.min(total, Math.floor((o.rate * elapsed) / 1000));
      // A flooder slower than the rate sends the same requests over a longer time (its achieved
      // rate says so), up to half the duration more.
      const stop = elapsed >= 1.5 * o.durationMs || next >= total;
      for (let n = 0; !stop && next < due && n < batchCap; n++, next++) {
        const s = sockets[next % sockets.length];
        const request = buildRequest({
          kind: o.kind,
          user: o.user ?? "100",
          fromUser: o.fromUser ?? "101",
          domain,
          localAddress: s.address,
          localPort: s.port,
          tag,
          seq: next,
        });
        if (request.length < minBytes) minBytes = request.length;
        if (request.length > maxBytes) maxBytes = request.length;
        sentAt[next] = performance.now();
        s.sock.send(request, onSent);
      }
      if (stop || next >= total) {
        clearInterval(timer);
        sendEnd = performance.now();
        resolve();
      }
    };
    const timer = setInterval(tick, tickMs);
  });
  await new Promise((resolve) => setTimeout(resolve, graceMs));

  const localDrops = udpSocketDrops(sockets.map((s) => ({ address: s.address, port: s.port })));
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.sock.close(() => resolve()))));

  let provisionalOnly = 0;
  let silent = 0;
  for (let i = 0; i < next; i++) {
    if (state[i] === PROVISIONAL) provisionalOnly++;
    else if (state[i] === NONE) silent++;
  }
  const sorted = latencies.subarray(0, answeredCount).sort();
  const sendMs = Math.max(1, sendEnd - start);
  const requests = next;
  const pct = (n: number) => (requests === 0 ? 0 : Math.round((n / requests) * 10000) / 100);
  return {
    kind: o.kind,
    target: `${o.host}:${o.port}`,
    rateTarget: o.rate,
    rateAchieved: Math.round((requests * 1000) / sendMs),
    durationMs: Math.round(sendMs),
    graceMs,
    sources,
    sockets: sockets.length,
    requests,
    sendErrors,
    socketErrors,
    answered: answeredCount,
    provisionalOnly,
    silent,
    answeredPct: pct(answeredCount),
    silentPct: pct(silent),
    statuses,
    responses,
    responses503,
    responses503WithRetryAfter,
    datagramsSent,
    bytesSent,
    datagramsReceived,
    bytesReceived,
    unmatched,
    bytesOutOverIn: bytesSent === 0 ? 0 : Math.round((bytesReceived / bytesSent) * 1000) / 1000,
    requestBytes: { min: requests === 0 ? 0 : minBytes, max: maxBytes },
    finalLatencyMs: {
      min: percentile(sorted, 0),
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: percentile(sorted, 1),
    },
    localDrops,
    cpuMs: Math.round(((cpu) => (cpu.user + cpu.system) / 1000)(process.cpuUsage(cpuStart))),
  };
}
