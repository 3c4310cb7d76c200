/**
 * `parley line|trunk|dialplan ...` manage external lines, SIP trunks and the dial plan tables in
 * the store, and `parley route <caller> <number>` dry-runs the dial plan with the routing service the
 * SIP path uses, printing every step. Settings come like `start`'s (--data-dir, --database-url,
 * --config, PARLEY_*). Exit codes: 0 done, 1 not found / conflict / failure, 2 invalid input
 * (each bad field printed by name).
 */
import type { Command } from "commander";
import { readConfigFile } from "../config/load.js";
import { envName, resolveSettings, SettingsError } from "../config/settings.js";
import { ConflictError, NotFoundError, type Store, storeFromUrl, ValidationError } from "../store/index.js";
import type { RoutingKind } from "../store/routing-repository.js";
import { registerRouteCommand } from "./route-command.js";
import { settingsSelfCheck } from "./self-check.js";

const EXIT_FAILURE = 1;
const EXIT_INVALID = 2;

interface Options {
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  json?: boolean;
}

class UsageError extends Error {}

function settingsOf(opts: Options) {
  const configPath = opts.config ?? process.env.PARLEY_CONFIG;
  const file = configPath ? readConfigFile(configPath) : undefined;
  const flags: Record<string, unknown> = {};
  if (opts.dataDir !== undefined) flags.dataDir = opts.dataDir;
  if (opts.databaseUrl !== undefined) flags.databaseUrl = opts.databaseUrl;
  return resolveSettings({ file, fileName: configPath, env: process.env, flags });
}

async function withStore<T>(opts: Options, act: (store: Store, domainId: number) => Promise<T>): Promise<T> {
  const settings = settingsOf(opts);
  const store = await storeFromUrl(settings.databaseUrl, settings.dataDir);
  try {
    await store.migrate();
    return await act(store, (await store.domains.getDefault()).id);
  } finally {
    await store.close();
  }
}

