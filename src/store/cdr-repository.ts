/**
 * Call detail records: written once when a call ends, then only read (listed, paged, exported).
 *
 * Durability: on SQLite `insert` runs one prepared INSERT on the raw handle, synchronously, in its
 * own autocommit transaction (not through the batching write queue the bindings use), so the row
 * is in the WAL before `insert` returns: it survives a crash of the process right after the call
 * ends. With synchronous=NORMAL (connect.ts) a power cut can still lose the last commits; an fsync
 * per call (synchronous=FULL) would cost far more on the event loop. MySQL (InnoDB) and PostgreSQL
 * commit durably with their default settings.
 */
import type BetterSqlite3 from "better-sqlite3";
import type { Insertable, Kysely, Selectable, SelectQueryBuilder } from "kysely";
import {
  type CallLeg,
  type CallRecord,
  type CdrFilter,
  type CdrListQuery,
  type CdrPage,
  callDuration,
  type Disposition,
  type HangupCause,
  type NewCallRecord,
  talkTime,
} from "./cdr-model.js";
import { validateCallRecord } from "./cdr-validation.js";
import type { StoreKind } from "./connect.js";
import { ValidationError } from "./errors.js";
import { fromUnits, toUnits } from "./money.js";
import type { CdrsTable, Database } from "./schema.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./user-repository.js";

export interface CdrRepository {
  /**
   * Validates (validateCallRecord) and stores one CDR durably; resolves to it with its id and
   * duration. Throws ValidationError for bad input. On SQLite the row is committed before this
   * returns (the promise only carries the result).
   */
  insert(input: unknown): Promise<CallRecord>;
  /** One page of the matching records, newest first, and how many match in all. */
  list(query: CdrListQuery): Promise<CdrPage>;
  /** Every matching record, newest first, read a batch at a time (for CSV export). */
  iterate(filter: CdrFilter, batchSize?: number): AsyncGenerator<CallRecord>;
}

/** Rows read per batch by iterate(). */
export const CDR_BATCH_SIZE = 500;

/** While Kysely holds a transaction open on the same SQLite handle, insert this much later. */
const RETRY_MS = 1;

type CdrRow = Omit<Insertable<CdrsTable>, "id">;

const COLUMNS = [
  "domain_id",
  "call_id",
  "caller",
  "caller_name",
  "dialed",
  "callee",
  "started_at",
  "answered_at",
  "ended_at",
  "duration",
  "disposition",
  "sip_status",
  "sip_reason",
  "legs",
  "media",
  "recording",
  "talk_time",
  "hangup_cause",
  "card",
  "charge",
] as const satisfies ReadonlyArray<keyof CdrRow>;

const INSERT_SQL = `insert into cdrs (${COLUMNS.join(", ")}) values (${COLUMNS.map((c) => `@${c}`).join(", ")})`;

