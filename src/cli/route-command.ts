/**
 * `parley route <caller> <number>`: the dry run of the dial plan (issue 23's route explainer),
 * printing every step, every candidate (dial plan record or rule, line, trunk, local user) tried or
 * skipped and why, and the outcome the real call gets.
 *
 * Whether a line is registered and how many calls a line or trunk carries live in the running
 * server's memory, so the command asks the server (POST /api/v1/dialplan/test, the routing service
 * the call engine uses) when one runs with these settings: the CLI and the API then give one answer,
 * the call's. With no server (or with --offline) it routes over the store with the same service,
 * the live state unknown: every line and trunk is taken as usable, and the output says so.
 */
import type { Command } from "commander";
import { envName } from "../config/settings.js";
import { loadLiveSettings } from "../live-settings-wiring.js";
import type { Candidate, Outcome } from "../routing/route-explainer.js";
import type { ExplainedPlan } from "../routing/routing-plan.js";
import { RoutingService } from "../routing/routing-service.js";
import type { RoutingStep } from "../routing/types.js";
import { apiToken, apiUrl, ServerError } from "./api-client.js";
import {
  EXIT_FAILURE,
  run,
  type StoreOptions,
  storeSettings,
  UsageError,
  withStore,
} from "./user-commands.js";

interface RouteOptions extends StoreOptions {
  origin: string;
  url?: string;
  token?: string;
  offline?: boolean;
}

type Origin = "user" | "line" | "trunk";

/** The caller named does not exist (exit 1, as the API's 404). */
class NotFoundMessage extends Error {}

