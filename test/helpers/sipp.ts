/**
 * The one sipp command line of the end-to-end tests: a scenario of test/e2e/scenarios run from
 * 127.0.0.1:`port` (toward Parley, or waiting as a UAS when no remote port is given), never reading
 * the terminal, failing on its own timeout; plus its injection files (-inf).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
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

export function runSipp(run: SippRun): Promise<ToolResult> {
  return runTool("sipp", sippArgs(run), run.killAfterMs ?? 30_000);
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
