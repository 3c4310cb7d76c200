/**
 * Call recordings' rows (migration 010), per domain, on SQLite, MySQL/MariaDB and PostgreSQL.
 * The service inserts a row when a recording is finished, the API lists and deletes them, the
 * retention sweep takes the expired ones; each file is the caller's to remove.
 */
import type { Kysely, Selectable } from "kysely";
import type { RecordingsTable } from "./recording-migration.js";
import type { CallRecording, RecordingPage, RecordingQuery } from "./recording-model.js";
import type { Database } from "./schema.js";

export interface RecordingRepository {
  insert(recording: CallRecording): Promise<CallRecording>;
  list(query: RecordingQuery): Promise<RecordingPage>;
  get(domainId: number, id: string): Promise<CallRecording | undefined>;
  /** Resolves to the deleted row (its file is the caller's to remove), or undefined. */
  delete(domainId: number, id: string): Promise<CallRecording | undefined>;
  /** Every domain's recordings started before `before` (epoch ms), oldest first, at most `limit`. */
  startedBefore(before: number, limit: number): Promise<CallRecording[]>;
}

type RecordingDatabase = Database & { call_recordings: RecordingsTable };

function toRecording(r: Selectable<RecordingsTable>): CallRecording {
  return {
    id: r.recording_id,
    domainId: Number(r.domain_id),
    callId: r.call_id,
    caller: r.caller,
    callee: r.callee,
    startedAt: Number(r.started_at),
    durationMs: Number(r.duration_ms),
    bytes: Number(r.bytes),
    channels: Number(r.channels) === 2 ? 2 : 1,
    file: r.file,
  };
}

export class KyselyRecordingRepository implements RecordingRepository {
  private readonly db: Kysely<RecordingDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<{ call_recordings: RecordingsTable }>();
  }

  async insert(r: CallRecording): Promise<CallRecording> {
    const row = {
      domain_id: r.domainId,
      recording_id: r.id.slice(0, 80),
      call_id: r.callId.slice(0, 64),
      caller: r.caller.slice(0, 128),
      callee: r.callee.slice(0, 128),
      started_at: r.startedAt,
      duration_ms: Math.round(r.durationMs),
      bytes: r.bytes,
      channels: r.channels,
      file: r.file,
    };
    await this.db.insertInto("call_recordings").values(row).execute();
    return { ...r, id: row.recording_id, callId: row.call_id, caller: row.caller, callee: row.callee };
  }

  async list(q: RecordingQuery): Promise<RecordingPage> {
    let base = this.db.selectFrom("call_recordings").where("domain_id", "=", q.domainId);
    if (q.from !== undefined) base = base.where("started_at", ">=", q.from);
    if (q.to !== undefined) base = base.where("started_at", "<", q.to);
    const number = q.number;
    if (number !== undefined)
      base = base.where((eb) => eb.or([eb("caller", "=", number), eb("callee", "=", number)]));
    const total = await base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const rows = await base
      .selectAll()
      .orderBy("started_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .offset(Math.max(q.offset ?? 0, 0))
      .execute();
    return { items: rows.map(toRecording), total: Number(total?.n ?? 0) };
  }

  async get(domainId: number, id: string): Promise<CallRecording | undefined> {
    const row = await this.db
      .selectFrom("call_recordings")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("recording_id", "=", id)
      .executeTakeFirst();
    return row ? toRecording(row) : undefined;
  }

  async delete(domainId: number, id: string): Promise<CallRecording | undefined> {
    const existing = await this.get(domainId, id);
    if (existing === undefined) return undefined;
    await this.db
      .deleteFrom("call_recordings")
      .where("domain_id", "=", domainId)
      .where("recording_id", "=", id)
      .execute();
    return existing;
  }

  async startedBefore(before: number, limit: number): Promise<CallRecording[]> {
    const rows = await this.db
      .selectFrom("call_recordings")
      .selectAll()
      .where("started_at", "<", before)
      .orderBy("started_at")
      .limit(limit)
      .execute();
    return rows.map(toRecording);
  }
}
