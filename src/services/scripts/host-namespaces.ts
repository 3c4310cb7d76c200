/**
 * The namespaces a service script sees beside `call` (issue 18): log, and the host libraries of
 * src/services/scripts/host (kv, http, time, user, card), each bound to the run's script and domain.
 */
import type { HostApi } from "../../scripting/index.js";
import type { Logger } from "../../util/logger.js";
import type { ScriptRun } from "./script-service.js";

export interface HostNamespaceDeps {
  readonly logger: Logger;
}

export function hostNamespaces(deps: HostNamespaceDeps, run: ScriptRun): HostApi {
  const log = deps.logger.child({ script: run.script, call: run.call.id });
  const line = (parts: unknown[]) =>
    parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" ");
  return {
    log: {
      info: (...parts: unknown[]) => log.info(line(parts)),
      warn: (...parts: unknown[]) => log.warn(line(parts)),
      error: (...parts: unknown[]) => log.error(line(parts)),
    },
  };
}