function recordToRow(r: NewCallRecord): CdrRow {
  return {
    domain_id: r.domainId,
    call_id: r.callId,
    caller: r.caller,
    caller_name: r.callerName,
    dialed: r.dialed,
    callee: r.callee ?? null,
    started_at: r.startedAt,
    answered_at: r.answeredAt ?? null,
    ended_at: r.endedAt,
    duration: callDuration(r.startedAt, r.endedAt),
    talk_time: talkTime(r.answeredAt, r.endedAt),
    hangup_cause: r.hangupCause,
    disposition: r.disposition,
    sip_status: r.sipStatus,
    sip_reason: r.sipReason,
    legs: JSON.stringify(r.legs),
    media: r.media === undefined ? null : JSON.stringify(r.media),
    recording: r.recording ?? null,
    card: r.card ?? null,
    charge: r.charge === undefined ? null : (toUnits(r.charge) ?? null),
  };
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function optionalTime(value: number | null): number | undefined {
  return value === null ? undefined : Number(value);
}

function rowToRecord(r: Selectable<CdrsTable>): CallRecord {
  const legs = parseJson(r.legs);
  const media = parseJson(r.media);
  const record: CallRecord = {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    callId: r.call_id,
    caller: r.caller,
    callerName: r.caller_name,
    dialed: r.dialed,
    startedAt: Number(r.started_at),
    endedAt: Number(r.ended_at),
    duration: Number(r.duration),
    talkTime: Number(r.talk_time),
    disposition: r.disposition as Disposition,
    // Written by recordToRow from validated records; migration 012 gave older rows one too.
    hangupCause: r.hangup_cause as HangupCause,
    sipStatus: Number(r.sip_status),
    sipReason: r.sip_reason,
    // Written by recordToRow from validated legs only.
    legs: Array.isArray(legs) ? (legs as CallLeg[]) : [],
  };
  if (r.callee !== null) record.callee = r.callee;
  const answeredAt = optionalTime(r.answered_at);
  if (answeredAt !== undefined) record.answeredAt = answeredAt;
  if (typeof media === "object" && media !== null && !Array.isArray(media))
    record.media = media as Record<string, unknown>;
  if (r.recording !== null && r.recording !== undefined) record.recording = r.recording;
  if (r.card !== null && r.card !== undefined) record.card = r.card;
  if (r.charge !== null && r.charge !== undefined) record.charge = fromUnits(Number(r.charge));
  return record;
}

function clampInt(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

export class KyselyCdrRepository implements CdrRepository {
  private insertStatement: BetterSqlite3.Statement | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: StoreKind,
    /** On SQLite, insert runs one prepared statement on the raw handle, synchronously. */
    private readonly sqlite?: BetterSqlite3.Database,
  ) {}

  async insert(input: unknown): Promise<CallRecord> {
    const checked = validateCallRecord(input);
    if (!checked.ok) throw new ValidationError(checked.errors);
    const row = recordToRow(checked.value);
    const id = this.sqlite ? await this.insertSqlite(this.sqlite, row) : await this.insertKysely(row);
    return { ...checked.value, id, duration: row.duration, talkTime: row.talk_time };
  }

  private insertSqlite(sqlite: BetterSqlite3.Database, row: CdrRow): number | Promise<number> {
    if (sqlite.inTransaction) {
      // A Kysely transaction is between statements on this handle: never join (or die with) it.
      return new Promise((resolve, reject) =>
        setTimeout(() => {
          try {
            resolve(this.insertSqlite(sqlite, row));
          } catch (error) {
            reject(error);
          }
        }, RETRY_MS),
      );
    }
    this.insertStatement ??= sqlite.prepare(INSERT_SQL);
    return Number(this.insertStatement.run(row).lastInsertRowid);
  }

  private async insertKysely(row: CdrRow): Promise<number> {
    if (this.kind === "postgres") {
      const out = await this.db.insertInto("cdrs").values(row).returning("id").executeTakeFirstOrThrow();
      return Number(out.id);
    }
    const result = await this.db.insertInto("cdrs").values(row).executeTakeFirstOrThrow();
    return Number(result.insertId);
  }

  async list(query: CdrListQuery): Promise<CdrPage> {
    const offset = clampInt(query.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = clampInt(query.limit, DEFAULT_PAGE_SIZE, 0, MAX_PAGE_SIZE);
    const base = this.filtered(query);
    const [rows, counted] = await Promise.all([
      base
        .selectAll()
        .orderBy("started_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .offset(offset)
        .execute(),
      base.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(rowToRecord), total: Number(counted.n) };
  }

  async *iterate(filter: CdrFilter, batchSize = CDR_BATCH_SIZE): AsyncGenerator<CallRecord> {
    const size = clampInt(batchSize, CDR_BATCH_SIZE, 1, MAX_PAGE_SIZE);
    let after: { startedAt: number; id: number } | undefined;
    for (;;) {
      let query = this.filtered(filter);
      const cursor = after;
      if (cursor) {
        // Keyset paging: rows after the last one seen in (started_at desc, id desc) order, so a
        // record inserted meanwhile neither shifts nor repeats rows.
        query = query.where((eb) =>
          eb.or([
            eb("started_at", "<", cursor.startedAt),
            eb.and([eb("started_at", "=", cursor.startedAt), eb("id", "<", cursor.id)]),
          ]),
        );
      }
      const rows = await query
        .selectAll()
        .orderBy("started_at", "desc")
        .orderBy("id", "desc")
        .limit(size)
        .execute();
      for (const row of rows) yield rowToRecord(row);
      if (rows.length < size) return;
      const last = rows[rows.length - 1];
      after = { startedAt: Number(last.started_at), id: Number(last.id) };
    }
  }

  private filtered(filter: CdrFilter): SelectQueryBuilder<Database, "cdrs", object> {
    let query = this.db.selectFrom("cdrs").where("domain_id", "=", filter.domainId);
    if (filter.from !== undefined) query = query.where("started_at", ">=", filter.from);
    if (filter.to !== undefined) query = query.where("started_at", "<", filter.to);
    if (filter.disposition !== undefined) query = query.where("disposition", "=", filter.disposition);
    const number = filter.number;
    if (number !== undefined && number !== "") {
      query = query.where((eb) =>
        eb.or([eb("caller", "=", number), eb("dialed", "=", number), eb("callee", "=", number)]),
      );
    }
    return query;
  }
}
