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
  /**
   * Resolves with the first match of `pattern` in the output from offset `since` on (an earlier
   * `output().length`), or undefined after `ms`.
   */
  waitForOutput(pattern: RegExp, since?: number, ms?: number): Promise<RegExpExecArray | undefined>;
  /** Send "quit" and wait for the process to end (killed after `ms`). */
  quit(ms?: number): Promise<void>;
}

/** An account written into linphonec's config (a proxy with auth info), instead of `register`. */
export interface LinphonecAccount {
  readonly user: string;
  readonly password: string;
  /** host:port of the registrar. */
  readonly server: string;
  /** Publish its own presence (RFC 3903) once registered, as liblinphone does with publish=1. */
  readonly publish?: boolean;
}

/** The [proxy_0] and [auth_info_0] sections liblinphone reads at start. */
function accountSections(a: LinphonecAccount): string[] {
  const host = a.server.split(":")[0];
  return [
    "[proxy_0]",
    `reg_proxy=<sip:${a.server}>`,
    `reg_identity=sip:${a.user}@${host}`,
    "reg_expires=600",
    "reg_sendregister=1",
    `publish=${a.publish === true ? 1 : 0}`,
    "publish_expires=600",
    "[auth_info_0]",
    `username=${a.user}`,
    `passwd=${a.password}`,
    `domain=${host}`,
  ];
}

/**
 * Starts linphonec. `sipPort` -1 (the tests' choice) lets liblinphone bind a port of its own
 * (LC_SIP_TRANSPORT_RANDOM), so no free port is released for another process to take first;
 * Parley learns it from the REGISTER.
 */
export function startLinphonec(
  sipPort: number,
  rtpPorts = "26300-26399",
  options: { account?: LinphonecAccount } = {},
): Linphonec {
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
      ...(options.account === undefined ? [] : ["default_proxy=0"]),
      "[rtp]",
      "bind_address=127.0.0.1",
      `audio_rtp_port=${rtpPorts}`,
      "[sound]",
      "echocancellation=0",
      "[video]",
      "display=0",
      "capture=0",
      ...(options.account === undefined ? [] : accountSections(options.account)),
      "",
    ].join("\n"),
  );
  const proc = spawn("linphonec", ["-c", join(dir, "lprc")], {
    env: { ...process.env, HOME: join(dir, "home") },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (c: Buffer): void => {
    text += c.toString();
    for (const w of [...waiters]) w();
  };
  proc.stdout.on("data", onData);
  proc.stderr.on("data", onData);
  return {
    proc,
    output: () => text,
    command: (line) => {
      proc.stdin.write(`${line}\n`);
    },
    waitForOutput: (pattern, since = 0, ms = 10000) =>
      new Promise((resolve) => {
        const re = new RegExp(pattern.source, pattern.flags.replace("g", ""));
        const check = (): void => {
          const m = re.exec(text.slice(since));
          if (m !== null) done(m);
        };
        const done = (m?: RegExpExecArray): void => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(m);
        };
        const timer = setTimeout(() => done(), ms);
        waiters.add(check);
        check();
      }),
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
