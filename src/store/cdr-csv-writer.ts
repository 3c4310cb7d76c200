/**
 * Where a finished call's record goes: the store (durably) and, when `cdrCsvDir` is set, a daily
 * CSV file `<dir>/cdr-YYYY-MM-DD.csv` named by the UTC date the call ended.
 *
 * The call engine holds a CdrSink and calls `record(cdr)` once per call, when it ends.
 */
import { appendFile, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../util/logger.js";
import { type CsvRecord, cdrCsvHeader, cdrCsvRow, utcDate } from "./cdr-csv.js";
import type { CallRecord, NewCallRecord } from "./cdr-model.js";

/** What the sink logs with: failures only, each carrying the whole record. */
export type CdrLog = Pick<Logger, "error">;

export interface CdrSink {
  /**
   * Stores the record of a call that just ended (on SQLite committed before this returns, see
   * CdrRepository.insert), then appends it to the day's CSV file if one is configured. Never
   * rejects: a failure is logged at error level with the whole record, so none is lost silently.
   * Resolves to the stored record, or undefined when the store refused or failed to take it.
   */
  record(cdr: NewCallRecord): Promise<CallRecord | undefined>;
}

/** The daily CSV file of a record: by the UTC date of the call's end. */
export function cdrCsvFileName(endedAt: number): string {
  return `cdr-${utcDate(endedAt)}.csv`;
}

interface PendingRow {
  file: string;
  row: string;
  callId: string;
}

/**
 * Appends CDR rows to daily CSV files without blocking the event loop (fs.promises). Rows queued
 * while a write is in flight go out together in the next appendFile, one per file, in order; the
 * header row is written when a file is new (missing or empty). A failed append is logged with the
 * rows it held, never thrown.
 */
export class CdrCsvWriter {
  private pending: PendingRow[] = [];
  private draining: Promise<void> | undefined;
  /** Files known to have their header (written by us, or found non-empty). */
  private readonly headed = new Set<string>();
  private dirReady = false;

  constructor(
    readonly dir: string,
    private readonly log: CdrLog,
  ) {}

  /** Queues a record; resolves once it is written or its failure logged. Never rejects. */
  append(record: CsvRecord): Promise<void> {
    this.pending.push({
      file: join(this.dir, cdrCsvFileName(record.endedAt)),
      row: cdrCsvRow(record),
      callId: record.callId,
    });
    return this.drain();
  }

  /** Resolves when everything queued so far is written (or logged as failed). */
  flush(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  private drain(): Promise<void> {
    this.draining ??= (async () => {
      while (this.pending.length > 0) await this.writeBatch(this.pending.splice(0));
      // Same synchronous step as the last check: a row queued later starts a new drain.
      this.draining = undefined;
    })();
    return this.draining;
  }

  private async writeBatch(batch: PendingRow[]): Promise<void> {
    const byFile = new Map<string, PendingRow[]>();
    for (const row of batch) {
      const rows = byFile.get(row.file);
      if (rows) rows.push(row);
      else byFile.set(row.file, [row]);
    }
    for (const [file, rows] of byFile) {
      try {
        if (!this.dirReady) {
          await mkdir(this.dir, { recursive: true });
          this.dirReady = true;
        }
        const header = this.headed.has(file) || !(await isNew(file)) ? "" : cdrCsvHeader();
        await appendFile(file, header + rows.map((r) => r.row).join(""), "utf8");
        this.headed.add(file);
      } catch (err) {
        this.dirReady = false;
        for (const r of rows) {
          this.log.error(
            { err, file, callId: r.callId, csv: r.row.trimEnd() },
            "could not append a CDR to the CSV file; the row is in this log line",
          );
        }
      }
    }
  }
}

/** Missing or empty: the next append starts with the header. */
async function isNew(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}
