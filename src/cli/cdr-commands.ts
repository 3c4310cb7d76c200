/**
 * `parley cdr list|export` (issue 23: the CLI covers what the API covers): call detail records,
 * straight from the store like the user commands (--data-dir, --database-url, --config, PARLEY_*),
 * so they work with the server stopped. The filters are GET /api/v1/cdrs's, read the same way
 * (--from/--to in ISO 8601, --number, --disposition); `list --json` prints the API's page and
 * `export` the CSV of GET /api/v1/cdrs.csv (the store's CSV writer), to stdout or --output.
 * Exit codes: 0 done, 1 failure, 2 a bad option (named).
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import {
  type CallRecord,
  CDR_LIMITS,
  type CdrFilter,
  cdrCsvHeader,
  cdrCsvRow,
  DISPOSITIONS,
  type Disposition,
} from "../store/index.js";
import { isoTime, parseIsoTime } from "../util/iso-time.js";
import { clockDuration } from "./api-client.js";
import { run, type StoreOptions, storeCommand, table, UsageError, withStore } from "./user-commands.js";

interface FilterOptions {
  from?: string;
  to?: string;
  number?: string;
  disposition?: string;
}

/** The API's limits on a page (CdrListQuery): at most 1000 at once, 100 unless asked. */
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

/** The store's filter for the options, each bad one named as the API names its fields. */
export function cdrFilter(opts: FilterOptions): Omit<CdrFilter, "domainId"> {
  const time = (option: "--from" | "--to", text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const ms = parseIsoTime(text);
    if (ms === undefined)
      throw new UsageError(
        `${option} must be an ISO 8601 date, or date and time with its offset: 2027-01-15, 2027-01-15T08:00:00Z or 2027-01-15T08:00:00+01:00 (not "${text}")`,
      );
    return ms;
  };
  const filter: Omit<CdrFilter, "domainId"> = { from: time("--from", opts.from), to: time("--to", opts.to) };
  if (opts.number !== undefined) {
    if (opts.number === "" || opts.number.length > CDR_LIMITS.number)
      throw new UsageError(`--number must be 1 to ${CDR_LIMITS.number} characters`);
    filter.number = opts.number;
  }
  if (opts.disposition !== undefined) {
    if (!(DISPOSITIONS as readonly string[]).includes(opts.disposition))
      throw new UsageError(
        `--disposition must be one of ${DISPOSITIONS.join(", ")} (not "${opts.disposition}")`,
      );
    filter.disposition = opts.disposition as Disposition;
  }
  return filter;
}

function count(option: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max)
    throw new UsageError(`--${option} must be a whole number from 0 to ${max} (not "${text}")`);
  return Number(text);
}

export function cdrTable(items: readonly CallRecord[]): string {
  const rows = items.map((r) => [
    String(r.id),
    isoTime(r.startedAt),
    r.callerName === "" ? r.caller : `${r.caller} (${r.callerName})`,
    r.dialed,
    r.callee ?? "-",
    r.disposition,
    clockDuration(r.duration),
    r.answeredAt === undefined ? "-" : clockDuration(r.talkTime),
    r.hangupCause,
    `${r.sipStatus} ${r.sipReason}`.trim(),
  ]);
  const header = [
    "ID",
    "STARTED",
    "CALLER",
    "DIALED",
    "CALLEE",
    "RESULT",
    "DURATION",
    "TALK",
    "CAUSE",
    "SIP",
  ];
  return table(header, rows);
}

/** Bytes gathered before a chunk is written, as the API's export does. */
const CSV_CHUNK = 64 * 1024;

/** The header, then the rows in chunks; counts the rows into `tally`. */
async function* csvChunks(
  records: AsyncIterable<CallRecord>,
  tally: { rows: number },
): AsyncGenerator<string> {
  let chunk = cdrCsvHeader();
  for await (const record of records) {
    chunk += cdrCsvRow(record);
    tally.rows++;
    if (chunk.length >= CSV_CHUNK) {
      yield chunk;
      chunk = "";
    }
  }
  yield chunk;
}

