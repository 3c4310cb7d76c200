/**
 * Runs a real `parley start` (bin/parley.js, the command users run) as a child process for
 * end-to-end tests, on free loopback ports with a throw-away data dir.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./ports.js";

export interface ParleyProcess {
  readonly sipPort: number;
  readonly tlsPort: number;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly apiToken: string;
  readonly proc: ChildProcess;
  /** Call the REST API; resolves with status and parsed JSON body (undefined when empty). */
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test, checked by the tests
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Parsed JSON log lines so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Raw stdout+stderr text so far. */
  output(): string;
  /** Resolves with the first log line matching. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const root = new URL("../../", import.meta.url).pathname;

export interface StartOptions {
  /** Reuse this data dir (and keep it on stop), e.g. to restart on the same state. */
  dataDir?: string;
  /** Reuse these ports (a restart). */
  ports?: { sip: number; tls: number; http: number };
}

const API_TOKEN = "e2e-test-token-0123456789";

/** Parley's words when a port it needs was taken (the preflight's message, or the bind's code). */
const PORT_TAKEN = /already in use|EADDRINUSE/;

/**
 * Starts Parley and resolves once it logs "parley started". Its ports come from the free-port
 * helper (Parley takes no port 0 to report back: 0 turns a listener off), so one may be taken
 * before Parley binds it: then Parley stops at its port preflight and the start is tried again on
 * other free ports, with a fresh data dir (up to three times; never with `options.ports`).
 */
export async function startParley(
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
  options: StartOptions = {},
): Promise<ParleyProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(extraArgs, env, options);
    } catch (err) {
      const retry =
        options.ports === undefined && attempt < 3 && err instanceof Error && PORT_TAKEN.test(err.message);
      if (!retry) throw err;
    }
  }
}

async function launch(
  extraArgs: string[],
  env: NodeJS.ProcessEnv,
  options: StartOptions,
): Promise<ParleyProcess> {
  const [sipPort, tlsPort, httpPort] = options.ports
    ? [options.ports.sip, options.ports.tls, options.ports.http]
    : await freePorts(3);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "parley-e2e-"));
  const args = [
    join(root, "bin/parley.js"),
    "start",
    "--bind",
    "127.0.0.1",
    "--sip-port",
    String(sipPort),
    "--sip-tls-port",
    String(tlsPort),
    "--http-port",
    String(httpPort),
    "--http-bind",
    "127.0.0.1",
    "--data-dir",
    dataDir,
    "--log-format",
    "json",
    "--api-token",
    API_TOKEN,
    // Tests run side by side: no STUN server on the shared default port unless a test asks (a
    // later --stun-port in extraArgs wins).
    "--stun-port",
    "0",
    ...extraArgs,
  ];
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // A test file that dies mid-way must not leave a server running.
  process.once("exit", () => proc.kill("SIGKILL"));
  let text = "";
  let pending = "";
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    pending += chunk.toString();
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON (stderr text): kept in `text`
      }
      nl = pending.indexOf("\n");
    }
    for (const w of waiters.splice(0)) w();
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));

  const waitForLog = async (match: (line: Record<string, unknown>) => boolean, timeoutMs = 15000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = logs.find(match);
      if (hit) return hit;
      if (proc.exitCode !== null) throw new Error(`parley exited (${proc.exitCode}):\n${text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a log line; output:\n${text}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };

  const p: ParleyProcess = {
    sipPort,
    tlsPort,
    httpPort: httpPort!,
    dataDir,
    apiToken: API_TOKEN,
    proc,
    async api(method, path, body) {
      const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${API_TOKEN}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    logs,
    output: () => text,
    waitForLog,
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      const code = await exited;
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
  try {
    await waitForLog((l) => l.msg === "parley started");
  } catch (err) {
    // Not started (a port taken, or a fault): nothing is left running or on disk that we made.
    await p.stop();
    throw err;
  }
  return p;
}
