/**
 * Batches SQLite writes issued on the SIP path into one transaction per turn of the event loop.
 *
 * better-sqlite3 is synchronous: every statement runs on the event loop. One small prepared
 * statement in WAL mode with synchronous=NORMAL costs microseconds, but a commit per REGISTER would
 * dominate; queued writes share one commit, run after the current I/O callbacks (setImmediate), so
 * a burst of registrations costs one short transaction. Each write's promise settles after commit.
 */
import type BetterSqlite3 from "better-sqlite3";

interface QueuedWrite {
  run: () => number;
  resolve: (changes: number) => void;
  reject: (error: unknown) => void;
}

/** While Kysely holds a transaction open on the same handle, try again this much later. */
const RETRY_MS = 1;

export class SqliteWriteQueue {
  private queue: QueuedWrite[] = [];
  private scheduled = false;

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  /** Queues a write; resolves to its number of changed rows once committed. */
  enqueue(run: () => number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flushSoon());
      }
    });
  }

  /** Commits everything queued now (before a read, or at close). */
  flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const outcomes: Array<{ ok: true; changes: number } | { ok: false; error: unknown }> = [];
    const runAll = (): void => {
      // A failing write (say, a foreign key) fails alone: SQLite undoes that statement only.
      for (const write of batch) {
        try {
          outcomes.push({ ok: true, changes: write.run() });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    };
    try {
      // Inside a Kysely transaction (only if flushed by a read), better-sqlite3 nests a savepoint.
      this.sqlite.transaction(runAll)();
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) write.resolve(outcome.changes);
      else write.reject(outcome.error);
    });
  }

  private flushSoon(): void {
    if (this.sqlite.inTransaction) {
      // Kysely is between statements of its own transaction on this handle: do not join it.
      setTimeout(() => this.flushSoon(), RETRY_MS);
      return;
    }
    this.scheduled = false;
    this.flush();
  }
}
