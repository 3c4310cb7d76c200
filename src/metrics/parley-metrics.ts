/**
 * Parley's Prometheus metrics (issue 23): a registry of our own (never prom-client's global one),
 * every series prefixed `parley_`. Nothing here runs per SIP message: the layers keep plain
 * counters (transport message counts, transaction retransmissions, ban list totals, media
 * traffic) and each metric's collect() copies them at scrape time. Only the CDR write latency is
 * observed as it happens, once per call.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { WorkerLoad } from "../media/media-engine.js";
import type { DirectionCounts } from "../transport/message-counts.js";

/** What the metrics read; each function is called at scrape time only. */
export interface TenantFigures {
  readonly tenant: string;
  readonly registrations: number;
  readonly calls: number;
  readonly users?: number;
  readonly suspended: boolean;
}

export interface MetricsSources {
  /** Registration bindings (contacts) live now. */
  registrations(): number;
  /** The state of each call in progress. */
  callStates(): Iterable<string>;
  /** Calls created (past routing, ringing their targets) since start. */
  callsCreated(): number;
  /** SIP messages received and sent, by method and status. */
  readonly messages: { readonly in: DirectionCounts; readonly out: DirectionCounts };
  transactions(): { client: number; server: number };
  retransmissions(): number;
  authFailures(): number;
  bans(): { active: number; total: number };
  /** Relay sessions now, and relayed RTP since start; undefined with no media engine. */
  relay(): { sessions: number; packetsIn: number; packetsOut: number; lost: number } | undefined;
  /** One entry per media worker. */
  workers(): readonly WorkerLoad[];
  /** Subscribes to each CDR store write's duration (seconds). */
  onCdrWrite(listener: (seconds: number) => void): void;
  /** Issue 21: each tenant's live figures (the default tenant included), labelled by its name. */
  tenants?(): ReadonlyArray<TenantFigures>;
}

/** The exposition as GET /metrics serves it. */
export interface MetricsExposition {
  readonly contentType: string;
  text(): Promise<string>;
}

const CALL_STATES = ["ringing", "answered", "ending"] as const;
/** Seconds: a local SQLite commit takes about a millisecond, a remote database tens. */
const CDR_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * A counter series fed from a running total: never lower than its last value (a source that
 * dips, a session being released or an RFC 3550 loss count going down on duplicates, must not
 * read as a counter reset).
 */
class Monotonic {
  private readonly last = new Map<string, number>();

  value(key: string, current: number): number {
    const v = Math.max(this.last.get(key) ?? 0, current);
    this.last.set(key, v);
    return v;
  }
}

type LabelNames = readonly string[];

/** A counter whose collect() sets every series from `read` (label values, total). */
function copiedCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: LabelNames,
  read: () => Iterable<[Record<string, string | number>, number]>,
): void {
  const monotonic = new Monotonic();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, total] of read()) {
        const value = monotonic.value(JSON.stringify(labels), total);
        if (labelNames.length === 0) this.inc(value);
        else this.inc(labels, value);
      }
    },
  });
}

/** A gauge whose collect() sets every series from `read`. */
function copiedGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: LabelNames,
  read: () => Iterable<[Record<string, string | number>, number]>,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) {
        if (labelNames.length === 0) this.set(value);
        else this.set(labels, value);
      }
    },
  });
}

function* messageSeries(
  sources: MetricsSources,
  kind: "request" | "response",
): Generator<[Record<string, string | number>, number]> {
  for (const direction of ["in", "out"] as const) {
    for (const e of sources.messages[direction].entries()) {
      if (kind === "request" && e.status === undefined) yield [{ direction, method: e.method }, e.count];
      if (kind === "response" && e.status !== undefined)
        yield [{ direction, method: e.method, status: e.status }, e.count];
    }
  }
}

