/**
 * The voicemail outbox (issue 15): a message is mailed as a WAV attachment through the system
 * SMTP settings, and "a mail that cannot be sent is retried with back-off ... the message is never
 * lost". Every queued mail is a JSON file in the outbox folder, written atomically before
 * enqueue() resolves, so a crash or restart between deposit and delivery loses nothing: start()
 * reloads the folder. A sent mail moves to `<dir>/sent/` (the last 100 kept, for the UI).
 *
 * One timer, set for the earliest due mail, drives every retry: no polling loop, and the timer is
 * unref'd so a pending retry never keeps the process alive.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { createTransport, type Transporter } from "nodemailer";

export interface SmtpSettings {
  host: string;
  port: number;
  /** "tls": implicit TLS (port 465); "starttls": plain then STARTTLS, required; "none": never TLS. */
  security: "none" | "starttls" | "tls";
  user?: string;
  password?: string;
  from: string;
}

export interface MailAttachment {
  filename: string;
  /** A WAV file on disk; read when the mail is sent, so it must stay until then. */
  path: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  attachments: MailAttachment[];
  /** The attachments are the queue's to delete once the mail is sent (copies made for it). */
  ownedAttachments?: boolean;
}

export interface MailStatus {
  id: string;
  to: string;
  subject: string;
  attempts: number;
  lastError?: string;
  nextAttemptAt: number;
  sentAt?: number;
}

export interface MailQueueOptions {
  /** The outbox folder, e.g. `<dataDir>/outbox`. */
  dir: string;
  /** Read at every attempt, so a settings change applies to mails already queued. */
  smtp: () => SmtpSettings | undefined;
  /** Wall-clock milliseconds (persisted in the files, so it must survive a restart). */
  now?: () => number;
  onError?: (error: unknown, id: string) => void;
  /** Delay after the `attempt`-th failure (1-based). */
  retryMs?: (attempt: number) => number;
}

/** A queued mail as stored in `<dir>/<id>.json`. */
interface MailRecord extends OutgoingMail {
  id: string;
  createdAt: number;
  attempts: number;
  lastError?: string;
  nextAttemptAt: number;
  sentAt?: number;
}

export const NO_SMTP_ERROR = "no SMTP server configured";
const BACKOFF_MS = [5_000, 15_000, 60_000, 300_000, 900_000];
const KEEP_SENT = 100;
/** setTimeout fires at once for delays past 2^31-1 ms; a longer wait is re-armed on wake-up. */
const MAX_TIMER_MS = 2_147_483_647;

/** 5 s, 15 s, 60 s, 5 min, then every 15 min. */
export function defaultRetryMs(attempt: number): number {
  return BACKOFF_MS[Math.min(Math.max(attempt, 1), BACKOFF_MS.length) - 1];
}

export class MailQueue {
  private readonly dir: string;
  private readonly sentDir: string;
  private readonly now: () => number;
  private readonly retryMs: (attempt: number) => number;
  private readonly pending = new Map<string, MailRecord>();
  private sent: MailRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  /** The pass in progress, awaited by stop(). */
  private pass: Promise<void> | undefined;
  private transport: Transporter | undefined;

  constructor(private readonly o: MailQueueOptions) {
    this.dir = o.dir;
    this.sentDir = join(o.dir, "sent");
    this.now = o.now ?? Date.now;
    this.retryMs = o.retryMs ?? defaultRetryMs;
  }

  /** Loads what the outbox holds (a restart loses nothing) and schedules sending. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    mkdirSync(this.sentDir, { recursive: true });
    this.pending.clear();
    const sentIds = new Set(readdirSync(this.sentDir).filter(isJson));
    this.sent = this.loadSent([...sentIds]);
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      // A leftover temporary file is a write that never completed: enqueue() had not resolved.
      if (name.endsWith(".tmp")) {
        unlinkQuiet(path);
        continue;
      }
      if (!isJson(name)) continue;
      // Crash between writing sent/<id> and removing the outbox copy: it was sent already.
      if (sentIds.has(name)) {
        unlinkQuiet(path);
        continue;
      }
      const record = parseRecord(path);
      if (record) this.pending.set(record.id, record);
      else this.o.onError?.(new Error(`unreadable outbox file ${name}`), name.slice(0, -5));
    }
    this.schedule();
  }

  /** Stops the timer, aborts a send in progress (it counts as a failed attempt) and waits. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    this.transport?.close();
    await this.pass;
  }

  /** Resolves once the mail is on disk; it is then sent as soon as the timer allows. */
  async enqueue(mail: OutgoingMail): Promise<string> {
    const now = this.now();
    const record: MailRecord = {
      id: `${now.toString(36).padStart(9, "0")}-${randomUUID()}`,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      attachments: mail.attachments.map((a) => ({ filename: a.filename, path: a.path })),
      ownedAttachments: mail.ownedAttachments === true,
      createdAt: now,
      attempts: 0,
      nextAttemptAt: now,
    };
    await mkdir(this.dir, { recursive: true });
    await writeAtomic(this.dir, `${record.id}.json`, record);
    this.pending.set(record.id, record);
    this.schedule();
    return record.id;
  }

  /** Queued mails (oldest first), then the recently sent ones (newest first). */
  list(): MailStatus[] {
    const queued = [...this.pending.values()].sort((a, b) => a.createdAt - b.createdAt);
    return [...queued, ...this.sent].map(status);
  }

