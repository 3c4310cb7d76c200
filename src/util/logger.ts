/**
 * Structured logging (pino). JSON lines for machines; pretty lines on a terminal. Pretty printing
 * runs in pino's worker-thread transport so it never blocks the signalling loop.
 */
import { type Logger, pino } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: string;
  format: "pretty" | "json";
}

export function createLogger(options: LoggerOptions): Logger {
  if (options.format === "pretty") {
    return pino({
      level: options.level,
      transport: {
        target: "pino-pretty",
        options: {
          colorize: process.stdout.isTTY === true,
          translateTime: "SYS:HH:MM:ss.l",
          ignore: "pid,hostname",
        },
      },
    });
  }
  return pino({ level: options.level, base: { name: "parley" } });
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
