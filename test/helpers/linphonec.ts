/**
 * linphonec (Debian linphone-cli 5.1, the belle-sip stack) as a second, independent real phone
 * for end-to-end tests, driven headless through stdin. Pitfalls: $HOME/.local/share/linphone
 * must exist or SIP never starts; use_ipv6=0 and ipv6_migration_done=1 keep IPv6 out of SDP;
 * bind addresses keep SIP and RTP on loopback.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Linphonec {
  readonly proc: ChildProcessWithoutNullStreams;
  /** stdout + stderr so far. */
  output(): string;
  command(line: string): void;
  /** Send "quit" and wait for the process to end (killed after `ms`). */
  quit(ms?: number): Promise<void>;
}

export function startLinphonec(sipPort: number, rtpPorts = "26300-26399"): Linphonec {
  const dir = mkdtempSync(join(tmpdir(), "parley-linphonec-"));
  mkdirSync(join(dir, "home/.local/share/linphone"), { recursive: true });
  writeFileSync(
    join(dir, "lprc"),
    [
      "[sip]",
      "bind_address=127.0.0.1",
      `sip_port=${sipPort}`,
      "sip_tcp_port=0",
      "sip_tls_port=0",
      "use_ipv6=0",
      "ipv6_migration_done=1",
      "register_only_when_network_is_up=0",
      "register_only_when_upnp_is_ok=0",
      "[rtp]",
      "bind_address=127.0.0.1",
      `audio_rtp_port=${rtpPorts}`,
      "[sound]",
      "echocancellation=0",
      "[video]",
      "display=0",
      "capture=0",
      "",
    ].join("\n"),
  );
  const proc = spawn("linphonec", ["-c", join(dir, "lprc")], {
    env: { ...process.env, HOME: join(dir, "home") },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let text = "";
  proc.stdout.on("data", (c: Buffer) => {
    text += c.toString();
  });
  proc.stderr.on("data", (c: Buffer) => {
    text += c.toString();
  });
  return {
    proc,
    output: () => text,
    command: (line) => {
      proc.stdin.write(`${line}\n`);
    },
    quit: (ms = 15000) =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
        proc.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        proc.stdin.write("quit\n");
      }),
  };
}
