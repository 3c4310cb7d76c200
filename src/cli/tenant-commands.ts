/**
 * `parley tenants list|show|create|update|suspend|resume|delete|token` (issue 21, virtual PBXs): the
 * provider's tenants, through the running server's /api/v1/tenants like the other API-client
 * commands (api-client.ts: --url, --token, --data-dir, --json). Only the provider's token reaches
 * these routes. `create` and `token` print the tenant administrator's API token, shown once;
 * `delete` takes two steps: the first prints a code and the command that finishes it. `update`
 * changes only the ports and limits named, keeping the others (the API replaces them whole).
 * Exit codes: 0 done, 1 refused by the server (its message, then each field it names), 2 a bad
 * option.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { TenantItemType } from "../api/routes/tenants.js";
import { type ApiOptions, type ApiTarget, apiCommand, apiRequest, apiTarget, runApi } from "./api-client.js";
import { table, UsageError } from "./user-commands.js";

type Ports = TenantItemType["ports"];
type Limits = TenantItemType["limits"];

const PORT_FLAGS = [
  ["udp", "--udp-port <n>", "its own SIP port over UDP (0: none)"],
  ["tcp", "--tcp-port <n>", "its own SIP port over TCP (0: none)"],
  ["tls", "--tls-port <n>", "its own SIP port over TLS (0: none)"],
  ["ws", "--ws-port <n>", "its own SIP port over WebSocket (0: none)"],
] as const satisfies ReadonlyArray<readonly [keyof Ports, string, string]>;

const LIMIT_FLAGS = [
  ["users", "--max-users <n>", "local users at most"],
  ["calls", "--max-calls <n>", "concurrent calls at most"],
  ["lines", "--max-lines <n>", "external lines and SIP trunks at most"],
  ["storageMb", "--max-storage-mb <n>", "MB of voicemail and recordings at most"],
] as const satisfies ReadonlyArray<readonly [keyof Limits, string, string]>;

/** "--max-storage-mb <n>" → "maxStorageMb", as commander names the option's value. */
const key = (flag: string) =>
  flag
    .split(" ")[0]!
    .replace(/^--/, "")
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

interface TenantFlags extends ApiOptions {
  domain?: string;
  realm?: string;
  adminPassword?: string;
  usersCsv?: string;
  [flag: string]: unknown;
}

/** Digits become a number; anything else is sent as typed, so the API's validation names the field. */
function whole(text: string): number {
  return (/^[0-9]{1,9}$/.test(text) ? Number(text) : text) as number;
}

/** The ports the flags name; 0 is "none", sent as such. */
function portsOf(opts: TenantFlags): Partial<Record<keyof Ports, number>> {
  const out: Partial<Record<keyof Ports, number>> = {};
  for (const [name, flag] of PORT_FLAGS) {
    const value = opts[key(flag)];
    if (typeof value === "string") out[name] = whole(value);
  }
  return out;
}

/** The limits the flags name; "unlimited" is undefined (the limit removed). */
function limitsOf(opts: TenantFlags): Partial<Record<keyof Limits, number | undefined>> {
  const out: Partial<Record<keyof Limits, number | undefined>> = {};
  for (const [name, flag] of LIMIT_FLAGS) {
    const value = opts[key(flag)];
    if (typeof value === "string") out[name] = value === "unlimited" ? undefined : whole(value);
  }
  return out;
}

/** Given ports over the current ones; a port set to 0 is dropped (0 and absent both mean none). */
function mergedPorts(current: Ports, given: Partial<Record<keyof Ports, number>>): Ports {
  const out: Ports = { ...current, ...given };
  for (const name of Object.keys(out) as Array<keyof Ports>) if (out[name] === 0) delete out[name];
  return out;
}

function mergedLimits(current: Limits, given: Partial<Record<keyof Limits, number | undefined>>): Limits {
  const out: Limits = { ...current };
  for (const [name, value] of Object.entries(given) as Array<[keyof Limits, number | undefined]>) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}

