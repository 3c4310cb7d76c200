/**
 * baresip (Debian baresip-core 1.0.0) as a real phone for end-to-end tests, fully headless: a
 * config dir with one account, no sound card (aubridge sinks), run for a bounded time.
 * Pitfalls learnt the hard way: it also binds SIP/TLS on listen port + 1, and it must be told
 * the interface or it advertises the machine's outside address.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTool, type ToolResult } from "./run-tool.js";

export interface BaresipOptions {
  /** The account line, e.g. `<sip:101@127.0.0.1:5060>;auth_pass=101;regint=60`. */
  account: string;
  /** SIP listen port; listen port + 1 is taken too (TLS). */
  sipPort: number;
  /** Seconds to run before quitting (it un-registers on the way out). */
  seconds: number;
  rtpPorts?: string;
  /** Commands to run at start (`-e`), e.g. "/dial sip:100@...". */
  commands?: string[];
}

export function baresipConfigDir(o: BaresipOptions): string {
  const dir = mkdtempSync(join(tmpdir(), "parley-baresip-"));
  writeFileSync(
    join(dir, "config"),
    [
      "poll_method epoll",
      `sip_listen 127.0.0.1:${o.sipPort}`,
      "net_interface 127.0.0.1",
      "audio_player aubridge,sink",
      "audio_source aubridge,src",
      `rtp_ports ${o.rtpPorts ?? "26600-26699"}`,
      "statmode_default off",
      "module_path /usr/lib/baresip/modules",
      "module g711.so",
      "module aubridge.so",
      "module_tmp uuid.so",
      "module_tmp account.so",
      "module_app menu.so",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "accounts"), `${o.account}\n`);
  writeFileSync(join(dir, "contacts"), "");
  return dir;
}

/** Run baresip for `seconds` and return its output (ANSI colours removed). */
export async function runBaresip(o: BaresipOptions): Promise<ToolResult & { dir: string }> {
  const dir = baresipConfigDir(o);
  const args = ["-f", dir, "-t", String(o.seconds)];
  for (const c of o.commands ?? []) args.push("-e", c);
  const r = await runTool("baresip", args, (o.seconds + 40) * 1000);
  const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
  return { code: r.code, stdout: strip(r.stdout), stderr: strip(r.stderr), dir };
}
