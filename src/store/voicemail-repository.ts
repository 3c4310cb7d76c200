/**
 * Voice messages' metadata (migration 005), per domain and mailbox (the user's name). The audio
 * is a WAV file under `<dataDir>/voicemail/`, named by `file`; the services own the files, this
 * owns the rows. Every insert is committed when the promise resolves (a crash afterwards loses
 * nothing), on SQLite, MySQL/MariaDB and PostgreSQL alike.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, VoicemailMessagesTable } from "./schema.js";

export const VOICEMAIL_FOLDERS = ["new", "old"] as const;
export type VoicemailFolder = (typeof VOICEMAIL_FOLDERS)[number];

export interface VoicemailMessage {
  id: number;
  domainId: number;
  mailbox: string;
  /** The caller's number (user part) and display name, as the call presented them. */
  caller: string;
  callerName: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  durationMs: number;
  /** "new" until listened to or saved. */
  folder: VoicemailFolder;
  /** The WAV file, relative to the voicemail folder. */
  file: string;
  /** Parley's id of the call that left it (the CDR's). */
  callId: string;
}

export type NewVoicemailMessage = Omit<VoicemailMessage, "id">;

/** What MWI reports (RFC 3842 Voice-Message: new/old). */
export interface MessageCounts {
  new: number;
  old: number;
}

export interface VoicemailRepository {
  insert(message: NewVoicemailMessage): Promise<VoicemailMessage>;
  /** A mailbox's messages (or the domain's, mailbox omitted), oldest first. */
  list(domainId: number, mailbox?: string): Promise<VoicemailMessage[]>;
  get(domainId: number, id: number): Promise<VoicemailMessage | undefined>;
  /** Resolves to whether the message existed. */
  setFolder(domainId: number, id: number, folder: VoicemailFolder): Promise<boolean>;
  /** Resolves to the deleted row (its file is the caller's to remove), or undefined. */
  delete(domainId: number, id: number): Promise<VoicemailMessage | undefined>;
  counts(domainId: number, mailbox: string): Promise<MessageCounts>;
}

function toMessage(r: Selectable<VoicemailMessagesTable>): VoicemailMessage {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    mailbox: r.mailbox,
    caller: r.caller,
    callerName: r.caller_name,
    receivedAt: Number(r.received_at),
    durationMs: Number(r.duration_ms),
    folder: r.folder === "old" ? "old" : "new",
    file: r.file,
    callId: r.call_id,
  };
}

export class KyselyVoicemailRepository implements VoicemailRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(m: NewVoicemailMessage): Promise<VoicemailMessage> {
    const row = {
      domain_id: m.domainId,
      mailbox: m.mailbox,
      caller: m.caller.slice(0, 128),
      caller_name: m.callerName.slice(0, 128),
      received_at: m.receivedAt,
      duration_ms: Math.round(m.durationMs),
      folder: m.folder,
      file: m.file,
      call_id: m.callId.slice(0, 128),
    };
    // MySQL has no RETURNING: its insertId is the new row's id.
    const result = await this.db.insertInto("voicemail_messages").values(row).executeTakeFirst();
    let id = result.insertId === undefined ? undefined : Number(result.insertId);
    if (id === undefined || id === 0) {
      const last = await this.db
        .selectFrom("voicemail_messages")
        .select("id")
        .where("domain_id", "=", m.domainId)
        .where("file", "=", m.file)
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      id = Number(last.id);
    }
    return { ...m, caller: row.caller, callerName: row.caller_name, callId: row.call_id, id };
  }

  async list(domainId: number, mailbox?: string): Promise<VoicemailMessage[]> {
    let q = this.db.selectFrom("voicemail_messages").selectAll().where("domain_id", "=", domainId);
    if (mailbox !== undefined) q = q.where("mailbox", "=", mailbox);
    const rows = await q.orderBy("received_at").orderBy("id").execute();
    return rows.map(toMessage);
  }

  async get(domainId: number, id: number): Promise<VoicemailMessage | undefined> {
    const row = await this.db
      .selectFrom("voicemail_messages")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toMessage(row) : undefined;
  }

  async setFolder(domainId: number, id: number, folder: VoicemailFolder): Promise<boolean> {
    const result = await this.db
      .updateTable("voicemail_messages")
      .set({ folder })
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    // MySQL counts changed rows only: a message already in the folder still exists.
    if (Number(result.numUpdatedRows) > 0) return true;
    return (await this.get(domainId, id)) !== undefined;
  }

  async delete(domainId: number, id: number): Promise<VoicemailMessage | undefined> {
    const existing = await this.get(domainId, id);
    if (!existing) return undefined;
    await this.db
      .deleteFrom("voicemail_messages")
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .execute();
    return existing;
  }

  async counts(domainId: number, mailbox: string): Promise<MessageCounts> {
    const rows = await this.db
      .selectFrom("voicemail_messages")
      .select(["folder", (eb) => eb.fn.countAll<number>().as("n")])
      .where("domain_id", "=", domainId)
      .where("mailbox", "=", mailbox)
      .groupBy("folder")
      .execute();
    const counts: MessageCounts = { new: 0, old: 0 };
    for (const r of rows) {
      if (r.folder === "old") counts.old += Number(r.n);
      else counts.new += Number(r.n);
    }
    return counts;
  }
}