/** A preset users file: `name,password[,displayName]` a line; blank lines, `#` comments and a header skipped. */
export function readUsersCsv(file: string): Array<{ name: string; password: string; displayName?: string }> {
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --users-csv ${file}: ${(error as Error).message}`);
  }
  const users: Array<{ name: string; password: string; displayName?: string }> = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    // The display name is the rest of the line, commas and all.
    const [name = "", password = "", displayName = ""] = /^([^,]*)(?:,([^,]*)(?:,(.*))?)?$/
      .exec(line)!
      .slice(1)
      .map((cell) => (cell ?? "").trim());
    if (users.length === 0 && name.toLowerCase() === "name" && password.toLowerCase() === "password")
      continue;
    if (name === "" || password === "")
      throw new UsageError(`${file} line ${i + 1}: expected name,password[,displayName] (not "${line}")`);
    users.push({ name, password, ...(displayName === "" ? {} : { displayName }) });
  }
  return users;
}

const portsText = (p: Ports) =>
  Object.entries(p)
    .filter(([, port]) => port !== undefined && port !== 0)
    .map(([kind, port]) => `${kind} ${port}`)
    .join(", ") || "shared only";

const limitsText = (l: Limits) =>
  LIMIT_FLAGS.filter(([name]) => l[name] !== undefined)
    .map(([name]) => `${name === "storageMb" ? "storage MB" : name} ${l[name]}`)
    .join(", ") || "unlimited";

function tenantsTable(items: readonly TenantItemType[]): string {
  if (items.length === 0) return "no tenants";
  const rows = items.map((t) => [
    t.name,
    t.domain,
    t.state,
    portsText(t.ports),
    limitsText(t.limits),
    String(t.totals.users),
    String(t.totals.registrations),
    String(t.totals.activeCalls),
  ]);
  const header = ["NAME", "DOMAIN", "STATE", "PORTS", "LIMITS", "USERS", "REGISTERED", "CALLS"];
  return `${table(header, rows)}\n${items.length} ${items.length === 1 ? "tenant" : "tenants"}`;
}

function tenantText(t: TenantItemType): string {
  const lines: Array<[string, string]> = [
    ["name", t.name],
    ["domain", t.domain],
    ["realm", t.realm],
    ["state", t.state],
    ["ports", portsText(t.ports)],
    ["limits", limitsText(t.limits)],
    ["users", String(t.totals.users)],
    ["registered", String(t.totals.registrations)],
    ["calls", String(t.totals.activeCalls)],
    ["created", t.createdAt],
    ["updated", t.updatedAt],
    ...(t.cdrsKeptUntil === undefined
      ? []
      : [["call records kept until", t.cdrsKeptUntil] as [string, string]]),
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

function print(json: boolean | undefined, payload: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(payload, null, 2)}\n` : `${text()}\n`);
}

/** The provider's routes have no tenant to act in: --tenant is refused rather than sent. */
function providerTarget(opts: ApiOptions): ApiTarget {
  if (opts.tenant !== undefined)
    throw new UsageError("the tenants commands are the provider's: give no --tenant");
  const target = apiTarget(opts);
  const tenant = /^pt\.([a-z0-9-]+)\./.exec(target.token)?.[1];
  if (tenant !== undefined)
    throw new UsageError(`the tenants commands take the provider's API token, not tenant ${tenant}'s`);
  return target;
}

const path = (name: string, rest = "") => `/tenants/${encodeURIComponent(name)}${rest}`;

function withSettings(command: Command): Command {
  for (const [, flag, text] of PORT_FLAGS) command.option(flag, text);
  for (const [, flag, text] of LIMIT_FLAGS) command.option(flag, text);
  return command;
}

