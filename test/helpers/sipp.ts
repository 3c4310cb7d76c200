/**
 * The one sipp command line of the end-to-end tests: a scenario of test/e2e/scenarios run from
 * 127.0.0.1:`port` (toward Parley, or waiting as a UAS when no remote port is given), never reading
 * the terminal, failing on its own timeout; plus its injection files (-inf).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitPortBound } from "./port-bound.js";
import { runTool, type ToolResult } from "./run-tool.js";

export const scenarios = new URL("../e2e/scenarios/", import.meta.url).pathname;

export interface SippRun {
  /** A file of test/e2e/scenarios. */
  readonly scenario: string;
  /** The local port sipp binds on 127.0.0.1. */
  readonly port: number;
  /** Where a UAC sends (127.0.0.1:remotePort); none for a UAS waiting to be called. */
  readonly remotePort?: number;
  /** Calls to run (-m); default 1. */
  readonly calls?: number;
  /** u1 (UDP, the default) or t1 (TCP). */
  readonly transport?: "u1" | "t1";
  /** Calls per second (-r). */
  readonly rate?: number;
  /** sipp's own limit for the whole run, seconds (-timeout, an error when reached); default 20. */
  readonly timeoutSeconds?: number;
  /** More options, last (so they win over the ones above). */
  readonly extra?: readonly string[];
  /** When the process is killed if sipp has not ended, ms; default 30 000. */
  readonly killAfterMs?: number;
}

export function sippArgs(run: SippRun): string[] {
  return [
    ...(run.remotePort === undefined ? [] : [`127.0.0.1:${run.remotePort}`]),
    "-sf",
    scenarios + run.scenario,
    "-i",
    "127.0.0.1",
    "-p",
    String(run.port),
    ...(run.transport === undefined ? [] : ["-t", run.transport]),
    "-m",
    String(run.calls ?? 1),
    ...(run.rate === undefined ? [] : ["-r", String(run.rate)]),
    "-nostdin",
    "-bind_local",
    "-timeout",
    `${run.timeoutSeconds ?? 20}s`,
    "-timeout_error",
    ...(run.extra ?? []),
  ];
}

export function runSipp(run: SippRun, onSpawn?: (pid: number) => void): Promise<ToolResult> {
  return runTool("sipp", sippArgs(run), run.killAfterMs ?? 30_000, undefined, onSpawn);
}

/** sipp's words when its port was taken (errno 98) between the free-port check and its bind. */
export function portWasTaken(r: ToolResult): boolean {
  return /Address already in use|errno = 98/.test(r.stderr + r.stdout);
}

export interface StartedSipp {
  /** The port sipp bound (another than asked when the first was taken and `nextPort` gave one). */
  readonly port: number;
  /** Resolves when sipp ends. */
  readonly done: Promise<ToolResult>;
  /** sipp's socket was seen bound (false: it exited first, or did not bind in time). */
  readonly bound: boolean;
}

/**
 * Starts sipp (a UAS waiting to be called, usually) and resolves once its SIP socket is bound, so
 * nothing sent to it is lost: no fixed sleep. sipp cannot bind port 0 and report it, so its port
 * comes from the free-port helper and may be taken in between: then, when `nextPort` is given,
 * sipp starts again on the port it returns (up to three times). When sipp exits before binding for
 * another reason, `done` holds its output for the test to report.
 */
export async function startSipp(run: SippRun, nextPort?: () => Promise<number>): Promise<StartedSipp> {
  let current = run;
  for (let attempt = 1; ; attempt++) {
    let pid: number | undefined;
    const done = runSipp(current, (p) => {
      pid = p;
    });
    const protocol = current.transport === "t1" ? "tcp" : "udp";
    if (await waitPortBound(current.port, protocol, { stop: done, timeoutMs: 15_000, pid })) {
      return { port: current.port, done, bound: true };
    }
    const early = await Promise.race([done, new Promise<undefined>((r) => setTimeout(r, 0, undefined))]);
    if (early === undefined || nextPort === undefined || attempt >= 3 || !portWasTaken(early)) {
      return { port: current.port, done, bound: false };
    }
    current = { ...current, port: await nextPort() };
  }
}

/** A sipp injection file in `dir`, read in order: one row per call, fields [field0, field1, ...]. */
export function injectionFile(dir: string, rows: ReadonlyArray<readonly string[]>): string {
  const file = join(dir, `inject-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, ["SEQUENTIAL", ...rows.map((row) => row.join(";"))].join("\n") + "\n");
  return file;
}

/** An injection file of digest credentials: field0 = user, field1 = sipp's [authentication] keyword. */
export function credentialsFile(
  dir: string,
  users: ReadonlyArray<readonly [user: string, password: string]>,
): string {
  return injectionFile(
    dir,
    users.map(([user, password]) => [user, `[authentication username=${user} password=${password}]`]),
  );
}
