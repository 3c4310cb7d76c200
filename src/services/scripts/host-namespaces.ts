/**
 * The namespaces a service script sees beside `call` (issue 18): the host libraries of
 * src/services/scripts/host (log, kv, http, time, user, card, calls), each bound to the run's script,
 * domain and call.
 */
import type { HostApi } from "../../scripting/index.js";
import type { CallingCardRepository, ScriptKvRepository, UserRepository } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import { cardApi } from "./host/card-api.js";
import { httpApi } from "./host/http-api.js";
import { kvApi } from "./host/kv-api.js";
import { logApi } from "./host/log-api.js";
import { type OriginateApiOptions, originateApi } from "./host/originate-api.js";
import { timeApi } from "./host/time-api.js";
import { userApi } from "./host/user-api.js";
import type { ScriptRun } from "./script-service.js";

export interface HostNamespaceDeps {
  readonly logger: Logger;
  readonly store: {
    readonly callingCards: CallingCardRepository;
    readonly scriptKv: ScriptKvRepository;
    readonly users: Pick<UserRepository, "get">;
  };
  /** The script-http-allow setting now ("" = scripts make no HTTP requests). */
  readonly httpAllow: () => string;
  /** Click-to-call (src/call/originate.ts): `calls.originate{...}`; absent, scripts cannot. */
  readonly originate?: OriginateApiOptions["originate"];
}

export function hostNamespaces(deps: HostNamespaceDeps, run: ScriptRun): HostApi {
  const { domainId, script } = run;
  const { store } = deps;
  // The call's id is known once the script answered: each line reads it then.
  const logger = {
    info: (o: object, line: string) => deps.logger.info({ ...o, call: run.call.id }, line),
    warn: (o: object, line: string) => deps.logger.warn({ ...o, call: run.call.id }, line),
    error: (o: object, line: string) => deps.logger.error({ ...o, call: run.call.id }, line),
  };
  return {
    log: logApi(logger as Pick<Logger, "info" | "warn" | "error">, script),
    kv: kvApi({ repo: store.scriptKv, domainId, script }),
    http: httpApi({ allow: deps.httpAllow }),
    time: timeApi(),
    user: userApi({ lookup: (name) => store.users.get(domainId, name) }),
    ...(deps.originate === undefined ? {} : { calls: originateApi({ originate: deps.originate }) }),
    card: cardApi({
      cards: store.callingCards,
      domainId,
      // The CDR of the call shows the card and what this run charged (script-call.ts annotations).
      annotate: (fields) => Object.assign(run.call.annotations, fields),
    }),
  };
}
