/**
 * `parley scripts list|show|save|check|delete` and `parley script-triggers list|add|set|delete`
 * (issue 18): the service scripts and their triggers through a running server's REST API
 * (/api/v1/scripts, /api/v1/script-triggers; found as api-client.ts says), so a save is compiled
 * by the server's Lua engine before it is written, and the next call runs it. Exit codes: 0 done,
 * 1 no server, refused token, not found or refused input (a syntax error names its line), 2 a bad
 * option (named).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { isoTimesReplacer } from "../util/iso-time.js";
import { type ApiOptions, apiCommand, apiRequest, apiTarget, runApi } from "./api-client.js";
import { table, UsageError } from "./user-commands.js";

interface ScriptItem {
  name: string;
  bytes: number;
  modifiedAt: string;
}

interface TriggerItem {
  id: number;
  point: string;
  dialPlan: string;
  prefix: string;
  script: string;
  order: number;
  enabled: boolean;
}

interface TriggerFlags {
  point?: string;
  script?: string;
  dialPlan?: string;
  prefix?: string;
  order?: string;
  enabled?: string;
}

const SCRIPT_NAME = /^[a-z0-9_-]{1,64}$/;

function print<T>(value: T, json: boolean | undefined, text: (value: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, isoTimesReplacer, 2)}\n` : `${text(value)}\n`);
}

/** A file's text; "-" reads standard input. */
function readSource(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The script name a file stands for: `card.lua` is `card`; --name when the file's is no name. */
function nameOfFile(file: string, given: string | undefined): string {
  if (given !== undefined) return given;
  const name = basename(file).replace(/\.lua$/, "");
  return SCRIPT_NAME.test(name) ? name : "script";
}

const triggerTable = (items: TriggerItem[]) =>
  table(
    ["ID", "POINT", "SCRIPT", "DIAL PLAN", "PREFIX", "ORDER", "ENABLED"],
    items.map((t) => [
      String(t.id),
      t.point,
      t.script,
      t.dialPlan === "" ? "(any)" : t.dialPlan,
      t.prefix === "" ? "(any)" : t.prefix,
      String(t.order),
      t.enabled ? "yes" : "no",
    ]),
  );

/** yes/no/true/false; anything else is a usage error naming the option. */
function flag(option: string, raw: string): boolean {
  if (/^(yes|true|on|1)$/i.test(raw)) return true;
  if (/^(no|false|off|0)$/i.test(raw)) return false;
  throw new UsageError(`${option} must be yes or no, not "${raw}"`);
}

function triggerBody(opts: TriggerFlags): Record<string, unknown> {
  return {
    ...(opts.point === undefined ? {} : { point: opts.point }),
    ...(opts.script === undefined ? {} : { script: opts.script }),
    ...(opts.dialPlan === undefined ? {} : { dialPlan: opts.dialPlan }),
    ...(opts.prefix === undefined ? {} : { prefix: opts.prefix }),
    // Digits become a number; anything else is passed on so the server names the field.
    ...(opts.order === undefined
      ? {}
      : { order: /^[0-9]{1,9}$/.test(opts.order) ? Number(opts.order) : opts.order }),
    ...(opts.enabled === undefined ? {} : { enabled: flag("--enabled", opts.enabled) }),
  };
}

/** The options a trigger takes on add and set. */
function triggerOptions(command: Command): Command {
  return command
    .option("--dial-plan <name>", 'the callers\' dial plan it applies to ("" = any; default any)')
    .option("--prefix <digits>", 'called-number prefix: digits, *, #, + ("" = any; default any)')
    .option("--order <n>", "at one point, lower runs first (0-9999; default 0)")
    .option("--enabled <yes|no>", "a disabled trigger never runs (default yes)");
}

function idOf(text: string): number {
  if (!/^[0-9]{1,9}$/.test(text)) throw new UsageError(`the trigger's id must be a number, not "${text}"`);
  return Number(text);
}

function registerScripts(program: Command): void {
  const scripts = program
    .command("scripts")
    .description("service scripts (Lua) in the data directory, through the running server");

  apiCommand(scripts, "list")
    .description("every script, by name")
    .action((opts: ApiOptions) =>
      runApi(async () => {
        const { items } = (await apiRequest(apiTarget(opts), "GET", "/scripts")) as { items: ScriptItem[] };
        print(items, opts.json, (list) =>
          list.length === 0
            ? "no scripts"
            : table(
                ["NAME", "BYTES", "SAVED"],
                list.map((s) => [s.name, String(s.bytes), s.modifiedAt]),
              ),
        );
      }),
    );

  apiCommand(scripts, "show")
    .description("print a script's source")
    .argument("<name>", "the script's name")
    .action((name: string, opts: ApiOptions) =>
      runApi(async () => {
        const path = `/scripts/${encodeURIComponent(name)}`;
        const script = (await apiRequest(apiTarget(opts), "GET", path)) as { name: string; source: string };
        if (opts.json) print(script, true, () => "");
        else process.stdout.write(script.source);
      }),
    );

  apiCommand(scripts, "save")
    .description("create or replace a script from a file (- for standard input); refused unless it compiles")
    .argument("<name>", "the script's name: 1-64 of a-z, 0-9, _ and -")
    .argument("<file>", "the Lua source")
    .action((name: string, file: string, opts: ApiOptions) =>
      runApi(async () => {
        const source = readSource(file);
        const path = `/scripts/${encodeURIComponent(name)}`;
        const saved = (await apiRequest(apiTarget(opts), "PUT", path, { source })) as ScriptItem;
        print(saved, opts.json, (s) => `saved ${s.name} (${s.bytes} bytes); the next call runs it`);
      }),
    );

  apiCommand(scripts, "check")
    .description("compile a Lua file on the server without saving it (a syntax error names its line)")
    .argument("<file>", "the Lua source (- for standard input)")
    .option("--name <name>", "the script name its messages use (default: the file's name)")
    .action((file: string, opts: ApiOptions & { name?: string }) =>
      runApi(async () => {
        const source = readSource(file);
        const name = nameOfFile(file, opts.name);
        const path = `/scripts/${encodeURIComponent(name)}/check`;
        const result = await apiRequest(apiTarget(opts), "POST", path, { source });
        print(result, opts.json, () => `${file}: compiles`);
      }),
    );

  apiCommand(scripts, "delete")
    .description("delete a script (a call running it goes on with the text it started with)")
    .argument("<name>", "the script's name")
    .action((name: string, opts: ApiOptions) =>
      runApi(async () => {
        await apiRequest(apiTarget(opts), "DELETE", `/scripts/${encodeURIComponent(name)}`);
        process.stderr.write(`parley: deleted ${name}\n`);
      }),
    );
}

function registerTriggers(program: Command): void {
  const triggers = program
    .command("script-triggers")
    .description("which script runs at which detection point of a call, through the running server");

  apiCommand(triggers, "list")
    .description("every trigger, in the order they run (by point, order, id)")
    .action((opts: ApiOptions) =>
      runApi(async () => {
        const { items } = (await apiRequest(apiTarget(opts), "GET", "/script-triggers")) as {
          items: TriggerItem[];
        };
        print(items, opts.json, (list) => (list.length === 0 ? "no script triggers" : triggerTable(list)));
      }),
    );

  triggerOptions(apiCommand(triggers, "add"))
    .description("add a trigger")
    .argument("<point>", "attempted, reachesCallee, busy, noAnswer, unreachable, answered or ended")
    .argument("<script>", "the script's name")
    .action((point: string, script: string, opts: ApiOptions & TriggerFlags) =>
      runApi(async () => {
        const body = { ...triggerBody(opts), point, script };
        const created = (await apiRequest(apiTarget(opts), "POST", "/script-triggers", body)) as TriggerItem;
        print(created, opts.json, (t) => triggerTable([t]));
      }),
    );

  triggerOptions(apiCommand(triggers, "set"))
    .description("change a trigger (for the next call)")
    .argument("<id>", "the trigger's id")
    .option("--point <point>", "another detection point")
    .option("--script <name>", "another script")
    .action((id: string, opts: ApiOptions & TriggerFlags) =>
      runApi(async () => {
        const body = triggerBody(opts);
        if (Object.keys(body).length === 0) throw new UsageError("give at least one option to change");
        const path = `/script-triggers/${idOf(id)}`;
        const changed = (await apiRequest(apiTarget(opts), "PATCH", path, body)) as TriggerItem;
        print(changed, opts.json, (t) => triggerTable([t]));
      }),
    );

  apiCommand(triggers, "delete")
    .description("remove a trigger")
    .argument("<id>", "the trigger's id")
    .action((id: string, opts: ApiOptions) =>
      runApi(async () => {
        await apiRequest(apiTarget(opts), "DELETE", `/script-triggers/${idOf(id)}`);
        process.stderr.write(`parley: deleted trigger ${id}\n`);
      }),
    );
}

export function registerScriptCommands(program: Command): void {
  registerScripts(program);
  registerTriggers(program);
}
