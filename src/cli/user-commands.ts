/**
 * `parley user add|list|show|set|remove`: local users managed straight in the store, with the same
 * settings as the server (--data-dir, --database-url, --config, PARLEY_*). Each command opens the
 * store, migrates it, acts and closes it. Exit codes: 0 done, 1 not found / conflict / failure,
 * 2 invalid input (each bad field is printed by name).
 */
import type { Command } from "commander";
import { readConfigFile } from "../config/load.js";
import { envName, resolveSettings, type Settings, SettingsError } from "../config/settings.js";
import {
  ConflictError,
  defaultSettings,
  type LocalUser,
  NotFoundError,
  type Store,
  storeFromUrl,
  ValidationError,
} from "../store/index.js";
import { passwordPolicyErrorsOf } from "../store/password-policy.js";
import { isoTimesReplacer } from "../util/iso-time.js";

export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;

export interface StoreOptions {
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  json?: boolean;
}

type Json = string | number | boolean | Json[] | { [key: string]: Json };

export class UsageError extends Error {}

/** The settings, from flags, environment and config file like `start`. */
export function storeSettings(opts: StoreOptions): Settings {
  const configPath = opts.config ?? process.env.PARLEY_CONFIG;
  const file = configPath ? readConfigFile(configPath) : undefined;
  const flags: Record<string, unknown> = {};
  if (opts.dataDir !== undefined) flags.dataDir = opts.dataDir;
  if (opts.databaseUrl !== undefined) flags.databaseUrl = opts.databaseUrl;
  return resolveSettings({ file, fileName: configPath, env: process.env, flags });
}

/** Opens the store of the settings, migrated, and runs `act` on its default domain; closes it. */
export async function withStore<T>(
  opts: StoreOptions,
  act: (store: Store, domainId: number) => Promise<T>,
): Promise<T> {
  const { dataDir, databaseUrl } = storeSettings(opts);
  const store = await storeFromUrl(databaseUrl, dataDir);
  try {
    await store.migrate();
    const domain = await store.domains.getDefault();
    return await act(store, domain.id);
  } finally {
    await store.close();
  }
}

/** The default value at a dotted path of a user's settings, to tell how to read a value for it. */
function defaultAt(path: string[]): unknown {
  let node: unknown = defaultSettings("x");
  for (const part of path) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Reads a value the way the field's type wants it: lists from commas, booleans from true/false,
 * integers from digits; text fields (numbers to dial included) stay text. A value that does not
 * fit is passed on as text, so the store's validation names the field.
 */
export function parseValue(path: string[], raw: string): Json {
  const example = defaultAt(path);
  if (Array.isArray(example)) {
    return raw.trim() === "" ? [] : raw.split(",").map((item) => item.trim());
  }
  if (typeof example === "boolean") {
    if (raw === "true") return true;
    if (raw === "false") return false;
    return raw;
  }
  if (typeof example === "number") return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  return raw;
}

/** "forwarding.busy.number=200" → sets input.forwarding.busy.number = "200". */
export function assign(input: { [key: string]: Json }, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new UsageError(`"${assignment}" is not key=value`);
  const path = assignment.slice(0, eq).trim().split(".");
  if (path.some((part) => part === "")) throw new UsageError(`"${assignment}" has an empty key part`);
  let node = input;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next;
    else {
      const child: { [key: string]: Json } = {};
      node[part] = child;
      node = child;
    }
  }
  node[path[path.length - 1]!] = parseValue(path, assignment.slice(eq + 1));
}

/** A user as `key: value` lines, with the same dotted keys `user set` takes. */
export function flatten(value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (Array.isArray(value)) {
    out.push([prefix, value.join(",")]);
  } else {
    out.push([prefix, String(value)]);
  }
  return out;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function forwardingSummary(user: LocalUser): string {
  const on = Object.entries(user.forwarding)
    .filter(([, rule]) => rule.enabled)
    .map(([kind, rule]) => `${kind}→${rule.number}`);
  return on.length > 0 ? on.join(" ") : "-";
}

function printUser(user: LocalUser, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(user, isoTimesReplacer, 2)}\n`);
    return;
  }
  const lines = flatten(user).map(([key, value]) => {
    if (key === "createdAt" || key === "updatedAt") return [key, new Date(Number(value)).toISOString()];
    return [key, value];
  });
  const width = Math.max(...lines.map(([key]) => key!.length));
  process.stdout.write(`${lines.map(([key, value]) => `${key!.padEnd(width)}  ${value}`).join("\n")}\n`);
}

/** Runs a command body and turns its failures into messages and exit codes. */
export async function run(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof ValidationError) {
      for (const e of error.errors) process.stderr.write(`parley: invalid ${e.field}: ${e.message}\n`);
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

/** The password policy (issue 23): a new or changed password breaking a rule is refused, naming it. */
function checkPassword(body: unknown, current: string | undefined, opts: StoreOptions): void {
  const errors = passwordPolicyErrorsOf(body, current, storeSettings(opts).minPasswordLength);
  if (errors.length > 0) throw new ValidationError(errors);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds the store options every user command takes. */
export function storeCommand(parent: Command, name: string): Command {
  return parent
    .command(name)
    .option("--data-dir <dir>", `directory of the embedded database [env ${envName("dataDir")}]`)
    .option(
      "--database-url <url>",
      `mysql://... or postgres://... (default: SQLite in the data dir) [env ${envName("databaseUrl")}]`,
    )
    .option("--config <file>", "JSON config file of settings [env PARLEY_CONFIG]")
    .option("--json", "print JSON instead of text");
}