/** The server's API and token, or undefined when no server can have run with these settings. */
function serverTarget(opts: RouteOptions): { url: string; token: string } | undefined {
  if (opts.url !== undefined) {
    if (opts.token !== undefined) return { url: opts.url.replace(/\/+$/, ""), token: opts.token };
    return { url: opts.url.replace(/\/+$/, ""), token: apiToken(storeSettings(opts)) };
  }
  const settings = storeSettings(opts);
  if (settings.httpPort === 0) return undefined;
  try {
    return { url: apiUrl(settings), token: opts.token ?? apiToken(settings) };
  } catch (error) {
    // No token configured and none written into the data dir: no server has run here.
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

/** The running server's dry run; undefined when no server answers (and none was named by --url). */
async function askServer(
  opts: RouteOptions,
  body: { caller: string; number: string; origin: Origin },
): Promise<ExplainedPlan | undefined> {
  const target = serverTarget(opts);
  if (target === undefined) return undefined;
  let res: Response;
  try {
    res = await fetch(`${target.url}/api/v1/dialplan/test`, {
      method: "POST",
      headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    if (opts.url === undefined) return undefined;
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ServerError(`no Parley server answers at ${target.url} (${cause}): is it running?`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ServerError(`the server at ${target.url} answered ${res.status} with no JSON (is it Parley?)`);
  }
  const message = (json as { message?: unknown }).message;
  if (res.status === 401) throw new ServerError(`the server at ${target.url} refused the API token`);
  if (res.status === 404 && typeof message === "string" && !message.startsWith("no route "))
    throw new NotFoundMessage(message);
  if (!res.ok)
    throw new ServerError(`the server at ${target.url} answered ${res.status}: ${String(message ?? text)}`);
  return json as ExplainedPlan;
}

/** The same dry run over the store, with no server: the live state unknown. */
async function askStore(opts: RouteOptions, caller: string, number: string, origin: Origin) {
  const startup = storeSettings(opts);
  const run = await withStore(opts, async (store, d) => {
    // An out-group prefix set at run time (stored) wins over the start-up one, as in the server.
    const { outGroupPrefix } = (await loadLiveSettings(startup, store.systemSettings, d, undefined)).view;
    return new RoutingService({
      load: () => store.routing.snapshot(d),
      user: (name) => store.users.get(d, name),
      outGroupPrefix,
    }).dryRun(origin, caller, number);
  });
  if (!run.found) throw new NotFoundMessage(run.message);
  return run.plan;
}

/** One dry-run step as a line of text. */
function stepText(step: RoutingStep): string {
  switch (step.step) {
    case "analyze": {
      const r = step.record;
      return r === undefined
        ? `analyze ${step.number} in dial plan ${step.dialPlan}: no record matches`
        : `analyze ${step.number} in dial plan ${step.dialPlan}: prefix "${r.prefix}" → ${r.routeType}`;
    }
    case "transition":
      return `transition ${step.transitionId}: ${step.before} → ${step.after}`;
    case "call-right":
      return `call right ${step.required} required, caller has ${step.caller}: refused`;
    case "default":
      return `${step.rule} → ${step.number}`;
    default:
      return JSON.stringify(step);
  }
}

/** One candidate as a line of text: what it is, how it came on the list, tried or why not. */
export function candidateText(c: Candidate): string {
  let what: string;
  if (c.kind === "route")
    what =
      c.via === "default"
        ? `default rule ${c.id}`
        : c.id === "analyze"
          ? "analyze"
          : `analyze record ${c.id}`;
  else what = `${c.kind === "user" ? "local user" : c.kind} ${c.id} (${c.via})`;
  if (c.tried) return `${what}: tried${c.number === undefined ? "" : `, ${c.number}`}`;
  return `${what}: skipped, ${c.reason ?? c.skip ?? ""}`;
}

export function outcomeText(o: Outcome): string {
  switch (o.kind) {
    case "refuse":
      return `${o.status} ${o.reason}: ${o.detail}`;
    case "outbound":
      return `out as ${o.number} on ${o.carriers.join(", then ")}`;
    case "ringing-group":
      return `ringing group ${o.groupId} (${o.number})`;
    case "script":
      return `script ${o.script} (${o.number})`;
    default:
      return `${o.kind} ${o.number}`;
  }
}

function planText(caller: string, number: string, plan: ExplainedPlan): string {
  const out = [`${caller} dials ${number} (dial plan ${plan.dialPlan})`];
  for (const step of plan.steps) out.push(`  ${stepText(step)}`);
  const r = plan.route;
  out.push(r.kind === "reject" ? `route: reject ${r.status} ${r.reason}` : `route: ${r.kind} ${r.number}`);
  out.push("candidates:");
  plan.candidates.forEach((c, i) => {
    out.push(`  ${i + 1}. ${candidateText(c)}`);
  });
  out.push(`outcome: ${outcomeText(plan.outcome)}`);
  if (!plan.live && plan.candidates.some((c) => c.kind === "line" || c.kind === "trunk"))
    out.push(
      "note: no running server answered: whether lines are registered and how many calls each carries is unknown, so every line and trunk was taken as usable",
    );
  return `${out.join("\n")}\n`;
}

export function registerRouteCommand(program: Command): void {
  program
    .command("route")
    .description(
      "dry run: how <number> dialed by <caller> is routed, step by step, each line or trunk tried or skipped (and why), and what the call gets",
    )
    .argument("<caller>", "a local user (or, with --origin, a line's account or a trunk's ID)")
    .argument("<number>", "the called number")
    .option("--origin <origin>", "user, line or trunk", "user")
    .option("--url <url>", "the running server's API (default: from the settings)")
    .option(
      "--token <token>",
      "the API token (default: the apiToken setting, else the data dir's token file)",
    )
    .option("--offline", "do not ask a running server: route over the store, live state unknown")
    .option("--data-dir <dir>", `directory of the embedded database [env ${envName("dataDir")}]`)
    .option("--database-url <url>", `mysql://... or postgres://... [env ${envName("databaseUrl")}]`)
    .option("--config <file>", "JSON config file of settings [env PARLEY_CONFIG]")
    .option("--json", "print the dry run's JSON (the API's) instead of text")
    .addHelpText(
      "after",
      "\nExamples:\n  parley route 100 9555123    how 100's call to 9555123 leaves, or why it cannot\n  parley route 5550100 101 --origin line    a call coming in on line 5550100 to 101\n",
    )
    .action((caller: string, number: string, opts: RouteOptions) =>
      run(async () => {
        if (!["user", "line", "trunk"].includes(opts.origin))
          throw new UsageError("--origin must be user, line or trunk");
        if (!/^[0-9*#+]{1,32}$/.test(number))
          throw new UsageError("<number> must be 1-32 of digits, *, #, +");
        const origin = opts.origin as Origin;
        try {
          const plan =
            (opts.offline ? undefined : await askServer(opts, { caller, number, origin })) ??
            (await askStore(opts, caller, number, origin));
          process.stdout.write(
            opts.json ? `${JSON.stringify(plan, null, 2)}\n` : planText(caller, number, plan),
          );
        } catch (error) {
          if (!(error instanceof ServerError || error instanceof NotFoundMessage)) throw error;
          process.stderr.write(`parley: ${error.message}\n`);
          process.exitCode = EXIT_FAILURE;
        }
      }),
    );
}
