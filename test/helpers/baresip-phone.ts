/**
 * baresip (Debian baresip-core 1.0.0) as a long-running phone with audio, driven over its
 * ctrl_tcp JSON channel: plays an 8 kHz mono 16-bit WAV (aufile), records both directions of
 * every call (sndfile: rec/dump-*-enc.wav = sent, rec/dump-*-dec.wav = received), auto-answers
 * when asked. No sound card: the player is a silent aubridge sink.
 * Pitfalls (baresip 1.0.0): it binds SIP/TLS on listen port + 1; it must be told the interface
 * or it advertises the machine's outside address; ctrl_tcp serves one client at a time (one
 * session is kept); events are not replayed (registration is read from the log); ausine works
 * only at 48 kHz (hence WAV files); the aufile source ends the call at end of file (pad the WAV).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, freePortPair } from "./ports.js";
import { runTool } from "./run-tool.js";

export interface PhoneOptions {
  /** Account line, e.g. `<sip:100@127.0.0.1:5060>;auth_pass=100;regint=60`. */
  account: string;
  /** WAV (8 kHz mono S16) the phone sends in calls. */
  source: string;
  /** Answer incoming calls at once. */
  autoAnswer?: boolean;
  /** RTP port range, e.g. "26600-26649". */
  rtpPorts: string;
  /** The phone's own address (SIP, RTP, its ctrl channel); default 127.0.0.1. */
  address?: string;
  /** Run inside this network namespace (`ip netns exec`), e.g. one a test made behind a NAT. */
  netns?: string;
  /**
   * Subscribe to the account's message-summary (baresip's mwi module, RFC 3842); NOTIFY bodies
   * arrive as MWI_NOTIFY events.
   */
  mwi?: boolean;
  /**
   * Colleagues whose presence the phone watches (baresip's presence module, RFC 3856): contact
   * URIs, each subscribed (`;presence=p2p`); `presence()` reads their state.
   */
  watch?: readonly string[];
  /**
   * Keys pressed on the phone (`press`) are sent as DTMF (RFC 4733 telephone-events, as baresip
   * does by default): its stdio module reads them from stdin, as from a keypad.
   */
  keys?: boolean;
}

export interface BaresipEvent {
  type?: string;
  [k: string]: unknown;
}