export function registerUserCommands(program: Command): void {
  const user = program.command("user").description("manage local users (extensions) in the store");

  storeCommand(user, "add")
    .description("create a user; other fields take their defaults")
    .argument("<name>", "extension number or name")
    .requiredOption(
      "--password <password>",
      "the SIP password: at least --min-password-length characters (8), not the extension number",
    )
    .option("--display-name <text>", "what the callee sees")
    .option("--set <key=value>", "any other field, e.g. forwarding.busy.number=200 (repeatable)", collect, [])
    .action((name: string, opts: StoreOptions & { password: string; displayName?: string; set: string[] }) =>
      run(async () => {
        const input: { [key: string]: Json } = {};
        for (const assignment of opts.set) assign(input, assignment);
        input.name = name;
        input.password = opts.password;
        if (opts.displayName !== undefined) input.displayName = opts.displayName;
        checkPassword(input, undefined, opts);
        const created = await withStore(opts, (store, domainId) => store.users.create(domainId, input));
        if (opts.json) printUser(created, true);
        else process.stdout.write(`user ${created.name} created\n`);
      }),
    );

  storeCommand(user, "list")
    .description("list users")
    .option("--search <text>", "substring of the name or display name")
    .option("--offset <n>", "users to skip", "0")
    .option("--limit <n>", "users to show (at most 1000)", "1000")
    .action((opts: StoreOptions & { search?: string; offset: string; limit: string }) =>
      run(async () => {
        const offset = Number(opts.offset);
        const limit = Number(opts.limit);
        if (!Number.isInteger(offset) || offset < 0) throw new UsageError("--offset must be an integer >= 0");
        if (!Number.isInteger(limit) || limit < 0) throw new UsageError("--limit must be an integer >= 0");
        const page = await withStore(opts, (store, domainId) =>
          store.users.list({ domainId, offset, limit, search: opts.search }),
        );
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...page, offset, limit }, isoTimesReplacer, 2)}\n`);
          return;
        }
        const rows = page.items.map((u) => [
          u.name,
          u.displayName,
          String(u.callRight),
          u.multiDevice ? `yes (${u.maxDevices})` : "no",
          forwardingSummary(u),
        ]);
        process.stdout.write(
          `${table(["NAME", "DISPLAY NAME", "CALL RIGHT", "MULTI-DEVICE", "FORWARDING"], rows)}\n`,
        );
        process.stdout.write(`${page.items.length} of ${page.total} users\n`);
      }),
    );

  storeCommand(user, "show")
    .description("show every field of a user")
    .argument("<name>", "the user's name (extension number)")
    .action((name: string, opts: StoreOptions) =>
      run(async () => {
        const found = await withStore(opts, (store, domainId) => store.users.get(domainId, name));
        if (!found) throw new NotFoundError("user", name);
        printUser(found, opts.json);
      }),
    );

  storeCommand(user, "set")
    .description(
      "change a user's fields: key=value ... (dotted keys, comma lists; password=... sets the password)",
    )
    .argument("<name>", "the user's name (extension number)")
    .argument(
      "<assignments...>",
      "e.g. displayName=Alice forwarding.busy.enabled=true forwarding.busy.number=200",
    )
    .action((name: string, assignments: string[], opts: StoreOptions) =>
      run(async () => {
        const patch: { [key: string]: Json } = {};
        for (const assignment of assignments) assign(patch, assignment);
        checkPassword(patch, name, opts);
        const updated = await withStore(opts, (store, domainId) => store.users.update(domainId, name, patch));
        if (opts.json) printUser(updated, true);
        else process.stdout.write(`user ${updated.name} updated\n`);
      }),
    );

  storeCommand(user, "remove")
    .description("delete a user and its stored registrations")
    .argument("<name>", "the user's name (extension number)")
    .action((name: string, opts: StoreOptions) =>
      run(async () => {
        const removed = await withStore(opts, (store, domainId) => store.users.delete(domainId, name));
        if (!removed) throw new NotFoundError("user", name);
        if (opts.json) process.stdout.write(`${JSON.stringify({ removed: name })}\n`);
        else process.stdout.write(`user ${name} removed\n`);
      }),
    );
}
