/** The built `parley` command (bin/parley.js) run on a data dir, as an administrator would. */
import { execFile } from "node:child_process";

const BIN = new URL("../../bin/parley.js", import.meta.url).pathname;

/** `parley <args>` on `dataDir`, with no PARLEY_* variables; resolves with its exit code and output. */
export function parleyCli(
  dataDir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PARLEY_")));
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [BIN, ...args, "--data-dir", dataDir],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") fail(error);
        else done({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}
