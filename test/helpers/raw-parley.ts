/**
 * A bare `parley start` child process for the tests of starting and stopping themselves (start-up
 * order, early signals), where parley-process.ts's helper (which waits for a good start) does not
 * fit: the caller sees every byte of output and decides when to signal it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;

export interface RawParley {
  readonly proc: ChildProcessWithoutNullStreams;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Resolves when it exits. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `parley start` on loopback with the given SIP, TLS and HTTP ports and data dir. */
export function spawnParley(dataDir: string, [sip, tls, http]: readonly number[]): RawParley {
  const proc = spawn(
    process.execPath,
    [
      join(root, "bin/parley.js"),
      "start",
      ...["--bind", "127.0.0.1", "--sip-port", String(sip), "--sip-tls-port", String(tls)],
      ...["--http-port", String(http), "--http-bind", "127.0.0.1", "--data-dir", dataDir],
      ...["--log-format", "json", "--stun-port", "0"],
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  // A test file that dies mid-way must not leave a server running.
  process.once("exit", () => proc.kill("SIGKILL"));
  let text = "";
  proc.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
  proc.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => text, ended };
}