  private schedule(): void {
    this.clearTimer();
    if (this.stopped || this.running || this.pending.size === 0) return;
    let due = Number.POSITIVE_INFINITY;
    for (const r of this.pending.values()) due = Math.min(due, r.nextAttemptAt);
    const delay = Math.min(Math.max(0, due - this.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.runPass(), delay);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runPass(): void {
    this.timer = undefined;
    this.running = true;
    this.pass = this.sendDue().finally(() => {
      this.running = false;
      this.pass = undefined;
      this.schedule();
    });
  }

  /** Sends every due mail, one at a time and oldest first (one SMTP connection at a time). */
  private async sendDue(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = this.now();
      const due = [...this.pending.values()]
        .filter((r) => r.nextAttemptAt <= now)
        .sort((a, b) => a.createdAt - b.createdAt)[0];
      if (!due) return;
      await this.attempt(due);
    }
  }

  private async attempt(record: MailRecord): Promise<void> {
    const smtp = this.o.smtp();
    if (!smtp) {
      // NOTE: not counted as an attempt, so the back-off does not grow while nobody has set up
      // SMTP; the mail is looked at again after the first back-off step.
      record.nextAttemptAt = this.now() + this.retryMs(1);
      if (record.lastError !== NO_SMTP_ERROR) {
        record.lastError = NO_SMTP_ERROR;
        await this.persist(record);
      }
      return;
    }
    try {
      await this.send(smtp, record);
    } catch (error) {
      record.attempts++;
      record.lastError = error instanceof Error ? error.message : String(error);
      record.nextAttemptAt = this.now() + this.retryMs(record.attempts);
      await this.persist(record);
      this.o.onError?.(error, record.id);
      return;
    }
    await this.markSent(record);
  }

  private async send(smtp: SmtpSettings, record: MailRecord): Promise<void> {
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.security === "tls",
      requireTLS: smtp.security === "starttls",
      ignoreTLS: smtp.security === "none",
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? "" } : undefined,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    this.transport = transport;
    try {
      await transport.sendMail({
        from: smtp.from,
        to: record.to,
        subject: record.subject,
        text: record.text,
        attachments: record.attachments.map((a) => ({
          filename: a.filename,
          path: a.path,
          contentType: "audio/wav",
        })),
      });
    } finally {
      this.transport = undefined;
      transport.close();
    }
  }

  /** Rewrites the outbox copy; a failed write is reported and the in-memory state still holds. */
  private async persist(record: MailRecord): Promise<void> {
    try {
      await writeAtomic(this.dir, `${record.id}.json`, record);
    } catch (error) {
      this.o.onError?.(error, record.id);
    }
  }

  /** sent/<id>.json first, then the outbox copy goes: a crash in between never mails twice. */
  private async markSent(record: MailRecord): Promise<void> {
    record.sentAt = this.now();
    record.lastError = undefined;
    this.pending.delete(record.id);
    this.sent.unshift(record);
    this.sent.length = Math.min(this.sent.length, KEEP_SENT);
    try {
      await writeAtomic(this.sentDir, `${record.id}.json`, record);
      await unlink(join(this.dir, `${record.id}.json`));
      if (record.ownedAttachments === true) {
        for (const a of record.attachments) await unlink(a.path).catch(() => {});
      }
      await this.pruneSent();
    } catch (error) {
      this.o.onError?.(error, record.id);
    }
  }

  private async pruneSent(): Promise<void> {
    const names = (await readdir(this.sentDir)).filter(isJson);
    if (names.length <= KEEP_SENT) return;
    const dated = await Promise.all(
      names.map(async (n) => ({ n, t: (await stat(join(this.sentDir, n))).mtimeMs })),
    );
    dated.sort((a, b) => b.t - a.t);
    for (const { n } of dated.slice(KEEP_SENT)) await unlink(join(this.sentDir, n)).catch(() => {});
  }

  private loadSent(names: string[]): MailRecord[] {
    const records: MailRecord[] = [];
    for (const name of names) {
      const record = parseRecord(join(this.sentDir, name));
      if (record) records.push(record);
    }
    return records.sort((a, b) => (b.sentAt ?? 0) - (a.sentAt ?? 0)).slice(0, KEEP_SENT);
  }
}

function status(r: MailRecord): MailStatus {
  const s: MailStatus = {
    id: r.id,
    to: r.to,
    subject: r.subject,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
  };
  if (r.lastError !== undefined) s.lastError = r.lastError;
  if (r.sentAt !== undefined) s.sentAt = r.sentAt;
  return s;
}

function isJson(name: string): boolean {
  return name.endsWith(".json");
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Reads one stored mail; anything malformed is undefined rather than a throw. */
function parseRecord(path: string): MailRecord | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    const r = JSON.parse(readFileSync(path, "utf8")) as Partial<MailRecord> | null;
    if (
      !r ||
      typeof r.id !== "string" ||
      typeof r.to !== "string" ||
      typeof r.subject !== "string" ||
      typeof r.text !== "string" ||
      !Array.isArray(r.attachments) ||
      typeof r.attempts !== "number" ||
      typeof r.nextAttemptAt !== "number" ||
      typeof r.createdAt !== "number"
    ) {
      return undefined;
    }
    return r as MailRecord;
  } catch {
    return undefined;
  }
}

/** Write to a temporary file, fsync, rename: a reader sees the old file or the new, never half. */
async function writeAtomic(dir: string, name: string, value: unknown): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const file = await open(tmp, "w");
  try {
    await file.writeFile(JSON.stringify(value));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, join(dir, name));
}
