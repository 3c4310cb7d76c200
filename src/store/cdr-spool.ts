/**
 * A durable spool for call records the store could not take (issue 22: a CDR is never lost). A
 * record whose write failed is appended to `cdr-spool.jsonl` in the data dir, one JSON line each,
 * synced to disk before record() resolves; retry() offers each to the store again (at start and
 * then every interval) and rewrites the file with those still failing. A record the store refuses
 * as invalid even after fitting is a bug of Parley's: it goes to `cdr-refused.jsonl`, kept, not
 * retried.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NewCallRecord } from "./cdr-model.js";

export class CdrSpool {
  readonly file: string;
  readonly refusedFile: string;
  private retrying = false;

  constructor(dir: string) {
    this.file = join(dir, "cdr-spool.jsonl");
    this.refusedFile = join(dir, "cdr-refused.jsonl");
  }

  /** Keep a record whose write failed, durably (the append is synced before it returns). */
  add(cdr: NewCallRecord): void {
    appendFileSync(this.file, `${JSON.stringify(cdr)}\n`, { flush: true });
  }

  /** Keep a record the store refused as invalid (a bug), for an operator to see. */
  refuse(cdr: NewCallRecord): void {
    appendFileSync(this.refusedFile, `${JSON.stringify(cdr)}\n`, { flush: true });
  }

  /** Records waiting in the spool. */
  pending(): NewCallRecord[] {
    return existsSync(this.file) ? parseLines(readFileSync(this.file, "utf8")) : [];
  }

  /**
   * Offer every spooled record to `write` once, in order; those it fails stay in the spool, with
   * any spooled meanwhile, the file replaced atomically (a crash leaves the old file whole).
   * Resolves with how many were stored. Runs one at a time.
   */
  async retry(write: (cdr: NewCallRecord) => Promise<"stored" | "failed" | "refused">): Promise<number> {
    if (this.retrying || !existsSync(this.file)) return 0;
    this.retrying = true;
    try {
      const before = readFileSync(this.file);
      const records = parseLines(before.toString("utf8"));
      if (records.length === 0) return 0;
      let stored = 0;
      const left: string[] = [];
      for (const cdr of records) {
        const outcome = await write(cdr);
        if (outcome === "stored") stored++;
        else if (outcome === "refused") this.refuse(cdr);
        else left.push(JSON.stringify(cdr));
      }
      const added = readFileSync(this.file).subarray(before.length).toString("utf8");
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, left.map((l) => `${l}\n`).join("") + added, { flush: true });
      renameSync(tmp, this.file);
      return stored;
    } finally {
      this.retrying = false;
    }
  }
}

function parseLines(text: string): NewCallRecord[] {
  const out: NewCallRecord[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line) as NewCallRecord);
    } catch {
      // A line cut by a crash mid-append: nothing to recover from it.
    }
  }
  return out;
}