export function registerTenantCommands(program: Command): void {
  const tenants = program
    .command("tenants")
    .description("the tenants (virtual PBXs) of a running server: the provider's token only");

  apiCommand(tenants, "list")
    .description("every tenant with its domain, ports, limits, state and totals")
    .action((opts: ApiOptions) =>
      runApi(async () => {
        const body = (await apiRequest(providerTarget(opts), "GET", "/tenants")) as {
          items: TenantItemType[];
        };
        print(opts.json, body, () => tenantsTable(body.items));
      }),
    );

  apiCommand(tenants, "show")
    .description("one tenant")
    .argument("<name>", "the tenant's name")
    .action((name: string, opts: ApiOptions) =>
      runApi(async () => {
        const tenant = (await apiRequest(providerTarget(opts), "GET", path(name))) as TenantItemType;
        print(opts.json, tenant, () => tenantText(tenant));
      }),
    );

  withSettings(
    apiCommand(tenants, "create")
      .description("create a tenant with its administrator; prints its API token, shown once")
      .argument("<name>", "the tenant's name: lower-case letters, digits and '-' (at most 63)")
      .requiredOption("--domain <domain>", "its SIP domain, e.g. acme.example.com")
      .option("--realm <realm>", "its digest realm (default: the domain)")
      .requiredOption("--admin-password <password>", "its administrator's web UI password (8 or more)"),
  )
    .option("--users-csv <file>", "preset users, a line each: name,password[,displayName]")
    .addHelpText(
      "after",
      "\nExamples:\n  $ parley tenants create acme --domain acme.example.com --udp-port 5070 --max-users 50 --admin-password 'long secret'\n",
    )
    .action((name: string, opts: TenantFlags) =>
      runApi(async () => {
        const ports = portsOf(opts);
        const limits = mergedLimits({}, limitsOf(opts));
        const body = {
          name,
          domain: opts.domain,
          ...(opts.realm === undefined ? {} : { realm: opts.realm }),
          ...(Object.keys(ports).length === 0 ? {} : { ports }),
          ...(Object.keys(limits).length === 0 ? {} : { limits }),
          admin: { password: opts.adminPassword },
          ...(opts.usersCsv === undefined ? {} : { users: readUsersCsv(opts.usersCsv) }),
        };
        const created = (await apiRequest(providerTarget(opts), "POST", "/tenants", body)) as {
          tenant: TenantItemType;
          apiToken: string;
        };
        print(
          opts.json,
          created,
          () =>
            `${tenantText(created.tenant)}\n\napi token  ${created.apiToken}\n` +
            "(shown once: keep it; `parley tenants token` makes a new one)",
        );
      }),
    );

  withSettings(
    apiCommand(tenants, "update")
      .description("change a tenant's domain, ports or limits (those not named stay as they are)")
      .argument("<name>", "the tenant's name")
      .option("--domain <domain>", "its SIP domain"),
  )
    .addHelpText("after", '\nA limit given as "unlimited" is removed; a port given as 0 is closed.\n')
    .action((name: string, opts: TenantFlags) =>
      runApi(async () => {
        const target = providerTarget(opts);
        const ports = portsOf(opts);
        const limits = limitsOf(opts);
        if (opts.domain === undefined && Object.keys(ports).length + Object.keys(limits).length === 0)
          throw new UsageError("give --domain, a port (--udp-port ...) or a limit (--max-users ...)");
        const current = (await apiRequest(target, "GET", path(name))) as TenantItemType;
        const patch = {
          ...(opts.domain === undefined ? {} : { domain: opts.domain }),
          ...(Object.keys(ports).length === 0 ? {} : { ports: mergedPorts(current.ports, ports) }),
          ...(Object.keys(limits).length === 0 ? {} : { limits: mergedLimits(current.limits, limits) }),
        };
        const changed = (await apiRequest(target, "PATCH", path(name), patch)) as TenantItemType;
        print(opts.json, changed, () => tenantText(changed));
      }),
    );

  for (const [action, description] of [
    ["suspend", "suspend a tenant: its phones get 403 Tenant Suspended, its calls are refused"],
    ["resume", "resume a suspended tenant"],
  ] as const)
    apiCommand(tenants, action)
      .description(description)
      .argument("<name>", "the tenant's name")
      .action((name: string, opts: ApiOptions) =>
        runApi(async () => {
          const tenant = (await apiRequest(
            providerTarget(opts),
            "POST",
            path(name, `/${action}`),
          )) as TenantItemType;
          print(opts.json, tenant, () => `tenant ${tenant.name} is ${tenant.state}`);
        }),
      );

  apiCommand(tenants, "delete")
    .description(
      "delete a tenant in two steps: without --confirm, prints a code; with it, removes its config and files",
    )
    .argument("<name>", "the tenant's name")
    .option("--confirm <code>", "the code the first step printed (valid 10 minutes)")
    .action((name: string, opts: ApiOptions & { confirm?: string }) =>
      runApi(async () => {
        const target = providerTarget(opts);
        if (opts.confirm === undefined) {
          const step = (await apiRequest(target, "DELETE", path(name))) as {
            confirm: string;
            expiresAt: string;
          };
          print(
            opts.json,
            step,
            () =>
              `nothing is deleted yet: to delete tenant ${name}, its config and files (its call records are kept), run before ${step.expiresAt}:\n` +
              `  parley tenants delete ${name} --confirm ${step.confirm}`,
          );
          return;
        }
        const query = `?confirm=${encodeURIComponent(opts.confirm)}`;
        const done = (await apiRequest(target, "DELETE", path(name, query))) as {
          name: string;
          cdrsKeptUntil: string;
        };
        print(
          opts.json,
          done,
          () => `tenant ${done.name} deleted; its call records are kept until ${done.cdrsKeptUntil}`,
        );
      }),
    );

  apiCommand(tenants, "token")
    .description("a new API token for a tenant's administrator, shown once; the old one stops working")
    .argument("<name>", "the tenant's name")
    .action((name: string, opts: ApiOptions) =>
      runApi(async () => {
        const body = (await apiRequest(providerTarget(opts), "POST", path(name, "/token"))) as {
          apiToken: string;
        };
        print(opts.json, body, () => body.apiToken);
      }),
    );
}
