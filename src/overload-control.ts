/**
 * Overload control's wiring (composition root, issue 22): the load monitor, with its threshold from
 * `--overload-lag`, logged when Parley goes into and out of overload, and the gate that knows a
 * registered device from the location service.
 */
import { LoadMonitor } from "./core/load-monitor.js";
import { OverloadGate } from "./core/overload-gate.js";
import type { LocationService } from "./registrar/location-service.js";
import type { Logger } from "./util/logger.js";

export function overloadControl(
  thresholdMs: number,
  busyPercent: number,
  backlog: () => { share: number; datagrams: number },
  domainId: number,
  location: () => LocationService,
  logger: Logger,
): { monitor: LoadMonitor; gate: OverloadGate } {
  const monitor = new LoadMonitor({ thresholdMs, busyPercent, backlog }, (overloaded, lagMs, busy) =>
    overloaded
      ? logger.warn(
          { lagMs: Math.round(lagMs), busyPercent: Math.round(busy), thresholdMs },
          "overloaded: new requests get 503 Retry-After",
        )
      : logger.info({ lagMs: Math.round(lagMs), busyPercent: Math.round(busy) }, "overload over"),
  );
  const gate = new OverloadGate({
    overloaded: () => monitor.overloaded,
    knownDevice: (user, sourceAddress) =>
      location()
        .lookup(domainId, user)
        .some((b) => b.sourceAddress === sourceAddress),
  });
  return { monitor, gate };
}
