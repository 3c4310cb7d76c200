/**
 * `parley parked`: the calls waiting in the parking lot (issue 16, call park). Parked calls live in
 * the running server's memory, not in the store, so unlike the other commands this one asks the
 * server: GET /api/v1/parked on its REST API. Where that is and the bearer token come from the same
 * settings as `start` (--http-port, --http-bind, --api-token or the token file the server wrote
 * into the data dir), or from --url and --token. Exit codes: 0 listed, 1 no server or refused,
 * 2 bad settings or flags.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { ParkedCallItemType } from "../api/routes/parked.js";
import { TOKEN_FILE_NAME } from "../api/token.js";
import type { Settings } from "../config/settings.js";
import { EXIT_FAILURE, run, type StoreOptions, storeSettings, table, UsageError } from "./user-commands.js";

interface ParkedOptions extends Pick<StoreOptions, "dataDir" | "config" | "json"> {
  url?: string;
  token?: string;
}

/** The server's API as this host reaches it: a wildcard bind is reached on the loopback. */
function apiUrl(settings: Settings): string {
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
function apiToken(settings: Settings): string {
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

/** "m:ss", or "h:mm:ss" from an hour (as the dashboard shows durations). */
function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const mm = String(Math.floor((seconds % 3600) / 60));
  const ss = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** A failure to tell the administrator about, without a stack: exit code 1. */
class ServerError extends Error {}

async function fetchParked(url: string, token: string): Promise<ParkedCallItemType[]> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/v1/parked`, { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ServerError(`no Parley server answers at ${url} (${cause}): is it running?`);
  }
  if (res.status === 401) throw new ServerError(`the server at ${url} refused the API token`);
  if (res.status === 404)
    throw new ServerError(`the server at ${url} has no /api/v1/parked (an older version?)`);
  if (!res.ok) throw new ServerError(`the server at ${url} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { items: ParkedCallItemType[] }).items;
}

const party = (p: ParkedCallItemType["parked"]) =>
  p.displayName === "" ? p.user : `${p.user} (${p.displayName})`;

function state(call: ParkedCallItemType): string {
  const status = call.ringingBack ? "ringing back" : "on hold";
  return call.ringBacks > 0 ? `${status}, ring-backs: ${call.ringBacks}` : status;
}

export function parkedTable(items: readonly ParkedCallItemType[]): string {
  if (items.length === 0) return "no parked calls";
  return table(
    ["SLOT", "PARKED", "PARKED BY", "TIME", "STATE"],
    items.map((c) => [String(c.slot), party(c.parked), party(c.parker), duration(c.parkedSeconds), state(c)]),
  );
}

export function registerParkedCommand(program: Command): void {
  program
    .command("parked")
    .description("the parked calls of a running server (through its REST API), by slot")
    .option("--url <url>", "the server's API, e.g. http://127.0.0.1:8080 (default: from the settings)")
    .option(
      "--token <token>",
      "the API token (default: the apiToken setting, else the data dir's token file)",
    )
    .option("--data-dir <dir>", "the server's data directory (where its token file is)")
    .option("--config <file>", "JSON config file of settings (env PARLEY_CONFIG)")
    .option("--json", "print JSON instead of text")
    .action((opts: ParkedOptions) =>
      run(async () => {
        const settings = storeSettings(opts);
        const url = (opts.url ?? apiUrl(settings)).replace(/\/+$/, "");
        try {
          const items = await fetchParked(url, opts.token ?? apiToken(settings));
          process.stdout.write(opts.json ? `${JSON.stringify(items, null, 2)}\n` : `${parkedTable(items)}\n`);
        } catch (error) {
          if (!(error instanceof ServerError)) throw error;
          process.stderr.write(`parley: ${error.message}\n`);
          process.exitCode = EXIT_FAILURE;
        }
      }),
    );
}
