/** Runs a third-party tool (sipp, sipsak, ...) with a time limit and captures its output. */
import { spawn, spawnSync } from "node:child_process";

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(
  cmd: string,
  args: string[],
  timeoutMs = 30000,
  env?: NodeJS.ProcessEnv,
  /** Called with the process id once it is spawned (to watch its readiness). */
  onSpawn?: (pid: number) => void,
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: env ? { ...process.env, ...env } : process.env,
    });
    if (proc.pid !== undefined) onSpawn?.(proc.pid);
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    proc.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    proc.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** True if `cmd` is on PATH. */
export function hasTool(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/**
 * Skip reason when a peer tool is missing. In CI (CI=true) a missing tool is a failure, not a
 * skip: .ci/run installs every tool the tests use.
 */
export function missingTool(cmd: string): string | false {
  if (hasTool(cmd)) return false;
  if (process.env.CI === "true") throw new Error(`${cmd} is not installed; .ci/run must install it`);
  return `${cmd} not installed (apt-get install it, see README)`;
}

/**
 * Skip reason when a capability the test needs (a private network namespace, a route of the
 * server) is missing: false when `available`. In CI (CI=true) it is a failure, like a missing tool:
 * a run that skips there hides what it was meant to prove.
 */
export function missingCapability(available: boolean, reason: string): string | false {
  if (available) return false;
  if (process.env.CI === "true") throw new Error(`${reason}; CI must provide it`);
  return reason;
}
