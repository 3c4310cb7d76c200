/**
 * The namespaces a service script sees beside `call` (issue 18): log, and the host libraries of
 * src/services/scripts/host (kv, card, ...), each bound to the run's script, domain and call.
 */
import type { HostApi } from "../../scripting/index.js";
import type { CallingCardRepository, ScriptKvRepository } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import { cardApi } from "./host/card-api.js";
import { kvApi } from "./host/kv-api.js";
import type { ScriptRun } from "./script-service.js";

export interface HostNamespaceDeps {
  readonly logger: Logger;
  readonly store: { readonly callingCards: CallingCardRepository; readonly scriptKv: ScriptKvRepository };
}

export function hostNamespaces(deps: HostNamespaceDeps, run: ScriptRun): HostApi {
  const log = deps.logger.child({ script: run.script });
  const line = (parts: unknown[]) =>
    parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" ");
  const { domainId, script } = run;
  return {
    log: {
      info: (...parts: unknown[]) => log.info({ call: run.call.id }, line(parts)),
      warn: (...parts: unknown[]) => log.warn({ call: run.call.id }, line(parts)),
      error: (...parts: unknown[]) => log.error({ call: run.call.id }, line(parts)),
    },
    kv: kvApi({ repo: deps.store.scriptKv, domainId, script }),
    card: cardApi({
      cards: deps.store.callingCards,
      domainId,
      // The CDR of the call shows the card and what this run charged (script-call.ts annotations).
      annotate: (fields) => Object.assign(run.call.annotations, fields),
    }),
  };
}
