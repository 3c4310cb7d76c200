/**
 * Runs a script in a private network namespace with only loopback (`unshare -n`, then `ip link
 * set lo up`): what it sends can never leave this machine, whatever its Via, Contact or Route name
 * (the torture, replay and flood suites). Needs root; `canUnshare` says whether it can run here.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

const root = new URL("../../", import.meta.url).pathname;

export const canUnshare = spawnSync("unshare", ["-n", "true"]).status === 0;

/**
 * Runs `node --import tsx <script>` (a path from the project's root) in a fresh namespace and
 * parses the last line it prints as JSON; asserts it exited 0 (its stderr is the message).
 */
export function runInNetns<T>(script: string, options: { timeoutMs: number; env?: NodeJS.ProcessEnv }): T {
  const r = spawnSync(
    "unshare",
    ["-n", "--", "bash", "-c", `ip link set lo up && exec "${process.execPath}" --import tsx ${script}`],
    { cwd: root, encoding: "utf8", timeout: options.timeoutMs, env: { ...process.env, ...options.env } },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "null") as T;
}
