/**
 * sipp phones for end-to-end tests against a real `parley start`: a callee registers from the
 * port its UAS scenario then listens on (so Parley reaches it at the observed source address); a
 * caller or sender authenticates with the credentials of a one-line injection file.
 */
import assert from "node:assert/strict";
import type { ParleyProcess } from "./parley-process.js";
import { freePort } from "./ports.js";
import type { ToolResult } from "./run-tool.js";
import { credentialsFile, portWasTaken, runSipp, startSipp } from "./sipp.js";
import { passwordOf } from "./user-passwords.js";

/**
 * A sipp injection file: field0 = user, field1 = its digest credentials (the password addUser
 * gave it, else its name: the preset users).
 */
export function credentials(parley: ParleyProcess, user: string): string {
  return credentialsFile(parley.dataDir, [[user, passwordOf(parley, user)]]);
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

/**
 * Registers `user` from a free port, then runs the UAS `scenario` there (`done` when it ends),
 * resolving once that sipp's socket is bound. A port taken between the free-port check and sipp's
 * bind (sipp cannot bind port 0 and report it) starts over from another free port.
 */
export async function registeredUas(
  parley: ParleyProcess,
  user: string,
  scenario: string,
  extra: string[] = [],
): Promise<{ done: Promise<ToolResult>; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const reg = await sipp(parley, "call-register.xml", port, ["-inf", credentials(parley, user)]);
    if (portWasTaken(reg) && attempt < 3) continue;
    assert.equal(reg.code, 0, reg.stdout + reg.stderr);
    const uas = await startSipp({ scenario, port, remotePort: parley.sipPort, extra });
    if (!uas.bound && attempt < 3 && portWasTaken(await uas.done)) continue;
    return { done: uas.done, port: uas.port };
  }
}

/** Runs a UAC `scenario` as `user` toward `dialed` (the scenario's [service]), from a free port. */
export async function uac(
  parley: ParleyProcess,
  user: string,
  dialed: string,
  scenario: string,
  extra: string[] = [],
): Promise<ToolResult> {
  for (let attempt = 1; ; attempt++) {
    const r = await sipp(parley, scenario, await freePort(), [
      "-inf",
      credentials(parley, user),
      "-s",
      dialed,
      ...extra,
    ]);
    // The free port was taken before sipp bound it: nothing was sent, so run again elsewhere.
    if (!portWasTaken(r) || attempt >= 3) return r;
  }
}

/** Asserts a sipp run passed, with its output and Parley's log tail when not. */
export function passed(r: ToolResult, what: string, parley?: ParleyProcess): void {
  assert.equal(
    r.code,
    0,
    `${what}:\n${r.stdout.slice(-1500)}\n${r.stderr}\nparley:\n${parley?.output().slice(-3000) ?? ""}`,
  );
}
