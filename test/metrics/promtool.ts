/**
 * `promtool check metrics` (Debian package prometheus) over an exposition body: its exit code and
 * what it printed (problems such as a counter without `_total`, or a parse error).
 */
import { spawnSync } from "node:child_process";

export function promtoolCheck(body: string): { code: number | null; output: string } {
  const r = spawnSync("promtool", ["check", "metrics"], { input: body, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}
