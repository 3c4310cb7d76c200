/**
 * `parley calls [list] | calls hangup <id>`, `parley registrations [list] | registrations remove <id>`,
 * `parley bans [list] | bans lift <address>` and `parley status` (issue 23: the CLI covers what the
 * API covers for day-to-day work). Calls in progress, registration bindings, bans and the status
 * exist only in the running server's memory, so these ask it through its REST API, found as
 * api-client.ts says; --json prints the API's payload as it came. Exit codes: 0 done, 1 no server,
 * refused token or no such call / binding / ban, 2 a bad option (named).
 */
import { isIP } from "node:net";
import type { Command } from "commander";
import type { Static } from "typebox";
import type { ActiveCallList, BanList, RegistrationList, Status } from "../api/schemas.js";
import { sourceKey } from "../auth/source-key.js";
import { type ApiOptions, apiCommand, apiRequest, apiTarget, clockDuration, runApi } from "./api-client.js";
import { table, UsageError } from "./user-commands.js";

type CallItem = Static<typeof ActiveCallList>["items"][number];
type RegistrationItem = Static<typeof RegistrationList>["items"][number];
type BanItem = Static<typeof BanList>["items"][number];
type StatusBody = Static<typeof Status>;

const CALL_STATES = ["ringing", "answered", "ending"] as const;
const TRANSPORTS = ["udp", "tcp", "tls", "ws", "wss"] as const;

/** "2027-01-15 08:00:00 UTC" from an ISO time, as the other list commands print times. */
const when = (iso: string) => `${iso.slice(0, 19).replace("T", " ")} UTC`;

/** "1d 2h 3m 4s", largest unit first, zero units left out (as `uptime` reads). */
export function uptime(seconds: number): string {
  const parts: string[] = [];
  const units = [
    [86_400, "d"],
    [3600, "h"],
    [60, "m"],
  ] as const;
  let rest = seconds;
  for (const [size, unit] of units) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(" ");
}

/** An address and port as a URI writes them: IPv6 in brackets. */
const hostPort = (address: string, port: number) =>
  `${address.includes(":") ? `[${address}]` : address}:${port}`;

/** The value of an option restricted to a set; anything else names the option and the set. */
function oneOf<T extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(
      `${option} must be ${allowed.join(", ").replace(/, ([^,]*)$/, " or $1")} (not "${value}")`,
    );
  return value as T;
}

