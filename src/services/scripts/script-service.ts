/**
 * Service scripts on calls (issue 18, FEATURES.md section 6 "Service scripts", after
 * miniSIPServer's Lua services): a script runs, in a fresh sandboxed VM of its own, where the
 * administrator put it:
 * - a trigger record: detection point, dial plan, called-number prefix, script, order. At a
 *   decision point the matching triggers' scripts run in order until one decides; at "answered"
 *   and "ended" they run beside the call, to look (log, a CRM's HTTP request), not to steer it;
 * - a dial plan route of type "script" (the service SCRIPT_ROUTE_SERVICE, the script named by the
 *   route), and the calling card's feature code (*300*, the script "card").
 * A script that fails (a syntax error, a Lua error, its CPU budget or memory cap spent, no
 * decision in time) is stopped and logged with its line; its call gets a clean failure (500
 * before an answer, "the call cannot be completed" after it), and nothing else notices.
 */
import type {
  DetectionPointTable,
  NotificationPayloads,
  PointContext,
  Verdict,
} from "../../call/detection-points.js";
import { SCRIPT_SERVICE } from "../../routing/types.js";
import type { HostApi, RunOptions, ScriptFiles, ScriptResult, ScriptSource } from "../../scripting/index.js";
import type { NewCallRecord } from "../../store/cdr-model.js";
import type { Logger } from "../../util/logger.js";
import { callApi } from "./call-api.js";
import { CALLING_CARD_FEATURE } from "./calling-card-code.js";
import { ScriptCall, type ScriptCallDeps, type ScriptPlace } from "./script-call.js";
import { type TriggerSource, TriggerTable } from "./trigger-table.js";

/** The service a dial plan route of type "script" names (src/routing); its argument is the script. */
export const SCRIPT_ROUTE_SERVICE = SCRIPT_SERVICE;
/** The script the calling card's feature code (calling-card-code.ts) runs. */
export const CALLING_CARD_SCRIPT = "card";
/** Before the built-in services at every point: the administrator asked for the script there. */
export const SCRIPT_ORDER = 4;
/** A script that has not decided where its unanswered call goes by then is stopped (Timer C is 3 min). */
export const DECISION_DEADLINE_MS = 30_000;

export interface ScriptServiceDeps extends Omit<ScriptCallDeps, "watchEnd" | "verdictFor"> {
  readonly files: Pick<ScriptFiles, "read">;
  /**
   * Where the VMs run: a ScriptPool (worker threads, so a script's VM work never holds up the
   * signalling thread; its host functions still run here), or in-thread runScript for tests.
   */
  readonly runner: { run(script: ScriptSource, options: RunOptions): Promise<ScriptResult> };
  readonly triggers?: TriggerSource;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly now?: () => number;
  /** The other namespaces a script sees (kv, http, time, user, card, log), per run. */
  readonly namespaces?: (run: ScriptRun) => HostApi;
}

/** What the host namespaces of one run know. */
export interface ScriptRun {
  readonly script: string;
  readonly domainId: number;
  readonly call: ScriptCall;
}

export class ScriptService {
  private readonly watchers = new Map<string, Set<(record: NewCallRecord) => void>>();
  private readonly triggers: TriggerTable | undefined;
  /** Contexts a script asks "attempted" with (a number it connects to): not run again. */
  private readonly asking = new WeakSet<PointContext>();
  private points: DetectionPointTable | undefined;

  constructor(private readonly deps: ScriptServiceDeps) {
    this.triggers = deps.triggers === undefined ? undefined : new TriggerTable(deps.triggers);
  }

  register(points: DetectionPointTable): () => void {
    this.points = points;
    const removals = [
      points.service(SCRIPT_ROUTE_SERVICE, (c) =>
        this.decisive({ script: c.argument, point: "route", argument: c.number, steers: true }, c),
      ),
      points.service(CALLING_CARD_FEATURE, (c) =>
        this.decisive(
          { script: CALLING_CARD_SCRIPT, point: "feature", argument: c.argument, steers: true },
          c,
        ),
      ),
      points.notify("ended", "scripts.watch", (p) => this.ended(p), 0),
    ];
    if (this.triggers !== undefined) {
      for (const point of ["attempted", "reachesCallee", "busy", "noAnswer", "unreachable"] as const)
        removals.push(
          points.decide(point, `scripts.${point}`, (c) => this.triggered(point, c), SCRIPT_ORDER),
        );
      removals.push(points.notify("answered", "scripts.answered", (p) => this.watching("answered", p)));
      removals.push(points.notify("ended", "scripts.ended", (p) => this.watching("ended", p)));
    }
    return () => {
      for (const remove of removals) remove();
    };
  }

  /** The matching triggers' scripts, in order, until one decides. */
  private async triggered(point: string, context: PointContext): Promise<Verdict | undefined> {
    if (this.asking.has(context) || this.triggers === undefined) return undefined;
    for (const trigger of await this.triggers.matching(point, context)) {
      const verdict = await this.run({ script: trigger.script, point, argument: "", steers: true }, context);
      if (verdict !== undefined) return verdict;
    }
    return undefined;
  }