/** Builds the registry over `sources`; `defaults` adds prom-client's process and Node.js metrics. */
export function createParleyMetrics(sources: MetricsSources, defaults = true): MetricsExposition {
  const registry = new Registry();
  if (defaults) {
    collectDefaultMetrics({ register: registry, prefix: "parley_" });
    // Gauges named like counters, which `promtool check metrics` reports; each is the sum over
    // the `type` label of its namesake without `_total`, which stays.
    for (const name of ["active_handles_total", "active_requests_total", "active_resources_total"])
      registry.removeSingleMetric(`parley_nodejs_${name}`);
  }
  copiedGauge(
    registry,
    "parley_registrations",
    "Registration bindings (contacts) in the location service now",
    [],
    () => [[{}, sources.registrations()]],
  );
  copiedGauge(registry, "parley_calls", "Calls in progress, by state", ["state"], () => {
    const counts = new Map<string, number>(CALL_STATES.map((s) => [s, 0]));
    for (const state of sources.callStates()) counts.set(state, (counts.get(state) ?? 0) + 1);
    return [...counts].map(([state, n]): [Record<string, string>, number] => [{ state }, n]);
  });
  copiedCounter(
    registry,
    "parley_calls_total",
    "Calls created (past authentication and routing, ringing their targets) since start; calls per second is rate(parley_calls_total[1m])",
    [],
    () => [[{}, sources.callsCreated()]],
  );
  copiedCounter(
    registry,
    "parley_sip_requests_total",
    "SIP requests received (in) and sent (out), by method, retransmissions included",
    ["direction", "method"],
    () => messageSeries(sources, "request"),
  );
  copiedCounter(
    registry,
    "parley_sip_responses_total",
    "SIP responses received (in) and sent (out), by the method of their CSeq and status, retransmissions included",
    ["direction", "method", "status"],
    () => messageSeries(sources, "response"),
  );
  copiedGauge(
    registry,
    "parley_sip_transactions",
    "SIP transactions alive now, by kind (client, server)",
    ["kind"],
    () => {
      const t = sources.transactions();
      return [
        [{ kind: "client" }, t.client],
        [{ kind: "server" }, t.server],
      ];
    },
  );
  copiedCounter(
    registry,
    "parley_sip_retransmissions_total",
    "SIP requests and responses Parley sent again (RFC 3261 Timers A, E, G, answers to retransmitted requests, 2xx until ACK)",
    [],
    () => [[{}, sources.retransmissions()]],
  );
  copiedCounter(
    registry,
    "parley_auth_failures_total",
    "Failed digest authentications since start",
    [],
    () => [[{}, sources.authFailures()]],
  );
  copiedGauge(registry, "parley_bans", "Source addresses banned now", [], () => [
    [{}, sources.bans().active],
  ]);
  copiedCounter(
    registry,
    "parley_bans_total",
    "Bans imposed after failed authentications since start",
    [],
    () => [[{}, sources.bans().total]],
  );
  copiedGauge(registry, "parley_relay_sessions", "Calls whose media Parley relays now", [], () => [
    [{}, sources.relay()?.sessions ?? 0],
  ]);
  copiedCounter(
    registry,
    "parley_relay_packets_total",
    "RTP packets relayed: received from phones (in) and sent to phones (out)",
    ["direction"],
    () => {
      const r = sources.relay();
      return [
        [{ direction: "in" }, r?.packetsIn ?? 0],
        [{ direction: "out" }, r?.packetsOut ?? 0],
      ];
    },
  );
  copiedCounter(
    registry,
    "parley_relay_packets_lost_total",
    "RTP packets lost on their way from phones to the relay (RFC 3550 cumulative loss)",
    [],
    () => [[{}, sources.relay()?.lost ?? 0]],
  );
  copiedGauge(
    registry,
    "parley_media_worker_sessions",
    "Relay sessions and media endpoints on each media worker thread now",
    ["worker"],
    () =>
      sources
        .workers()
        .map((w): [Record<string, string>, number] => [{ worker: String(w.worker) }, w.sessions]),
  );
  copiedCounter(
    registry,
    "parley_media_worker_busy_seconds_total",
    "Seconds each media worker's event loop was busy; rate() of it is the worker's load (0 to 1)",
    ["worker"],
    () =>
      sources
        .workers()
        .map((w): [Record<string, string>, number] => [{ worker: String(w.worker) }, w.activeMs / 1000]),
  );
  const cdrWrites = new Histogram({
    name: "parley_cdr_write_duration_seconds",
    help: "Time to store one call detail record",
    buckets: CDR_BUCKETS,
    registers: [registry],
  });
  sources.onCdrWrite((seconds) => cdrWrites.observe(seconds));
  const tenants = sources.tenants;
  if (tenants !== undefined) {
    const series = (pick: (t: TenantFigures) => number) => () =>
      tenants().map((t): [Record<string, string>, number] => [{ tenant: t.tenant }, pick(t)]);
    copiedGauge(
      registry,
      "parley_tenant_registrations",
      "Registration bindings now, by tenant",
      ["tenant"],
      series((t) => t.registrations),
    );
    copiedGauge(
      registry,
      "parley_tenant_calls",
      "Calls in progress, by tenant",
      ["tenant"],
      series((t) => t.calls),
    );
    copiedGauge(
      registry,
      "parley_tenant_suspended",
      "1 while a tenant is suspended",
      ["tenant"],
      series((t) => (t.suspended ? 1 : 0)),
    );
  }
  return { contentType: registry.contentType, text: () => registry.metrics() };
}
