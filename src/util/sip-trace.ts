/**
 * --sip-trace: every SIP message in and out, as readable text, one log entry each. The message
 * text is the log line's msg so a pretty log shows it as the phone sent it; JSON logs keep the
 * addresses as fields for filtering.
 */
import type { Logger } from "./logger.js";

export interface TraceEvent {
  readonly direction: "in" | "out";
  readonly protocol: string;
  readonly local: { address: string; port: number };
  readonly remote: { address: string; port: number };
  readonly data: Buffer;
}

function hostPort(a: { address: string; port: number }): string {
  return a.address.includes(":") ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

export function traceSip(logger: Logger, e: TraceEvent): void {
  const arrow = e.direction === "in" ? "<-" : "->";
  const head = `SIP ${e.direction} ${e.protocol} ${hostPort(e.local)} ${arrow} ${hostPort(e.remote)} (${e.data.length} bytes)`;
  // Byte strings as latin1 keep every octet visible; bodies are usually SDP text.
  logger.info(
    {
      direction: e.direction,
      protocol: e.protocol,
      local: hostPort(e.local),
      remote: hostPort(e.remote),
      bytes: e.data.length,
    },
    `${head}\n${e.data.toString("latin1")}`,
  );
}
