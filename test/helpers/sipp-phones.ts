/**
 * sipp phones for end-to-end tests against a real `parley start`: a callee registers from the
 * port its UAS scenario then listens on (so Parley reaches it at the observed source address); a
 * caller or sender authenticates with the credentials of a one-line injection file.
 */
import assert from "node:assert/strict";
import type { ParleyProcess } from "./parley-process.js";
import { freePort } from "./ports.js";
import type { ToolResult } from "./run-tool.js";
import { credentialsFile, runSipp } from "./sipp.js";

/** A sipp injection file: field0 = user, field1 = its digest credentials (password = name). */
export function credentials(parley: ParleyProcess, user: string): string {
  return credentialsFile(parley.dataDir, [[user, user]]);
}

/** Runs one call of `scenario` from 127.0.0.1:`port` toward Parley. */
export function sipp(
  parley: ParleyProcess,
  scenario: string,
  port: number,
  extra: string[],
): Promise<ToolResult> {
  return runSipp({ scenario, port, remotePort: parley.sipPort, extra });
}

/** Registers `user` from a free port, then runs the UAS `scenario` there (`done` when it ends). */
export async function registeredUas(
  parley: ParleyProcess,
  user: string,
  scenario: string,
  extra: string[] = [],
): Promise<{ done: Promise<ToolResult>; port: number }> {
  const port = await freePort();
  const reg = await sipp(parley, "call-register.xml", port, ["-inf", credentials(parley, user)]);
  assert.equal(reg.code, 0, reg.stdout + reg.stderr);
  // Wrapped: an async function returning the bare promise would wait for the scenario to end.
  const done = sipp(parley, scenario, port, extra);
  await new Promise((r) => setTimeout(r, 500));
  return { done, port };
}

/** Runs a UAC `scenario` as `user` toward `dialed` (the scenario's [service]). */
export async function uac(
  parley: ParleyProcess,
  user: string,
  dialed: string,
  scenario: string,
  extra: string[] = [],
): Promise<ToolResult> {
  return sipp(parley, scenario, await freePort(), [
    "-inf",
    credentials(parley, user),
    "-s",
    dialed,
    ...extra,
  ]);
}

/** Asserts a sipp run passed, with its output and Parley's log tail when not. */
export function passed(r: ToolResult, what: string, parley?: ParleyProcess): void {
  assert.equal(
    r.code,
    0,
    `${what}:\n${r.stdout.slice(-1500)}\n${r.stderr}\nparley:\n${parley?.output().slice(-3000) ?? ""}`,
  );
}
