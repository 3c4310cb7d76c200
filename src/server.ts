/**
 * The composition root: builds every layer from the settings and wires them together, nothing
 * else (ARCHITECTURE.md).
 */
import { mkdirSync } from "node:fs";
import type { Settings } from "./config/settings.js";
import { optionsHandler } from "./core/options-handler.js";
import { SipCore } from "./core/sip-core.js";
import { TransactionLayer } from "./transaction/transaction-layer.js";
import { SipTransportLayer } from "./transport/transport-layer.js";
import type { TransportProtocol } from "./transport/types.js";
import { type Clock, systemClock } from "./util/clock.js";
import type { Logger } from "./util/logger.js";
import { traceSip } from "./util/sip-trace.js";
import { version } from "./version.js";

export interface ParleyServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly listening: ReadonlyArray<{ protocol: TransportProtocol; address: string; port: number }>;
  readonly core: SipCore;
}

export interface ServerDeps {
  logger: Logger;
  clock?: Clock;
}

/** The listeners the settings ask for: UDP and TCP on the SIP ports, TLS on its port, per address. */
export function listenersFor(
  settings: Settings,
): Array<{ protocol: TransportProtocol; address: string; port: number }> {
  const out: Array<{ protocol: TransportProtocol; address: string; port: number }> = [];
  for (const address of settings.bind) {
    out.push({ protocol: "UDP", address, port: settings.sipPort });
    if (settings.sipTcpPort > 0) out.push({ protocol: "TCP", address, port: settings.sipTcpPort });
    if (settings.sipTlsPort > 0) out.push({ protocol: "TLS", address, port: settings.sipTlsPort });
  }
  return out;
}

export function createServer(settings: Settings, deps: ServerDeps): ParleyServer {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  mkdirSync(settings.dataDir, { recursive: true });
  let core: SipCore | undefined;
  const transport = new SipTransportLayer({
    listeners: listenersFor(settings),
    advertisedAddress: settings.advertisedAddress,
    maxMessageSize: settings.maxMessageSize,
    idleTimeoutMs: settings.tcpIdleTimeout,
    dataDir: settings.dataDir,
    tls:
      settings.tlsCert && settings.tlsKey
        ? { certFile: settings.tlsCert, keyFile: settings.tlsKey }
        : undefined,
    clock,
    onTrace: settings.sipTrace ? (event) => traceSip(logger, event) : undefined,
    onBadMessage: (ctx) => core?.onBadMessage(ctx),
    onEvent: (event) => logger.debug(event, "transport"),
  });
  core = new SipCore({ transport, logger, serverName: `Parley/${version}` });
  core.handle("OPTIONS", optionsHandler(core));
  new TransactionLayer({
    transport,
    clock,
    timers: { t1: settings.timerT1, t2: settings.timerT2, t4: settings.timerT4 },
    user: core,
    onError: (err) => logger.error({ err }, "transaction layer error"),
  });
  return {
    core,
    get listening() {
      return transport.listening;
    },
    start: () => transport.start(),
    stop: () => transport.stop(),
  };
}
