/**
 * The `parley` command run as a child process on a data dir, as an administrator would, with no
 * PARLEY_* variable of the test's own environment leaking in (only those given):
 * - parleyCli: the built command (bin/parley.js), for end-to-end tests that run the build;
 * - runParleyCli: the source (src/cli/main.ts through tsx), for tests that need no build.
 */
import { execFile } from "node:child_process";

const BIN = new URL("../../bin/parley.js", import.meta.url).pathname;
const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  entry: string[],
  args: string[],
  dataDir: string,
  env: Record<string, string>,
): Promise<CliResult> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PARLEY_")));
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [...entry, ...args, "--data-dir", dataDir],
      { env: { ...clean, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") fail(error);
        else done({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** `parley <args>` (the build) on `dataDir`; resolves with its exit code and output. */
export function parleyCli(dataDir: string, args: string[]): Promise<CliResult> {
  return run([BIN], args, dataDir, {});
}

/** The same from the source, with extra environment variables. */
export function runParleyCli(
  args: string[],
  dataDir: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return run(["--import", "tsx", MAIN], args, dataDir, env);
}