  /** Scripts at a notification point run beside the call: they read it, they do not steer it. */
  private watching(point: "answered" | "ended", payload: NotificationPayloads["answered" | "ended"]): void {
    const { call } = payload;
    const context: PointContext = {
      callId: call.id,
      caller: call.caller,
      callerUser: undefined,
      inbound: undefined,
      dialed: call.dialed,
      callee: call.callee,
      visited: [],
    };
    void this.triggers?.matching(point, context).then(async (triggers) => {
      for (const t of triggers)
        await this.run({ script: t.script, point, argument: "", steers: false }, context);
    });
  }

  /** A route's or a feature code's script: it must decide (ending without a decision refuses). */
  private async decisive(place: ScriptPlace, context: PointContext): Promise<Verdict> {
    return (await this.run(place, context)) ?? { kind: "refuse", code: "script-unavailable" };
  }

  /** Runs one script for the call; resolves with its decision (undefined: the call goes on). */
  async run(place: ScriptPlace, context: PointContext): Promise<Verdict | undefined> {
    const { logger } = this.deps;
    const source = await this.deps.files.read(place.script).catch(() => undefined);
    if (source === undefined) {
      logger.error({ script: place.script, point: place.point }, "script: no such script");
      return place.steers ? { kind: "refuse", code: "script-error" } : undefined;
    }
    const call = new ScriptCall(context, place, {
      media: this.deps.media,
      calls: this.deps.calls,
      verdictFor: (c, number) => this.verdictFor(c, number),
      watchEnd: (callId, listener) => this.watchEnd(callId, listener),
    });
    const domainId = context.caller.domainId;
    const api: HostApi = {
      ...this.deps.namespaces?.({ script: place.script, domainId, call }),
      call: callApi(call, {
        dataDir: this.deps.dataDir,
        now: this.deps.now ?? Date.now,
        onPlay: (said) => logger.info({ script: place.script, call: call.id, said }, "script: play"),
        onConnect: (number, status, anchored) =>
          logger.info({ script: place.script, call: call.id, number, status, anchored }, "script: connect"),
      }),
    };
    const log = (line: string) => logger.info({ script: place.script }, line);
    const done = this.deps.runner.run(source, { api, signal: call.abort.signal, log }).then(
      (result) => this.finished(call, result),
      (error: unknown) => this.finished(call, { ok: false, error: crash(place.script, error) }),
    );
    if (!place.steers) {
      await done;
      return undefined;
    }
    const deadline = setTimeout(() => {
      if (call.state !== "deciding") return;
      logger.error({ script: place.script, point: place.point }, "script: no decision in time, stopped");
      call.refuse("script-error");
      call.abort.abort(new Error("no decision in time"));
    }, DECISION_DEADLINE_MS);
    return call.decision.finally(() => clearTimeout(deadline));
  }

  private async finished(call: ScriptCall, result: ScriptResult): Promise<void> {
    const { logger } = this.deps;
    const { script, point } = call.place;
    if (!result.ok) {
      const { kind, line, message } = result.error;
      if (kind === "aborted") logger.info({ script, point, message }, "script: stopped, its call ended");
      else logger.error({ script, point, kind, line, message }, "script failed");
      if (call.state === "deciding") call.refuse("script-error");
      else if (call.state === "answered" && kind !== "aborted") {
        // The caller hears why the call ends rather than a silent hang-up.
        await call
          .media("play")
          .endpoint.play(call.speak([{ prompt: "call-cannot-be-completed" }, { silenceMs: 300 }]))
          .then(undefined, () => {});
      }
    }
    // Ending without a decision: the call goes on as without the script (a detection point).
    if (call.state === "deciding") call.settle(undefined);
    call.finish();
  }

  /** What a number the script connects to is: a service's at "attempted", else the dial plan. */
  private async verdictFor(context: PointContext, number: string): Promise<Verdict> {
    const asked: PointContext = { ...context, dialed: number };
    this.asking.add(asked);
    const verdict = await this.points?.ask("attempted", asked);
    return verdict ?? { kind: "route", number };
  }

  private watchEnd(callId: string, listener: (record: NewCallRecord) => void): () => void {
    const set = this.watchers.get(callId) ?? new Set();
    this.watchers.set(callId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(callId) === set) this.watchers.delete(callId);
    };
  }

  private ended({ call, record }: NotificationPayloads["ended"]): void {
    const set = this.watchers.get(call.id);
    if (set === undefined) return;
    this.watchers.delete(call.id);
    for (const listener of set) listener(record);
  }
}

function crash(script: string, error: unknown): { kind: "runtime"; script: string; message: string } {
  return { kind: "runtime", script, message: `${script}.lua: ${(error as Error)?.message ?? String(error)}` };
}
