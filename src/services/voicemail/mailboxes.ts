/**
 * The voice mailboxes: the one deposit path and everything that changes a mailbox afterwards
 * (issue 15). A deposited message is
 * 1. moved from the recorder's temporary file into `<dir>/<domainId>/<mailbox>/`,
 * 2. recorded in the store (the row is committed before deposit() resolves),
 * 3. queued for mail to the user's address, as a WAV attachment (the outbox keeps its own copy,
 *    so deleting the message never breaks a mail still waiting for the SMTP server),
 * 4. announced to the listeners (MWI, the admin UI) with the mailbox's new counts.
 * Deleting a message or moving it to "old" announces the new counts the same way.
 *
 * The greeting a user records is `<dir>/<domainId>/<mailbox>/greeting.wav`.
 */
import { randomUUID } from "node:crypto";
import { copyFile, link, mkdir, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type {
  MessageCounts,
  VoicemailFolder,
  VoicemailMessage,
  VoicemailRepository,
} from "../../store/index.js";
import type { MailQueue } from "./mail-queue.js";

export interface DepositInput {
  readonly domainId: number;
  readonly mailbox: string;
  readonly caller: string;
  readonly callerName: string;
  readonly callId: string;
  /** The recording (WAV); moved into the mailbox. */
  readonly file: string;
  readonly durationMs: number;
}

export type MailboxListener = (domainId: number, mailbox: string, counts: MessageCounts) => void;

export interface MailboxesOptions {
  /** `<dataDir>/voicemail`. */
  readonly dir: string;
  readonly repository: VoicemailRepository;
  readonly mail: MailQueue;
  /** Where the outbox keeps attachments until they are sent. */
  readonly outboxDir: string;
  /** The address a mailbox's messages are mailed to, "" or undefined = none. */
  readonly emailOf: (domainId: number, mailbox: string) => Promise<string | undefined>;
  readonly now?: () => number;
  readonly onError?: (error: unknown, context: string) => void;
}

/** A path segment safe on every file system: the mailbox name (letters, digits, ._-) as is. */
function segment(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, "_");
}

export class Mailboxes {
  private readonly listeners = new Set<MailboxListener>();
  private readonly now: () => number;

  constructor(private readonly o: MailboxesOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A mailbox's folder (absolute). */
  folder(domainId: number, mailbox: string): string {
    return join(this.o.dir, String(domainId), segment(mailbox));
  }

  /** Where the user's recorded greeting is (it may not exist). */
  greetingPath(domainId: number, mailbox: string): string {
    return join(this.folder(domainId, mailbox), "greeting.wav");
  }

  async hasGreeting(domainId: number, mailbox: string): Promise<boolean> {
    return isFile(this.greetingPath(domainId, mailbox));
  }

  /** A temporary file for a recording in progress (same file system, so moving it is a rename). */
  async temporaryFile(): Promise<string> {
    const dir = join(this.o.dir, "tmp");
    await mkdir(dir, { recursive: true });
    return join(dir, `${randomUUID()}.wav`);
  }

  /** Replaces the greeting with a recording (moved). */
  async saveGreeting(domainId: number, mailbox: string, recording: string): Promise<void> {
    const target = this.greetingPath(domainId, mailbox);
    await mkdir(dirname(target), { recursive: true });
    await rename(recording, target);
  }

  async deleteGreeting(domainId: number, mailbox: string): Promise<boolean> {
    try {
      await unlink(this.greetingPath(domainId, mailbox));
      return true;
    } catch {
      return false;
    }
  }

  /** The one deposit path (see the file comment). */
  async deposit(input: DepositInput): Promise<VoicemailMessage> {
    const receivedAt = this.now();
    const name = `msg-${receivedAt}-${randomUUID().slice(0, 8)}.wav`;
    const relative = join(String(input.domainId), segment(input.mailbox), name);
    const target = join(this.o.dir, relative);
    await mkdir(dirname(target), { recursive: true });
    await rename(input.file, target);
    const message = await this.o.repository.insert({
      domainId: input.domainId,
      mailbox: input.mailbox,
      caller: input.caller,
      callerName: input.callerName,
      receivedAt,
      durationMs: input.durationMs,
      folder: "new",
      file: relative,
      callId: input.callId,
    });
    await this.mail(message, target).catch((error: unknown) => this.o.onError?.(error, "voicemail mail"));
    await this.announce(input.domainId, input.mailbox);
    return message;
  }

  list(domainId: number, mailbox?: string): Promise<VoicemailMessage[]> {
    return this.o.repository.list(domainId, mailbox);
  }

  get(domainId: number, id: number): Promise<VoicemailMessage | undefined> {
    return this.o.repository.get(domainId, id);
  }

  /** The message's WAV file (absolute). */
  audioPath(message: VoicemailMessage): string {
    return join(this.o.dir, message.file);
  }

  counts(domainId: number, mailbox: string): Promise<MessageCounts> {
    return this.o.repository.counts(domainId, mailbox);
  }

  /** Moves a message to a folder; resolves to whether it exists. */
  async setFolder(domainId: number, id: number, folder: VoicemailFolder): Promise<boolean> {
    const message = await this.o.repository.get(domainId, id);
    if (!message) return false;
    if (message.folder !== folder) {
      await this.o.repository.setFolder(domainId, id, folder);
      await this.announce(domainId, message.mailbox);
    }
    return true;
  }

  /** Deletes the row, then the file; resolves to the deleted message or undefined. */
  async delete(domainId: number, id: number): Promise<VoicemailMessage | undefined> {
    const message = await this.o.repository.delete(domainId, id);
    if (!message) return undefined;
    await unlink(this.audioPath(message)).catch((error: unknown) =>
      this.o.onError?.(error, "voicemail file delete"),
    );
    await this.announce(domainId, message.mailbox);
    return message;
  }

  /** Listeners hear every change of a mailbox's counts. */
  onChange(listener: MailboxListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async announce(domainId: number, mailbox: string): Promise<void> {
    const counts = await this.o.repository.counts(domainId, mailbox);
    for (const listener of this.listeners) {
      try {
        listener(domainId, mailbox, counts);
      } catch (error) {
        this.o.onError?.(error, "voicemail listener");
      }
    }
  }

  private async mail(message: VoicemailMessage, file: string): Promise<void> {
    const to = (await this.o.emailOf(message.domainId, message.mailbox))?.trim();
    if (!to) return;
    // The outbox's own copy (a hard link where possible): the mail survives the message's deletion.
    await mkdir(this.o.outboxDir, { recursive: true });
    const attachment = join(this.o.outboxDir, `${randomUUID()}.wav`);
    await link(file, attachment).catch(() => copyFile(file, attachment));
    const from = message.callerName !== "" ? `${message.callerName} <${message.caller}>` : message.caller;
    const when = new Date(message.receivedAt).toISOString().replace("T", " ").slice(0, 19);
    const seconds = Math.round(message.durationMs / 1000);
    await this.o.mail.enqueue({
      to,
      subject: `New voice message from ${from} (${seconds} s)`,
      text: [
        `You have a new voice message in mailbox ${message.mailbox}.`,
        "",
        `From: ${from}`,
        `Received: ${when} UTC`,
        `Length: ${seconds} s`,
        "",
        "The message is attached as a WAV file.",
      ].join("\n"),
      attachments: [{ filename: `voicemail-${message.mailbox}-${message.id}.wav`, path: attachment }],
      ownedAttachments: true,
    });
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
