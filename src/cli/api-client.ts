/**
 * The REST API of a running server, as the CLI reaches it. What lives only in the server's memory
 * (parked calls, calls in progress, registrations, bans, status) is not in the store, so those
 * commands ask the server. Where its API is and the bearer token come from the same settings as
 * `start` (--http-port, --http-bind, --api-token or the token file the server wrote into the data
 * dir), or from --url and --token. `--tenant <name>` (issue 21) acts inside that tenant (a virtual
 * PBX): every request carries `X-Parley-Tenant`; it is one option of the whole program, so it may
 * come before or after the command, and a command that does not ask a server refuses it. Exit
 * codes: 0 done, 1 no server, refused token, not found or refused by the API (its message and each
 * field it names), 2 bad settings or flags (UsageError, through user-commands.ts's run()).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { TOKEN_FILE_NAME } from "../api/token.js";
import type { Settings } from "../config/settings.js";
import {
  EXIT_FAILURE,
  EXIT_INVALID,
  run,
  type StoreOptions,
  storeSettings,
  UsageError,
} from "./user-commands.js";

export interface ApiOptions extends Pick<StoreOptions, "dataDir" | "config" | "json"> {
  url?: string;
  token?: string;
  /** The tenant to act in (issue 21): sent as X-Parley-Tenant. */
  tenant?: string;
}

/** A running server's API base URL (no trailing slash), the token it takes and the tenant acted in. */
export interface ApiTarget {
  url: string;
  token: string;
  tenant?: string;
}

/** The header that names the tenant a request acts in (src/tenancy/tenant-http.ts). */
export const TENANT_HEADER = "X-Parley-Tenant";
const TENANT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A failure to tell the administrator about, without a stack: exit code 1. */
export class ServerError extends Error {
  constructor(
    message: string,
    /** The fields the API named, each with what is wrong with it. */
    readonly errors: ReadonlyArray<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** The server's API as this host reaches it: a wildcard bind is reached on the loopback. */
export function apiUrl(settings: Settings): string {
  if (settings.httpPort === 0) throw new UsageError("the REST API is off (http port 0): give --url");
  let host = settings.httpBind;
  if (host === "0.0.0.0") host = "127.0.0.1";
  else if (host === "::") host = "::1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${settings.httpPort}`;
}

/**
 * The token the server uses: the configured one, else the one it generated into the data dir.
 * NOTE: never generates one (api/token.ts's resolveApiToken would), as the server would not know it.
 */
export function apiToken(settings: Settings): string {
  if (settings.apiToken !== undefined && settings.apiToken !== "") return settings.apiToken;
  const file = join(settings.dataDir, TOKEN_FILE_NAME);
  try {
    const token = readFileSync(file, "utf8").trim();
    if (token !== "") return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  throw new UsageError(
    `no API token: give --token, set PARLEY_API_TOKEN, or start the server once (${file})`,
  );
}

/** --url as given, checked; a typo there would otherwise read as "no server answers". */
function givenUrl(text: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(text);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
    throw new UsageError(
      `--url must be an http:// or https:// URL, e.g. http://127.0.0.1:8080 (not "${text}")`,
    );
  return text.replace(/\/+$/, "");
}

/**
 * Where the API is and its token. The settings are read only for what --url and --token leave
 * open, so a stray PARLEY_* variable cannot break a command that names both.
 */
export function apiTarget(opts: ApiOptions): ApiTarget {
  const url = opts.url === undefined ? undefined : givenUrl(opts.url);
  let settings: Settings | undefined;
  const resolved = () => {
    settings ??= storeSettings(opts);
    return settings;
  };
  if (opts.tenant !== undefined && !TENANT_NAME.test(opts.tenant))
    throw new UsageError(
      `--tenant must be a tenant's name: lower-case letters, digits and '-' (not "${opts.tenant}")`,
    );
  return {
    url: url ?? apiUrl(resolved()),
    token: opts.token ?? apiToken(resolved()),
    ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }),
  };
}

/** The headers of every request to `target`: its token, and its tenant when it names one. */
export function apiHeaders(target: ApiTarget): Record<string, string> {
  return {
    authorization: `Bearer ${target.token}`,
    ...(target.tenant === undefined ? {} : { [TENANT_HEADER]: target.tenant }),
  };
}

/** The API's error body's message, else the raw text. */
function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === "string") return body.message;
  } catch {
    // not JSON: the text as it came
  }
  return text;
}

