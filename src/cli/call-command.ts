/**
 * `parley call <from> <to> [--auto-answer] [--caller-id <number>] [--timeout <seconds>]`:
 * click-to-call (issue 18) through a running server's REST API (POST /api/v1/calls, found as
 * api-client.ts says): Parley rings <from>, and when it answers connects it to <to>. Prints the
 * call's id (`parley calls hangup <id>` ends it). Exit codes: 0 the call is placed, 1 no server,
 * refused token or refused call (no such user, no device), 2 a bad option (named).
 */
import type { Command } from "commander";
import { type ApiOptions, apiCommand, apiRequest, apiTarget, runApi } from "./api-client.js";
import { UsageError } from "./user-commands.js";

interface CallOptions extends ApiOptions {
  autoAnswer?: boolean;
  callerId?: string;
  timeout?: string;
}

/** The seconds of --timeout: a whole number from 1 to 300 (the API's bounds). */
function timeoutOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 1 || seconds > 300)
    throw new UsageError(`--timeout must be whole seconds from 1 to 300 (not "${value}")`);
  return seconds;
}

export function registerCallCommand(program: Command): void {
  apiCommand(program, "call")
    .description("click-to-call: ring <from> (a user), then connect it to <to> through the dial plan")
    .argument("<from>", "the user (extension) rung first")
    .argument("<to>", "the number it is connected to once it answers")
    .option("--auto-answer", "ask <from>'s desk phone to answer by itself (Call-Info answer-after=0)")
    .option("--caller-id <number>", "what <from>'s phone shows as calling (default: <to>)")
    .option("--timeout <seconds>", "how long <from> rings before the call is given up (default 30)")
    .action((from: string, to: string, opts: CallOptions) =>
      runApi(async () => {
        const timeout = timeoutOf(opts.timeout);
        if (opts.callerId === "") throw new UsageError("--caller-id must not be empty");
        const body = {
          from,
          to,
          ...(opts.callerId === undefined ? {} : { callerId: opts.callerId }),
          ...(opts.autoAnswer === true ? { autoAnswer: true } : {}),
          ...(timeout === undefined ? {} : { timeout }),
        };
        const placed = (await apiRequest(apiTarget(opts), "POST", "/calls", body)) as { id: string };
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(placed, null, 2)}\n`
            : `calling ${from}, then ${to}: call ${placed.id}\n`,
        );
      }),
    );
}