/**
 * A file to write the export into: a temporary beside it, renamed over it when complete, so a
 * failed export never leaves a half file under the name asked for. Opened before the store, so a
 * bad --output fails first.
 */
async function openOutput(file: string): Promise<{ stream: WriteStream; temporary: string }> {
  const temporary = `${file}.${process.pid}.partial`;
  const stream = createWriteStream(temporary, { flags: "wx" });
  try {
    await once(stream, "open");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`--output: cannot write ${file} (${code})`);
  }
  return { stream, temporary };
}

export function registerCdrCommands(program: Command): void {
  const cdr = program.command("cdr").description("call detail records: list and export as CSV");

  const withFilters = (command: Command) =>
    command
      .option("--from <time>", "calls started at or after: 2027-01-15, 2027-01-15T08:00:00Z or ...+01:00")
      .option("--to <time>", "calls started before this time (same forms)")
      .option("--number <number>", "only calls whose caller, dialed number or callee is exactly this")
      .option("--disposition <d>", `only calls that ended so: ${DISPOSITIONS.join(", ")}`);

  withFilters(storeCommand(cdr, "list"))
    .description("list call detail records, newest first, a page at a time")
    .option("--offset <n>", "records to skip", "0")
    .option("--limit <n>", `records to show (at most ${MAX_LIMIT})`, String(DEFAULT_LIMIT))
    .action((opts: StoreOptions & FilterOptions & { offset: string; limit: string }) =>
      run(async () => {
        const filter = cdrFilter(opts);
        const offset = count("offset", opts.offset, Number.MAX_SAFE_INTEGER);
        const limit = count("limit", opts.limit, MAX_LIMIT);
        const page = await withStore(opts, (store, domainId) =>
          store.cdrs.list({ ...filter, domainId, offset, limit }),
        );
        if (opts.json) {
          // The API's record shape, loaded only here: the API's schemas would slow every command's start.
          const { toCdr } = await import("../api/routes/cdrs.js");
          const body = { items: page.items.map(toCdr), total: page.total, offset, limit };
          process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
          return;
        }
        if (page.items.length === 0) {
          process.stdout.write(
            page.total === 0
              ? "no call records\n"
              : `no call records after the first ${offset} (${page.total} in all)\n`,
          );
          return;
        }
        process.stdout.write(`${cdrTable(page.items)}\n`);
        const first = offset + 1;
        process.stdout.write(`${first}-${offset + page.items.length} of ${page.total} records\n`);
      }),
    );

  withFilters(storeCommand(cdr, "export"))
    .description("every matching record as CSV (the columns of GET /api/v1/cdrs.csv), newest first")
    .option("--output <file>", "write the CSV into this file (default: stdout)")
    .action((opts: StoreOptions & FilterOptions & { output?: string }) =>
      run(async () => {
        const filter = cdrFilter(opts);
        if (opts.json && opts.output === undefined)
          throw new UsageError("--json reports on an --output file; without --output the CSV is the output");
        const output = opts.output === undefined ? undefined : await openOutput(opts.output);
        const tally = { rows: 0 };
        try {
          await withStore(opts, async (store, domainId) => {
            const csv = Readable.from(csvChunks(store.cdrs.iterate({ ...filter, domainId }), tally));
            if (output) await pipeline(csv, output.stream);
            else await pipeline(csv, process.stdout, { end: false });
          });
        } catch (error) {
          // A reader that stopped early (`| head`) is not a failure of the export.
          if ((error as NodeJS.ErrnoException).code === "EPIPE") return;
          if (output) {
            output.stream.destroy();
            await rm(output.temporary, { force: true });
          }
          throw error;
        }
        if (!output || opts.output === undefined) return;
        await rename(output.temporary, opts.output);
        if (opts.json)
          process.stdout.write(`${JSON.stringify({ file: opts.output, records: tally.rows })}\n`);
        else process.stdout.write(`${tally.rows} records written to ${opts.output}\n`);
      }),
    );
}
