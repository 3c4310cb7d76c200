/**
 * A sipp "VoIP provider" (or peer) for end-to-end tests of external lines: a UAS scenario on a
 * free loopback port, its expected digest credentials in an injection file (field0 user name,
 * field1 password), and every message it received, read back from its message trace.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers/ports.js";
import type { ToolResult } from "../helpers/run-tool.js";
import { injectionFile, startSipp } from "../helpers/sipp.js";

export interface Provider {
  readonly port: number;
  /** Resolves when the scenario has run its calls (or timed out). */
  readonly done: Promise<ToolResult>;
  /** The SIP messages sipp received so far, as text. */
  received(): string[];
  /** Every message sipp received or sent so far, in order, with when (ms since the epoch). */
  trace(): TracedMessage[];
}

export interface TracedMessage {
  readonly direction: "received" | "sent";
  /** When sipp logged it, ms since the epoch (sipp writes local time, to the microsecond). */
  readonly at: number;
  readonly text: string;
}

export interface ProviderOptions {
  /** Digest user name and password the provider expects. */
  readonly user?: string;
  readonly password?: string;
  /** Calls the scenario runs (-m). */
  readonly calls?: number;
  readonly port?: number;
}

/** sipp's -trace_msg file: each entry "----- <date> <time>\nUDP message received [n] bytes :\n\n<message>". */
export function readTrace(file: string): TracedMessage[] {
  let text: string;
  try {
    text = readFileSync(file, "latin1");
  } catch {
    return [];
  }
  const entries: TracedMessage[] = [];
  const heads = [...text.matchAll(/^-{20,} (\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d\.\d+).*$/gm)];
  heads.forEach((head, i) => {
    const block = text.slice((head.index ?? 0) + head[0].length, heads[i + 1]?.index ?? text.length);
    const kind = /message (received|sent) [[(]\d+[\] ]/.exec(block);
    if (kind === null) return;
    const time = (head[2] ?? "").slice(0, 12);
    entries.push({
      direction: kind[1] === "sent" ? "sent" : "received",
      at: new Date(`${head[1]}T${time}`).getTime(),
      text: block.slice(block.indexOf(":\n") + 2).trim(),
    });
  });
  return entries;
}

/**
 * Starts the provider and resolves once sipp's socket is bound (no fixed sleep); on a free port
 * unless `options.port` names one (then, if it was taken, `done` says so).
 */
export async function startProvider(scenario: string, options: ProviderOptions = {}): Promise<Provider> {
  const dir = mkdtempSync(join(tmpdir(), "parley-provider-"));
  const csv = injectionFile(dir, [[options.user ?? "-", options.password ?? "-"]]);
  const trace = join(dir, "messages.log");
  const { port, done } = await startSipp(
    {
      scenario,
      port: options.port ?? (await freePort()),
      calls: options.calls ?? 1,
      timeoutSeconds: 30,
      extra: ["-inf", csv, "-trace_msg", "-message_file", trace],
      killAfterMs: 40_000,
    },
    options.port === undefined ? () => freePort() : undefined,
  );
  return {
    port,
    done,
    received: () => readTrace(trace).flatMap((m) => (m.direction === "received" ? [m.text] : [])),
    trace: () => readTrace(trace),
  };
}

/** The received requests of a method, in order. */
export function requests(provider: Provider, method: string): string[] {
  return provider.received().filter((m) => m.startsWith(`${method} `));
}

/** A header's value in a message text (first occurrence, case-insensitive name). */
export function header(message: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(message);
  return match?.[1]?.trim();
}

/** The Request-URI of a request text. */
export function requestUri(message: string): string {
  return message.split(/\s+/)[1] ?? "";
}