/** The fields an error body names (`errors`), each with its message. */
function fieldErrors(text: string): Array<{ field: string; message: string }> {
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(body.errors)) return [];
    return body.errors.flatMap((e: unknown) => {
      const { field, message } = (e ?? {}) as { field?: unknown; message?: unknown };
      return typeof message === "string" ? [{ field: typeof field === "string" ? field : "", message }] : [];
    });
  } catch {
    return [];
  }
}

/**
 * One request. A server that does not answer, refuses the token or fails is a ServerError; so is a
 * 404, with the route's own message ('call "x" not found'), or "an older version?" when the server
 * has no such route. Resolves with the parsed JSON body, or undefined for 204.
 */
export async function apiRequest(
  target: ApiTarget,
  method: "GET" | "DELETE" | "POST" | "PUT" | "PATCH",
  path: string,
  /** A JSON body (POST, PUT, PATCH). */
  body?: unknown,
): Promise<unknown> {
  let res: Response;
  try {
    const json: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
    res = await fetch(`${target.url}/api/v1${path}`, {
      method,
      headers: { ...apiHeaders(target), ...json },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ServerError(`no Parley server answers at ${target.url} (${cause}): is it running?`);
  }
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (res.status === 401) throw new ServerError(`the server at ${target.url} refused the API token`);
  if (res.status === 404) {
    const message = errorMessage(text);
    // The API's catch-all answers "no route GET /api/v1/...": a server older than this command.
    if (message.startsWith("no route "))
      throw new ServerError(`the server at ${target.url} has no /api/v1${path} (an older version?)`);
    throw new ServerError(message, fieldErrors(text));
  }
  if (!res.ok)
    throw new ServerError(
      `the server at ${target.url} answered ${res.status}: ${errorMessage(text)}`,
      fieldErrors(text),
    );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ServerError(`the server at ${target.url} answered with no JSON (is it Parley?)`);
  }
}

/** The commands that ask a running server: the ones --tenant applies to. */
const apiCommands = new WeakSet<Command>();

/**
 * The program's --tenant (issue 21), before or after the command: handed to the command that asks
 * a server; any other command (one that works on the store, `start`) refuses it rather than act
 * on the default tenant unasked.
 */
export function registerTenantOption(program: Command): void {
  program.option("--tenant <name>", "act inside this tenant (virtual PBX): the commands that ask a server");
  program.hook("preAction", (_program, command) => {
    const tenant = program.opts<{ tenant?: string }>().tenant;
    if (tenant === undefined) return;
    if (!apiCommands.has(command)) {
      process.stderr.write(
        `parley: --tenant applies to the commands that ask a running server, not to "${commandPath(command)}"\n`,
      );
      process.exit(EXIT_INVALID);
    }
    command.setOptionValue("tenant", tenant);
  });
}

/** "parley user list": a command's name with its parents'. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

/** Adds the options every command that asks a running server takes. */
export function apiCommand(parent: Command, name: string, options?: { isDefault?: boolean }): Command {
  const command = parent.command(name, options);
  apiCommands.add(command);
  return command
    .option("--url <url>", "the server's API, e.g. http://127.0.0.1:8080 (default: from the settings)")
    .option(
      "--token <token>",
      "the API token (default: the apiToken setting, else the data dir's token file)",
    )
    .option("--data-dir <dir>", "the server's data directory (where its token file is)")
    .option("--config <file>", "JSON config file of settings [env PARLEY_CONFIG]")
    .option("--json", "print the API's JSON instead of text")
    .option("--tenant <name>", "act inside this tenant (virtual PBX): sent as X-Parley-Tenant");
}

/** run() for commands that ask a server: a ServerError is a message and exit code 1. */
export function runApi(body: () => Promise<void>): Promise<void> {
  return run(async () => {
    try {
      await body();
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      process.stderr.write(`parley: ${error.message}\n`);
      for (const e of error.errors)
        process.stderr.write(`parley: ${e.field === "" ? "" : `${e.field}: `}${e.message}\n`);
      process.exitCode = EXIT_FAILURE;
    }
  });
}

/** "m:ss", or "h:mm:ss" from an hour (as the dashboard shows durations). */
export function clockDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const mm = String(Math.floor((seconds % 3600) / 60));
  const ss = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}