export class BaresipPhone {
  readonly events: BaresipEvent[] = [];
  private text = "";
  private sock?: Socket;
  private token = 0;
  private constructor(
    readonly dir: string,
    readonly proc: ChildProcess,
    /** The phone's SIP port (UDP and TCP). */
    readonly sipPort: number,
  ) {
    const onData = (c: Buffer) => {
      this.text += c.toString().replace(/\x1b\[[0-9;]*m/g, "");
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
  }

  /**
   * Starts a phone and resolves once baresip is ready and its control channel connected. Its ports
   * come from the free-port helper (baresip cannot report a port it picked), so one may be taken
   * before baresip binds it: then it is started again on others (up to three times).
   */
  static async start(o: PhoneOptions): Promise<BaresipPhone> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await BaresipPhone.launch(o);
      } catch (err) {
        if (!(err instanceof Error && /Address already in use/.test(err.message)) || attempt >= 3) throw err;
      }
    }
  }

  private static async launch(o: PhoneOptions): Promise<BaresipPhone> {
    const dir = mkdtempSync(join(tmpdir(), "parley-phone-"));
    mkdirSync(join(dir, "rec"));
    const host = o.address ?? "127.0.0.1";
    const sipPort = await freePortPair();
    const ctrlPort = await freePort();
    writeFileSync(
      join(dir, "config"),
      [
        "poll_method epoll",
        `sip_listen ${host}:${sipPort}`,
        `net_interface ${host}`,
        "audio_player aubridge,sink",
        `audio_source aufile,${o.source}`,
        "audio_alert aubridge,alert",
        "audio_level no",
        `rtp_ports ${o.rtpPorts}`,
        "rtcp_mux no",
        "statmode_default off",
        "module_path /usr/lib/baresip/modules",
        "module g711.so",
        "module sndfile.so",
        "module aufile.so",
        "module aubridge.so",
        "module_tmp uuid.so",
        "module_tmp account.so",
        ...(o.keys === true ? ["module stdio.so"] : []),
        "module_app menu.so",
        "module_app ctrl_tcp.so",
        ...(o.mwi ? ["module_app mwi.so"] : []),
        ...(o.watch !== undefined ? ["module_app contact.so", "module_app presence.so"] : []),
        `ctrl_tcp_listen ${host}:${ctrlPort}`,
        `snd_path ${join(dir, "rec")}`,
        "",
      ].join("\n"),
    );
    const answer = o.autoAnswer ? "answermode=auto" : "answermode=manual";
    const mwi = o.mwi ? ";mwi=yes" : "";
    writeFileSync(join(dir, "accounts"), `${o.account};${answer};audio_codecs=pcmu${mwi}\n`);
    writeFileSync(join(dir, "contacts"), (o.watch ?? []).map((uri) => `<${uri}>;presence=p2p\n`).join(""));
    // stdin kept open as a pipe: baresip 1.0.0 may spin on a closed stdin.
    const [cmd, args] =
      o.netns === undefined
        ? ["baresip", ["-f", dir]]
        : ["ip", ["netns", "exec", o.netns, "baresip", "-f", dir]];
    const proc = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    const phone = new BaresipPhone(dir, proc, sipPort);
    await phone.waitForOutput(/baresip is ready|init failed|Address already in use/, 10000);
    if (!/baresip is ready/.test(phone.text)) {
      proc.kill("SIGKILL");
      throw new Error(`baresip did not start:\n${phone.text}`);
    }
    await phone.connectCtrl(ctrlPort, host);
    return phone;
  }

  output(): string {
    return this.text;
  }

  private connectCtrl(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = connect(port, host, () => resolve());
      sock.once("error", reject);
      let buf = Buffer.alloc(0);
      sock.on("data", (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        for (;;) {
          const colon = buf.indexOf(":");
          if (colon <= 0) break;
          const n = Number(buf.subarray(0, colon).toString());
          if (buf.length < colon + 1 + n + 1) break;
          const payload = buf.subarray(colon + 1, colon + 1 + n).toString();
          buf = buf.subarray(colon + 2 + n);
          try {
            this.events.push(JSON.parse(payload) as BaresipEvent);
          } catch {
            // not JSON: ignored
          }
        }
      });
      this.sock = sock;
    });
  }

  /**
   * Presses keys during a call (`keys` option): each is sent as DTMF, 400 ms apart (the spacing
   * of a person keying, on purpose: baresip's stdio reads one key per press).
   */
  async press(keys: string): Promise<void> {
    for (const key of keys) {
      this.proc.stdin!.write(key);
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  /** A ctrl_tcp command (the long menu name, e.g. "dial", "hangup", "quit"). */
  command(command: string, params = ""): void {
    const msg = JSON.stringify({ command, params, token: String(++this.token) });
    this.sock!.write(`${Buffer.byteLength(msg)}:${msg},`);
  }

  async waitForOutput(re: RegExp, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (re.test(this.text)) return true;
      if (this.proc.exitCode !== null) return re.test(this.text);
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  async waitForEvent(type: string, timeoutMs: number): Promise<BaresipEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.events.find((e) => e.type === type);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  /**
   * The presence of the watched contacts as baresip's `contacts` command lists them (its status
   * word, e.g. "Online", "Busy", "Offline", before each contact).
   */
  async contactsListing(timeoutMs = 3000): Promise<string> {
    const token = String(this.token + 1);
    this.command("contacts");
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const reply = this.events.find((e) => e.response === true && e.token === token);
      if (reply !== undefined) return String(reply.data ?? "");
      await new Promise((r) => setTimeout(r, 50));
    }
    return "";
  }

  /** Waits for the `n`-th event of `type` (1 = the first); false when it has not come in `ms`. */
  async waitForNth(type: string, n: number, ms = 10000): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (this.events.filter((e) => e.type === type).length >= n) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /**
   * Waits until the phone's `n`-th call (1 = the first) is up and what it hears is being recorded
   * (a received dump written since holds a tenth of a second of audio past the WAV header): a call ready
   * for a transfer or keys, with no fixed sleep. False when that has not happened in `ms`.
   */
  async waitForTalking(n = 1, ms = 10000): Promise<boolean> {
    const end = Date.now() + ms;
    if (!(await this.waitForNth("CALL_ESTABLISHED", n, ms))) return false;
    // sndfile names its dump after the two parties, so a second call with the same peer writes the
    // same file again: the call's received audio is a -dec.wav written since it was established.
    const since = Date.now() - 50;
    const rec = join(this.dir, "rec");
    while (Date.now() < end) {
      for (const f of readdirSync(rec)) {
        if (!f.endsWith("-dec.wav")) continue;
        const st = statSync(join(rec, f));
        if (st.mtimeMs >= since && st.size >= 44 + 1600) return true;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  /** The WAV of what this phone received (sndfile's -dec dump), if any. */
  received(): string | undefined {
    const f = readdirSync(join(this.dir, "rec")).find((n) => n.endsWith("-dec.wav"));
    return f === undefined ? undefined : join(this.dir, "rec", f);
  }

  /** `quit` (un-REGISTER, BYE), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
    try {
      this.command("quit");
    } catch {
      // ctrl already gone
    }
    const t = setTimeout(() => this.proc.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(t);
    this.sock?.destroy();
  }
}

/** The account line of a user whose password is its name (the preset users), at `server` (host:port). */
export function presetAccount(user: string, server: string): string {
  return `<sip:${user}@${server}>;auth_pass=${user};regint=60`;
}

/** A tone WAV as aufile wants it: 8 kHz, mono, 16-bit. */
export async function toneWav(path: string, hz: number, seconds: number): Promise<void> {
  const r = await runTool("sox", [
    "-n",
    "-r",
    "8000",
    "-c",
    "1",
    "-b",
    "16",
    path,
    "synth",
    String(seconds),
    "sine",
    String(hz),
    "vol",
    "0.3",
  ]);
  if (r.code !== 0) throw new Error(`sox failed: ${r.stderr}`);
}

/** `sox FILE -n stat`: RMS amplitude, rough frequency and length of a WAV. */
export async function soxStat(
  path: string,
): Promise<{ rms: number; freq: number; seconds: number; text: string }> {
  // --ignore-length: a phone killed before it closed its dump leaves a WAV header claiming no
  // data; read what is there. One retry covers a dump still being flushed when we look.
  let text = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await runTool("sox", ["--ignore-length", path, "-n", "stat"]);
    text = r.stderr + r.stdout;
    if (/Length \(seconds\):/.test(text)) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
  return {
    rms: num(/RMS\s+amplitude:\s+([0-9.e+-]+)/),
    freq: num(/Rough\s+frequency:\s+([0-9.e+-]+)/),
    seconds: num(/Length \(seconds\):\s+([0-9.e+-]+)/),
    text,
  };
}

/**
 * baresip phones of the preset users against one Parley, each with its own RTP port range from
 * `rtpBase` on, started and registered on demand; stopAll() ends every one.
 */
export class PresetPhones {
  private readonly phones: BaresipPhone[] = [];

  constructor(
    /** Parley's SIP address, host:port (read when a phone starts: Parley may start later). */
    private readonly server: () => string,
    private rtpBase: number,
  ) {}

  /** A registered phone of `user` (password = name) sending `source`. */
  async phone(user: string, source: string, options: { mwi?: boolean; autoAnswer?: boolean } = {}) {
    const p = await BaresipPhone.start({
      account: presetAccount(user, this.server()),
      source,
      rtpPorts: `${this.rtpBase}-${this.rtpBase + 49}`,
      ...options,
    });
    this.rtpBase += 50;
    this.phones.push(p);
    if (!(await p.waitForOutput(/200 OK \(Parley[^)]*\) \[1 binding\]/, 10000)))
      throw new Error(`${user} did not register\n${p.output()}`);
    return p;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.phones.map((p) => p.stop()));
  }
}
