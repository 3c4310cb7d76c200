/**
 * The `log` namespace of service scripts (issue 18: "logging"): a line to Parley's structured log
 * at info, warn or error, tagged with the script's name. The parts are joined by spaces as Lua's
 * print does (tables as JSON, nil as "nil"); a line is cut at 2000 characters, so a script cannot
 * flood the log with one call.
 *
 *   log.info("caller", number, "routed to", target)    log.warn({ card = n, left = 0.5 })
 */
import type { HostFunction } from "../../../scripting/index.js";
import type { Logger } from "../../../util/logger.js";

export const MAX_LOG_LINE = 2000;

function part(value: unknown): string {
  if (value === undefined || value === null) return "nil";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The parts as one line, within MAX_LOG_LINE characters. */
export function logLine(parts: unknown[]): string {
  const line = parts.map(part).join(" ");
  return line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE)}… (cut)` : line;
}

export function logApi(
  logger: Pick<Logger, "info" | "warn" | "error">,
  script: string,
): Record<string, HostFunction> {
  return {
    info: (...parts: unknown[]) => logger.info({ script }, logLine(parts)),
    warn: (...parts: unknown[]) => logger.warn({ script }, logLine(parts)),
    error: (...parts: unknown[]) => logger.error({ script }, logLine(parts)),
  };
}