async function run(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof ValidationError) {
      for (const e of error.errors)
        process.stderr.write(`parley: invalid ${e.field || "input"}: ${e.message}\n`);
      process.exitCode = EXIT_INVALID;
    } else if (error instanceof SettingsError || error instanceof UsageError) {
      process.stderr.write(`parley: ${error.message}\n`);
      process.exitCode = EXIT_INVALID;
    } else if (error instanceof NotFoundError || error instanceof ConflictError) {
      process.stderr.write(`parley: ${error.message}\n`);
      process.exitCode = EXIT_FAILURE;
    } else {
      process.stderr.write(`parley: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    }
  }
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * `key=value` pairs into an object. Dotted keys nest (outboundProxy.port=5070); `true`, `false`
 * and `null` are those values; digits are numbers except for the text fields that hold numbers
 * to dial or names (account, prefix, text, ...); a list field takes commas.
 */
const TEXT_FIELDS = new Set([
  "account",
  "password",
  "server",
  "authorizationId",
  "destinationNumber",
  "dialPlan",
  "address",
  "requestUriParameter",
  "chainTo",
  "trunkId",
  "description",
  "failoverTrunk",
  "name",
  "prefix",
  "externalLine",
  "sipTrunk",
  "text",
]);

export function assignments(pairs: readonly string[]): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`"${pair}" is not key=value`);
    const path = pair.slice(0, eq).split(".");
    const raw = pair.slice(eq + 1);
    const field = path[path.length - 1]!;
    let value: Json = raw;
    if (field === "users") value = raw === "" ? [] : raw.split(",").map((s) => s.trim());
    else if (field === "sourcePorts") value = raw === "" ? [] : raw.split(",").map((s) => Number(s.trim()));
    else if (raw === "true" || raw === "false") value = raw === "true";
    else if (raw === "null") value = null;
    else if (/^\d{1,9}$/.test(raw) && !TEXT_FIELDS.has(field)) value = Number(raw);
    let node = out;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next;
      else {
        const child: { [key: string]: Json } = {};
        node[part] = child;
        node = child;
      }
    }
    node[field] = value;
  }
  return out;
}

function print(value: unknown, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const lines: Array<[string, string]> = [];
  const walk = (v: unknown, prefix: string) => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, prefix ? `${prefix}.${k}` : k);
    } else lines.push([prefix, Array.isArray(v) ? v.join(",") : String(v)]);
  };
  walk(value, "");
  const width = Math.max(0, ...lines.map(([k]) => k.length));
  process.stdout.write(`${lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`);
}

function hidePassword(kind: RoutingKind, value: unknown): unknown {
  if (kind !== "line") return value;
  const { password: _secret, ...shown } = value as Record<string, unknown>;
  return shown;
}

function withStoreOptions(command: Command): Command {
  return command
    .option("--data-dir <dir>", `directory of the embedded database [env ${envName("dataDir")}]`)
    .option("--database-url <url>", `mysql://... or postgres://... [env ${envName("databaseUrl")}]`)
    .option("--config <file>", "JSON config file of settings [env PARLEY_CONFIG]")
    .option("--json", "print JSON instead of text");
}

/** "an external line", "a SIP trunk", "an analyze record": the noun with its article. */
export function withArticle(noun: string): string {
  return /^[aeio]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** How one kind of row is described in help: its key, sample fields, and whole-command examples. */
interface KindHelp {
  /** The key argument's description (when the kind has a key). */
  key?: string;
  /** Sample key=value fields of `add`. */
  fields: string;
  /** Sample key=value fields of `set`. */
  setFields: string;
  /** Complete `add` commands with what each does. */
  examples: ReadonlyArray<[command: string, says: string]>;
}

function examplesText(examples: KindHelp["examples"]): string {
  return `\nExamples:\n${examples.map(([command, says]) => `  # ${says}\n  $ ${command}`).join("\n")}\n`;
}

/** list, show, add, set, remove for one kind of routing row. */
function crudCommands(
  parent: Command,
  kind: RoutingKind,
  noun: string,
  keyField: string | undefined,
  summary: (v: Record<string, unknown>) => string,
  help: KindHelp,
): void {
  const a = withArticle(noun);
  withStoreOptions(parent.command("list").description(`list ${noun}s`)).action((opts: Options) =>
    run(async () => {
      const items = await withStore(opts, (store, d) => store.routing.list(d, kind));
      if (opts.json) print({ items: items.map((v) => hidePassword(kind, v)) }, true);
      else {
        for (const item of items)
          process.stdout.write(`${summary(item as unknown as Record<string, unknown>)}\n`);
        process.stdout.write(`${items.length} ${noun}s\n`);
      }
    }),
  );
  const keyName = keyField ?? "id";
  withStoreOptions(
    parent.command("show").description(`show every field of ${a}`).argument(`<${keyName}>`, help.key),
  ).action((key: string, opts: Options) =>
    run(async () => {
      const found = await withStore(opts, (store, d) => store.routing.get(d, kind, key));
      if (found === undefined) throw new NotFoundError(noun, key);
      print(hidePassword(kind, found), opts.json);
    }),
  );
  const add = parent
    .command("add")
    .description(`create ${a}: key=value ... (other fields take their defaults)`)
    .addHelpText("after", examplesText(help.examples));
  if (keyField !== undefined) add.argument(`<${keyField}>`, help.key);
  add.argument("[fields...]", `key=value fields, e.g. ${help.fields}`);
  withStoreOptions(add).action((...args: unknown[]) =>
    run(async () => {
      const opts = args.find((a) => typeof a === "object" && a !== null && !Array.isArray(a)) as Options;
      const key = keyField === undefined ? undefined : (args[0] as string);
      const fields = (keyField === undefined ? args[0] : args[1]) as string[];
      const input = assignments(fields);
      if (keyField !== undefined && key !== undefined)
        input[keyField] = keyField === "id" ? Number(key) : key;
      // A line or trunk may not point at this Parley (its SIP listeners from the settings).
      const check = settingsSelfCheck(settingsOf(opts));
      const created = await withStore(opts, (store, d) => store.routing.create(d, kind, input, check));
      if (opts.json) print(hidePassword(kind, created), true);
      else {
        const k = (created as unknown as Record<string, unknown>)[keyName];
        process.stdout.write(`${noun} ${String(k)} created\n`);
      }
    }),
  );
  withStoreOptions(
    parent
      .command("set")
      .description(`change fields of ${a}: key=value ...`)
      .argument(`<${keyName}>`, help.key)
      .argument("<fields...>", `key=value fields, e.g. ${help.setFields}`),
  ).action((key: string, fields: string[], opts: Options) =>
    run(async () => {
      const check = settingsSelfCheck(settingsOf(opts));
      const updated = await withStore(opts, (store, d) =>
        store.routing.update(d, kind, key, assignments(fields), "merge", check),
      );
      if (opts.json) print(hidePassword(kind, updated), true);
      else process.stdout.write(`${noun} ${key} updated\n`);
    }),
  );
  withStoreOptions(
    parent
      .command("remove")
      .description(`delete ${a} that nothing refers to`)
      .argument(`<${keyName}>`, help.key),
  ).action((key: string, opts: Options) =>
    run(async () => {
      const removed = await withStore(opts, (store, d) => store.routing.delete(d, kind, key));
      if (!removed) throw new NotFoundError(noun, key);
      process.stdout.write(opts.json ? `${JSON.stringify({ removed: key })}\n` : `${noun} ${key} removed\n`);
    }),
  );
}

const LINE_HELP: KindHelp = {
  key: "the line's account: the user name at the provider (type 0) or the gateway's (type 1)",
  fields: "server=sip.provider.example password=secret",
  setFields: "password=new-secret maxConcurrentCalls=4",
  examples: [
    [
      "parley line add 5550100 server=sip.provider.example password=secret",
      "an external line at a VoIP provider: Parley registers to it as 5550100",
    ],
    [
      "parley line add fxo1 type=1 password=secret transferTo=auto-attendant",
      "an FXO gateway that registers to Parley; its incoming calls reach the auto-attendant",
    ],
  ],
};

const TRUNK_HELP: KindHelp = {
  key: "the trunk's ID (its name)",
  fields: "address=192.0.2.10 port=5060 transport=udp",
  setFields: "maxOutgoingCalls=10 failoverTrunk=branch2",
  examples: [
    [
      'parley trunk add branch1 address=192.0.2.10 port=5060 transport=udp description="Branch office PBX"',
      "a SIP trunk to another PBX: calls are accepted only from 192.0.2.10",
    ],
    [
      "parley dialplan analyze add prefix=8 routeType=sip-trunk sipTrunk=branch1",
      "then route numbers that start with 8 to it",
    ],
  ],
};

const DIAL_PLAN_HELP: KindHelp = {
  key: "the dial plan's name",
  fields: "users=101,102",
  setFields: "users=101,102,103",
  examples: [["parley dialplan add sales users=101,102", "a dial plan that users 101 and 102 dial with"]],
};

const ANALYZE_HELP: KindHelp = {
  key: "the record's id (see list)",
  fields: "prefix=0 routeType=external-line externalLine=5550100",
  setFields: "callRight=2",
  examples: [
    [
      "parley dialplan analyze add prefix=0 routeType=external-line externalLine=5550100",
      "numbers that start with 0 leave on the external line 5550100",
    ],
    [
      "parley dialplan analyze add prefix=900 routeType=reject rejectStatus=403",
      "numbers that start with 900 are refused with 403",
    ],
    [
      "parley dialplan analyze add prefix=*77 routeType=script script=time-router",
      "numbers that start with *77 are handed to the service script time-router",
    ],
  ],
};

const TRANSITION_HELP: KindHelp = {
  key: "the transition's id, a number",
  fields: "type=delete start=0 length=1",
  setFields: "length=2",
  examples: [
    ["parley dialplan transition add 1 type=delete start=0 length=1", "transition 1 drops the first digit"],
  ],
};

const REFINE_HELP: KindHelp = {
  key: "the record's id (see list)",
  fields: "outgoingGroupId=1 prefix=00 transitionId=1",
  setFields: "transitionId=2",
  examples: [
    [
      "parley dialplan refine add outgoingGroupId=1 prefix=00 transitionId=1",
      "a number starting with 00 that leaves on outgoing group 1 gets transition 1",
    ],
  ],
};

export function registerRoutingCommands(program: Command): void {
  const line = program
    .command("line")
    .description("manage external lines (accounts at VoIP providers, FXO gateways)");
  crudCommands(
    line,
    "line",
    "external line",
    "account",
    (l) =>
      [l.account, `type ${String(l.type)}`, l.server || "-", `group ${String(l.outgoingGroupId)}`].join("  "),
    LINE_HELP,
  );
  const trunk = program.command("trunk").description("manage SIP trunks (peer servers trusted by address)");
  crudCommands(
    trunk,
    "trunk",
    "SIP trunk",
    "trunkId",
    (t) =>
      [
        t.trunkId,
        `${String(t.address)}:${String(t.port)}/${String(t.transport)}`,
        String(t.description),
      ].join("  "),
    TRUNK_HELP,
  );
  const dialplan = program
    .command("dialplan")
    .description("manage dial plans and their analyze, transition and refine tables");
  crudCommands(
    dialplan,
    "dialplan",
    "dial plan",
    "name",
    (p) => `${String(p.name)}  ${(p.users as string[]).join(",")}`,
    DIAL_PLAN_HELP,
  );
  crudCommands(
    dialplan.command("analyze").description("analyze called number records"),
    "analyze",
    "analyze record",
    undefined,
    (r) =>
      [
        r.id,
        r.dialPlan,
        `"${String(r.prefix)}"`,
        r.routeType,
        r.externalLine || r.sipTrunk || r.script || r.rejectStatus || "",
      ].join("  "),
    ANALYZE_HELP,
  );
  crudCommands(
    dialplan
      .command("transition")
      .description("transitions: how a called number changes (delete, replace or insert digits)"),
    "transition",
    "transition",
    "id",
    (t) =>
      [t.id, t.type, `start ${String(t.start)}`, `length ${String(t.length)}`, `"${String(t.text)}"`].join(
        "  ",
      ),
    TRANSITION_HELP,
  );
  crudCommands(
    dialplan.command("refine").description("refine called number records"),
    "refine",
    "refine record",
    undefined,
    (r) =>
      [
        r.id,
        `group ${String(r.outgoingGroupId)}`,
        `"${String(r.prefix)}"`,
        `transition ${String(r.transitionId)}`,
      ].join("  "),
    REFINE_HELP,
  );

  // The dry run: its own module (the route explainer, asking a running server when one runs).
  registerRouteCommand(program);
}