function print(json: boolean | undefined, payload: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(payload, null, 2)}\n` : `${text()}\n`);
}

export function callsTable(items: readonly CallItem[]): string {
  if (items.length === 0) return "no calls in progress";
  const rows = items.map((c) => [
    c.id,
    c.state,
    c.caller,
    c.dialed,
    c.callee ?? "-",
    when(c.startedAt),
    c.answeredAt === undefined ? "-" : clockDuration(c.durationSeconds),
    c.media === undefined ? "direct" : `relayed (${c.media.reason})`,
  ]);
  const header = ["ID", "STATE", "CALLER", "DIALED", "CALLEE", "STARTED", "TALK", "MEDIA"];
  return `${table(header, rows)}\n${items.length} ${items.length === 1 ? "call" : "calls"}`;
}

export function registrationsTable(items: readonly RegistrationItem[]): string {
  if (items.length === 0) return "no registrations";
  const rows = items.map((r) => [
    r.user,
    r.transport,
    hostPort(r.sourceAddress, r.sourcePort),
    `${r.expiresIn} s`,
    r.userAgent ?? "-",
    r.contact,
    r.id,
  ]);
  const header = ["USER", "TRANSPORT", "SOURCE", "EXPIRES IN", "USER AGENT", "CONTACT", "ID"];
  return `${table(header, rows)}\n${items.length} ${items.length === 1 ? "binding" : "bindings"}`;
}

export function bansTable(items: readonly BanItem[]): string {
  if (items.length === 0) return "no bans";
  const rows = items.map((b) => [
    b.address,
    when(b.since),
    when(b.until),
    clockDuration(b.expiresIn),
    String(b.failures),
    b.reason,
  ]);
  return table(["ADDRESS", "SINCE", "UNTIL", "LEFT", "FAILURES", "REASON"], rows);
}

/** "activeCalls" → "active calls": counter names read as words. */
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

export function statusText(s: StatusBody): string {
  const lines: [string, string][] = [
    ["version", s.version],
    ["started", when(s.startedAt)],
    ["uptime", uptime(s.uptimeSeconds)],
  ];
  for (const [i, l] of s.listeners.entries()) {
    lines.push([i === 0 ? "listening" : "", `${l.protocol.toLowerCase()} ${hostPort(l.address, l.port)}`]);
  }
  for (const [key, value] of Object.entries(s.counts)) lines.push([words(key), String(value)]);
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, value]) => `${key.padEnd(width)}  ${value}`.trimEnd()).join("\n");
}

function registerCalls(program: Command): void {
  const calls = program.command("calls").description("the calls in progress on a running server");

  apiCommand(calls, "list", { isDefault: true })
    .description("list the calls in progress (the default)")
    .option("--state <state>", `only calls in this state: ${CALL_STATES.join(", ")}`)
    .option("--number <number>", "only calls whose caller, dialed number or callee is exactly this")
    .action((opts: ApiOptions & { state?: string; number?: string }) =>
      runApi(async () => {
        const state = oneOf("--state", opts.state, CALL_STATES);
        if (opts.number === "") throw new UsageError("--number must not be empty");
        const body = (await apiRequest(apiTarget(opts), "GET", "/calls")) as { items: CallItem[] };
        // The API lists every call; the filters are the CDR list's, applied here.
        const items = body.items.filter(
          (c) =>
            (state === undefined || c.state === state) &&
            (opts.number === undefined || [c.caller, c.dialed, c.callee].includes(opts.number)),
        );
        print(opts.json, { items }, () => callsTable(items));
      }),
    );

  apiCommand(calls, "hangup")
    .description("end a call (CANCEL or BYE on every leg); its CDR is written as usual")
    .argument("<id>", "the call's id (see parley calls)")
    .action((id: string, opts: ApiOptions) =>
      runApi(async () => {
        await apiRequest(apiTarget(opts), "DELETE", `/calls/${encodeURIComponent(id)}`);
        print(opts.json, { hungUp: id }, () => `call ${id} is being hung up`);
      }),
    );
}

function registerRegistrations(program: Command): void {
  const registrations = program
    .command("registrations")
    .description("the live registration bindings of a running server");

  apiCommand(registrations, "list", { isDefault: true })
    .description("list the bindings (the default)")
    .option("--user <name>", "only this user's bindings")
    .option("--transport <transport>", `only bindings over ${TRANSPORTS.join(", ")}`)
    .action((opts: ApiOptions & { user?: string; transport?: string }) =>
      runApi(async () => {
        const transport = oneOf("--transport", opts.transport, TRANSPORTS);
        if (opts.user === "") throw new UsageError("--user must not be empty");
        const query = opts.user === undefined ? "" : `?user=${encodeURIComponent(opts.user)}`;
        const body = (await apiRequest(apiTarget(opts), "GET", `/registrations${query}`)) as {
          items: RegistrationItem[];
        };
        const items = body.items.filter(
          (r) => transport === undefined || r.transport.toLowerCase() === transport,
        );
        print(opts.json, { items }, () => registrationsTable(items));
      }),
    );

  apiCommand(registrations, "remove")
    .description("remove one binding (the phone must register again)")
    .argument("<id>", "the binding's id (see parley registrations)")
    .action((id: string, opts: ApiOptions) =>
      runApi(async () => {
        await apiRequest(apiTarget(opts), "DELETE", `/registrations/${encodeURIComponent(id)}`);
        print(opts.json, { removed: id }, () => `registration ${id} removed`);
      }),
    );
}

function registerBans(program: Command): void {
  const bans = program
    .command("bans")
    .description("source addresses a running server banned after failed authentications");

  apiCommand(bans, "list", { isDefault: true })
    .description("list the addresses banned now (the default)")
    .option("--address <ip>", "only this address")
    .action((opts: ApiOptions & { address?: string }) =>
      runApi(async () => {
        if (opts.address !== undefined && isIP(opts.address) === 0)
          throw new UsageError(`--address must be an IP address (not "${opts.address}")`);
        const body = (await apiRequest(apiTarget(opts), "GET", "/bans")) as { items: BanItem[] };
        // An IPv6 source is banned by its /64: any address in it names the ban.
        const key = opts.address === undefined ? undefined : sourceKey(opts.address);
        const items = body.items.filter((b) => key === undefined || b.address === key);
        print(opts.json, { items }, () => bansTable(items));
      }),
    );

  apiCommand(bans, "lift")
    .description("lift the ban on an address (its failure count starts again)")
    .argument("<address>", "the banned IP address (see parley bans)")
    .action((address: string, opts: ApiOptions) =>
      runApi(async () => {
        if (isIP(address) === 0) throw new UsageError(`<address> must be an IP address (not "${address}")`);
        await apiRequest(apiTarget(opts), "DELETE", `/bans/${encodeURIComponent(address)}`);
        print(opts.json, { lifted: address }, () => `ban on ${address} lifted`);
      }),
    );
}

export function registerOpsCommands(program: Command): void {
  registerCalls(program);
  registerRegistrations(program);
  registerBans(program);
  apiCommand(program, "status")
    .description("a running server's version, uptime, listeners and counts")
    .action((opts: ApiOptions) =>
      runApi(async () => {
        const body = (await apiRequest(apiTarget(opts), "GET", "/status")) as StatusBody;
        print(opts.json, body, () => statusText(body));
      }),
    );
}
