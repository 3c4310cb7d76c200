/**
 * The `http` namespace of service scripts (issue 18: "HTTP requests to configured hosts only (off
 * by default) for CRM lookups"). A request goes only to a host of the script-http-allow setting,
 * read at every request (and every redirect), so a change applies to the next one:
 *
 *   local r = http.get("http://crm.local/api/caller?number=" .. number, { headers = { ["X-Key"] = "k" } })
 *   if r.status == 200 then ... r.body ... r.headers["content-type"] end
 *   http.post("http://crm.local/api/calls", { caller = number })   -- a table is sent as JSON
 *
 * A redirect is followed (up to 5) only on the same host and while that host is allowed; one to
 * another host is the script's answer as it came (status 3xx, headers.location). Only http and
 * https; a timeout (5 s) and a cap on the body (1 MiB) are errors the script can pcall. Node's own
 * fetch (undici) sends the requests.
 */
import { type HostEntry, parseHostList } from "../../../config/host-list.js";
import type { HostFunction } from "../../../scripting/index.js";
import { luaType, optionalTable, text } from "./host-args.js";

export interface HttpApiOptions {
  /** The script-http-allow setting as it is now: "host,host:port"; "" = requests are off. */
  readonly allow: () => string;
  /** For the whole exchange, the body included; 5000 by default. */
  readonly timeoutMs?: number;
  /** Bytes of a response body; 1 MiB by default. */
  readonly maxBytes?: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
  /** content-type, and location for a redirect not followed. */
  headers: Record<string, string>;
}

export const HTTP_DEFAULTS = { timeoutMs: 5000, maxBytes: 1024 * 1024, redirects: 5 } as const;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_PORT: Record<string, number> = { "http:": 80, "https:": 443 };

interface Request {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
}

export function httpApi(o: HttpApiOptions): Record<string, HostFunction> {
  return {
    get: (url: unknown, options: unknown) => send(o, request("GET", url, undefined, options)),
    post: (url: unknown, body: unknown, options: unknown) => send(o, request("POST", url, body, options)),
  };
}

/** The request the arguments describe, checked before anything is sent. */
function request(method: string, url: unknown, body: unknown, options: unknown): Request {
  const raw = text(url, "the URL");
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL`);
  }
  if (DEFAULT_PORT[parsed.protocol] === undefined) {
    throw new Error(`only http and https URLs are allowed, not ${parsed.protocol.slice(0, -1)}`);
  }
  const headers = new Headers();
  const given = optionalTable(optionalTable(options, "the options")?.headers, "headers");
  for (const [name, value] of Object.entries(given ?? {})) {
    if (typeof value !== "string" && typeof value !== "number") {
      throw new Error(`header ${name} must be a string, not ${luaType(value)}`);
    }
    try {
      headers.set(name, String(value));
    } catch {
      throw new Error(`header ${JSON.stringify(name)} is not a valid header`);
    }
  }
  let payload: string | undefined;
  if (typeof body === "string") payload = body;
  else if (typeof body === "object" && body !== null) {
    payload = JSON.stringify(body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  } else if (body !== undefined) {
    throw new Error(`the body must be a string or a table, not ${luaType(body)}`);
  }
  return { method, url: parsed, headers, body: payload };
}

function allowed(list: HostEntry[], url: URL): boolean {
  const port = url.port === "" ? DEFAULT_PORT[url.protocol] : Number(url.port);
  return list.some((e) => e.hostname === url.hostname && (e.port ?? DEFAULT_PORT[url.protocol]) === port);
}

function checkAllowed(o: HttpApiOptions, url: URL): void {
  const list = parseHostList(o.allow());
  if (list.length === 0) throw new Error("HTTP requests are off: script-http-allow is empty");
  if (!allowed(list, url)) throw new Error(`host ${url.host} is not in script-http-allow`);
}

async function send(o: HttpApiOptions, first: Request): Promise<HttpAnswer> {
  const timeoutMs = o.timeoutMs ?? HTTP_DEFAULTS.timeoutMs;
  const signal = AbortSignal.timeout(timeoutMs);
  let req = first;
  try {
    for (let hop = 0; ; hop++) {
      checkAllowed(o, req.url);
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        redirect: "manual",
        signal,
      });
      const next = REDIRECTS.has(res.status) ? redirected(o, req, res, hop) : undefined;
      if (next === undefined) return await answer(res, o.maxBytes ?? HTTP_DEFAULTS.maxBytes);
      await res.body?.cancel();
      req = next;
    }
  } catch (error) {
    if (signal.aborted) throw new Error(`no answer from ${req.url.host} within ${timeoutMs} ms`);
    const cause = (error as { cause?: { message?: string } }).cause;
    if (error instanceof TypeError && cause?.message) {
      throw new Error(`${req.url.host}: ${cause.message}`);
    }
    throw error;
  }
}

/**
 * The request a redirect leads to, when it is to be followed: same host, allowed, within the
 * limit of hops. 303, and 301/302 after a POST, become a GET without a body (RFC 9110 15.4: user
 * agents do so); 307 and 308 repeat the request as it was.
 */
function redirected(o: HttpApiOptions, req: Request, res: Response, hop: number): Request | undefined {
  const location = res.headers.get("location");
  if (location === null || hop >= HTTP_DEFAULTS.redirects) return undefined;
  let url: URL;
  try {
    url = new URL(location, req.url);
  } catch {
    return undefined;
  }
  if (url.hostname !== req.url.hostname || DEFAULT_PORT[url.protocol] === undefined) return undefined;
  if (!allowed(parseHostList(o.allow()), url)) return undefined;
  const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && req.method === "POST");
  if (!toGet) return { ...req, url };
  const headers = new Headers(req.headers);
  headers.delete("content-type");
  return { method: "GET", url, headers, body: undefined };
}

/** The response as the script gets it, its body read up to the cap. */
async function answer(res: Response, maxBytes: number): Promise<HttpAnswer> {
  const over = () => new Error(`the response body is over the limit of ${maxBytes} bytes`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw over();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw over();
      }
      chunks.push(value);
    }
  }
  const headers: Record<string, string> = {};
  for (const name of ["content-type", "location"]) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: res.status, body: Buffer.concat(chunks).toString("utf8"), headers };
}
