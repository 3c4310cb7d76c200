/**
 * The CdrSink: store first, then the CSV file (if any). A call record is never lost (issue 22):
 * its peer-supplied fields are made to fit (cdr-fit.ts) so the store never refuses them; a write
 * that fails anyway goes to a durable spool (cdr-spool.ts) that is retried at start and every
 * `retryMs`; each failure is logged with the record.
 */
import type { CdrCsvWriter, CdrLog, CdrSink } from "./cdr-csv-writer.js";
import { fitCallRecord } from "./cdr-fit.js";
import type { CallRecord, NewCallRecord } from "./cdr-model.js";
import type { CdrRepository } from "./cdr-repository.js";
import type { CdrSpool } from "./cdr-spool.js";
import { ValidationError } from "./errors.js";

const RETRY_MS = 30_000;

export class CdrRecorder implements CdrSink {
  /** Told how long each store write took, in seconds (the metrics' CDR write latency). */
  private readonly writeTimes: Array<(seconds: number) => void> = [];
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cdrs: CdrRepository,
    private readonly log: CdrLog,
    private csv?: CdrCsvWriter,
    private readonly spool?: CdrSpool,
    retryMs = RETRY_MS,
  ) {
    if (spool !== undefined) {
      setImmediate(() => void this.retrySpool());
      this.timer = setInterval(() => void this.retrySpool(), retryMs);
      this.timer.unref();
    }
  }

  /** Another CSV folder, or none, from the next record on (the setting changes at run time). */
  async setCsv(csv: CdrCsvWriter | undefined): Promise<void> {
    const previous = this.csv;
    this.csv = csv;
    await previous?.flush();
  }

  async record(input: NewCallRecord): Promise<CallRecord | undefined> {
    const cdr = fitCallRecord(input);
    let stored: CallRecord | undefined;
    const start = performance.now();
    try {
      stored = await this.cdrs.insert(cdr);
    } catch (err) {
      if (err instanceof ValidationError) {
        // A bug in the call engine (peers' input was made to fit): kept in the log and on disk.
        this.log.error({ err, cdr }, "invalid CDR refused by the store; the record is in this log line");
        this.keep(cdr, "refuse");
        return undefined;
      }
      this.log.error({ err, cdr }, "could not store a CDR; it is spooled and retried, and in this log line");
      this.keep(cdr, "add");
    }
    const seconds = (performance.now() - start) / 1000;
    if (stored !== undefined) for (const listener of this.writeTimes) listener(seconds);
    await this.csv?.append(stored ?? cdr);
    return stored;
  }

  /** Offer the spooled records to the store again; resolves with how many it took. */
  async retrySpool(): Promise<number> {
    if (this.spool === undefined) return 0;
    try {
      return await this.spool.retry(async (cdr) => {
        try {
          await this.cdrs.insert(cdr);
          return "stored";
        } catch (err) {
          return err instanceof ValidationError ? "refused" : "failed";
        }
      });
    } catch (err) {
      this.log.error({ err }, "could not retry the spooled CDRs");
      return 0;
    }
  }

  /** Subscribes to the duration of each successful store write (seconds). */
  onWrite(listener: (seconds: number) => void): void {
    this.writeTimes.push(listener);
  }

  /** Resolves when every CSV row queued so far is written (call before exit). */
  flush(): Promise<void> {
    return this.csv?.flush() ?? Promise.resolve();
  }

  /** Stops retrying the spool (the store is closing). */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private keep(cdr: NewCallRecord, how: "add" | "refuse"): void {
    if (this.spool === undefined) return;
    try {
      if (how === "add") this.spool.add(cdr);
      else this.spool.refuse(cdr);
    } catch (err) {
      this.log.error({ err, cdr }, "could not spool a CDR; the record is in this log line");
    }
  }
}
