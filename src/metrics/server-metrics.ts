/**
 * The metrics' sources as the composition root has them: reads of the layers' own counters and
 * views, no per-message work added (parley-metrics.ts). Kept beside server.ts's wiring so that
 * server.ts only hands over its parts.
 */
import type { BanList } from "../auth/ban-list.js";
import type { CallEngine } from "../call/call-engine.js";
import type { MediaEngine } from "../media/media-engine.js";
import type { CdrRecorder } from "../store/cdr-recorder.js";
import type { TransactionLayer } from "../transaction/transaction-layer.js";
import type { SipTransportLayer } from "../transport/transport-layer.js";
import { createParleyMetrics, type MetricsExposition } from "./parley-metrics.js";

export interface ServerMetricsParts {
  readonly transport: SipTransportLayer;
  readonly transactions: TransactionLayer;
  /** The location service: its live bindings. */
  readonly location: { all(): readonly unknown[] };
  readonly bans: BanList;
  readonly calls: CallEngine;
  readonly media: { readonly engine: MediaEngine };
  readonly cdrs: CdrRecorder;
  /** Issue 21: every tenant's PBX (the default one included), for the per-tenant series. */
  readonly tenants?: () => ReadonlyArray<TenantMetricsPart>;
}

export interface TenantMetricsPart {
  readonly domain: { readonly name: string; readonly state: string };
  readonly location: { readonly size: number };
  readonly originator: { list(): readonly unknown[] };
}

export function serverMetrics(parts: ServerMetricsParts): MetricsExposition {
  const { transport, transactions, location, bans, calls, media, cdrs } = parts;
  let created = 0;
  calls.on("created", () => {
    created++;
  });
  return createParleyMetrics({
    registrations: () => location.all().length,
    callStates: () => calls.list().map((c) => c.state),
    callsCreated: () => created,
    messages: transport.messages,
    transactions: () => ({ client: transactions.clientCount, server: transactions.serverCount }),
    retransmissions: () => transactions.counters.retransmissions,
    authFailures: () => bans.counters.failures,
    bans: () => ({ active: bans.list().length, total: bans.counters.bans }),
    relay: () => ({ sessions: media.engine.size, ...media.engine.relayTraffic() }),
    workers: () => media.engine.workerLoad(),
    onCdrWrite: (listener) => cdrs.onWrite(listener),
    ...(parts.tenants === undefined
      ? {}
      : {
          tenants: () =>
            parts.tenants!().map((t) => ({
              tenant: t.domain.name,
              registrations: t.location.size,
              calls: t.originator.list().length,
              suspended: t.domain.state !== "active",
            })),
        }),
  });
}
