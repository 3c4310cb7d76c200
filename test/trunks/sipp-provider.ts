/**
 * A sipp "VoIP provider" (or peer) for end-to-end tests of external lines: a UAS scenario on a
 * free loopback port, its expected digest credentials in an injection file (field0 user name,
 * field1 password), and every message it received, read back from its message trace.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers/ports.js";
import { runTool, type ToolResult } from "../helpers/run-tool.js";

const scenarios = new URL("../e2e/scenarios/", import.meta.url).pathname;

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
  const csv = join(dir, "credentials.csv");
  writeFileSync(csv, `SEQUENTIAL\n${options.user ?? "-"};${options.password ?? "-"}\n`);
  const trace = join(dir, "messages.log");
  const done = runTool(
    "sipp",
    [
      "-sf",
      scenarios + scenario,
      "-i",
      "127.0.0.1",
      "-p",
      String(port),
      "-m",
      String(options.calls ?? 1),
      "-inf",
      csv,
      "-nostdin",
      "-bind_local",
      "-timeout",
      "30s",
      "-timeout_error",
      "-trace_msg",
      "-message_file",
      trace,
    ],
    40_000,
  );
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
