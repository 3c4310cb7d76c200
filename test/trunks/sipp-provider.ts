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
import { injectionFile, runSipp } from "../helpers/sipp.js";

export interface Provider {
  readonly port: number;
  /** Resolves when the scenario has run its calls (or timed out). */
  readonly done: Promise<ToolResult>;
  /** The SIP messages sipp received so far, as text. */
  received(): string[];
}

export interface ProviderOptions {
  /** Digest user name and password the provider expects. */
  readonly user?: string;
  readonly password?: string;
  /** Calls the scenario runs (-m). */
  readonly calls?: number;
  readonly port?: number;
}

export async function startProvider(scenario: string, options: ProviderOptions = {}): Promise<Provider> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "parley-provider-"));
  const csv = injectionFile(dir, [[options.user ?? "-", options.password ?? "-"]]);
  const trace = join(dir, "messages.log");
  const done = runSipp({
    scenario,
    port,
    calls: options.calls ?? 1,
    timeoutSeconds: 30,
    extra: ["-inf", csv, "-trace_msg", "-message_file", trace],
    killAfterMs: 40_000,
  });
  // sipp needs a moment to bind before anything is sent to it.
  await new Promise((r) => setTimeout(r, 300));
  return {
    port,
    done,
    received() {
      let text: string;
      try {
        text = readFileSync(trace, "latin1");
      } catch {
        return [];
      }
      // Each entry: "----- <time>\nUDP message received [n] bytes :\n\n<message>\n".
      return text
        .split(/^-{20,}.*$/m)
        .filter((block) => /message received \[\d+\] bytes/.test(block))
        .map((block) => block.slice(block.indexOf(":\n") + 2).trim());
    },
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
