/**
 * The voicemail outbox (issue 15) against a real SMTP server (smtp-server on 127.0.0.1, parsed
 * with mailparser): the WAV arrives byte-exact; with the server down the mail waits with its error
 * and arrives once the server comes up; a new queue on the same folder sends what the old one left.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MailQueue, NO_SMTP_ERROR, type SmtpSettings } from "../../src/services/voicemail/mail-queue.js";
import { freePort } from "../helpers/ports.js";
import { type Inbox, smtpInbox as smtpServer } from "../helpers/smtp-inbox.js";

const HOST = "127.0.0.1";

async function until(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A short WAV: a 44-byte RIFF header and random 8 kHz 16-bit PCM, so every byte counts. */
function wav(samples: number): Buffer {
  const data = randomBytes(samples * 2);
  const h = Buffer.alloc(44);
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write("WAVEfmt ", 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

describe("MailQueue", () => {
  let root: string;
  let wavPath: string;
  let wavBytes: Buffer;
  const queues: MailQueue[] = [];
  const inboxes: Inbox[] = [];

  before(() => {
    root = mkdtempSync(join(tmpdir(), "parley-mailq-"));
    wavPath = join(root, "msg0001.wav");
    wavBytes = wav(8000);
    writeFileSync(wavPath, wavBytes);
  });
  after(async () => {
    for (const q of queues) await q.stop();
    for (const i of inboxes) await i.close();
    rmSync(root, { recursive: true, force: true });
  });

  function queue(dir: string, smtp: () => SmtpSettings | undefined): MailQueue {
    const q = new MailQueue({ dir: join(root, dir), smtp, retryMs: () => 150 });
    queues.push(q);
    return q;
  }
  const settings = (port: number): SmtpSettings => ({
    host: HOST,
    port,
    security: "none",
    from: "pbx@parley.test",
  });
  const mail = (subject: string) => ({
    to: "alice@example.test",
    subject,
    text: "You have a new voicemail.",
    attachments: [{ filename: "msg0001.wav", path: wavPath }],
  });

  it("enqueue() resolves only once the mail is a JSON file in the outbox", async () => {
    const q = queue("ondisk", () => undefined);
    const id = await q.enqueue(mail("on disk"));
    const stored = JSON.parse(readFileSync(join(root, "ondisk", `${id}.json`), "utf8"));
    assert.equal(stored.subject, "on disk");
    assert.equal(stored.attachments[0].path, wavPath);
  });

  it("with no SMTP configured, every mail waits with lastError 'no SMTP server configured'", async () => {
    const q = queue("nosmtp", () => undefined);
    q.start();
    const id = await q.enqueue(mail("waiting"));
    await until("the no-SMTP error", () => q.list()[0]?.lastError !== undefined);
    const [s] = q.list();
    assert.equal(s.id, id);
    assert.equal(s.lastError, NO_SMTP_ERROR);
    assert.equal(s.sentAt, undefined);
    assert.ok(existsSync(join(root, "nosmtp", `${id}.json`)));
  });

  it("sends the WAV as an audio/wav attachment that arrives byte-exact, then files it in sent/", async () => {
    const port = await freePort();
    const inbox = await smtpServer(port);
    inboxes.push(inbox);
    const q = queue("direct", () => settings(port));
    q.start();
    const id = await q.enqueue(mail("New voicemail from 101"));
    await until("the mail", () => inbox.mails.length === 1);
    const got = inbox.mails[0];
    assert.equal(got.subject, "New voicemail from 101");
    assert.equal(got.from?.text, "pbx@parley.test");
    assert.equal(got.text?.trim(), "You have a new voicemail.");
    assert.equal(got.attachments.length, 1);
    assert.equal(got.attachments[0].filename, "msg0001.wav");
    // The header as sent: mailparser would guess audio/wav from the file name alone.
    const sentType = got.attachments[0].headers.get("content-type") as { value: string };
    assert.equal(sentType.value, "audio/wav");
    assert.ok(got.attachments[0].content.equals(wavBytes), "attachment bytes differ");
    await until("sentAt", () => q.list()[0]?.sentAt !== undefined);
    assert.equal(q.list()[0].attempts, 0);
    // Filed in sent/ first, then the outbox copy goes (a crash in between never mails twice).
    await until("the outbox copy removed", () => !existsSync(join(root, "direct", `${id}.json`)));
    assert.ok(existsSync(join(root, "direct", "sent", `${id}.json`)));
  });

  it("with the server down first, keeps the mail with lastError and sends it once the server is up", async () => {
    const port = await freePort();
    const q = queue("down", () => settings(port));
    q.start();
    const id = await q.enqueue(mail("retried"));
    await until("two failed attempts", () => (q.list()[0]?.attempts ?? 0) >= 2);
    const [s] = q.list();
    assert.match(s.lastError ?? "", /ECONNREFUSED/);
    assert.equal(s.sentAt, undefined);
    const stored = JSON.parse(readFileSync(join(root, "down", `${id}.json`), "utf8"));
    assert.ok(stored.attempts >= 1, "the failure is persisted");
    const inbox = await smtpServer(port);
    inboxes.push(inbox);
    await until("the mail", () => inbox.mails.length === 1);
    assert.ok(inbox.mails[0].attachments[0].content.equals(wavBytes));
    await until("sentAt", () => q.list()[0]?.sentAt !== undefined);
    assert.equal(q.list().length, 1);
  });

  it("a new queue on the same folder (a restart) sends what the old one left", async () => {
    const port = await freePort();
    const old = queue("restart", () => settings(port));
    old.start();
    const id = await old.enqueue(mail("left behind"));
    await until("a failed attempt", () => (old.list()[0]?.attempts ?? 0) >= 1);
    await old.stop();
    const inbox = await smtpServer(port);
    inboxes.push(inbox);
    const fresh = queue("restart", () => settings(port));
    fresh.start();
    const [loaded] = fresh.list();
    assert.equal(loaded.id, id);
    assert.ok(loaded.attempts >= 1);
    assert.match(loaded.lastError ?? "", /ECONNREFUSED/);
    await until("the mail", () => inbox.mails.length === 1);
    assert.equal(inbox.mails[0].subject, "left behind");
    await until("sentAt", () => fresh.list()[0]?.sentAt !== undefined);
    // A third start finds it in sent/ and sends nothing again.
    await fresh.stop();
    const third = queue("restart", () => settings(port));
    third.start();
    assert.equal(third.list()[0].sentAt !== undefined, true);
    // What is tested is that nothing is sent again: a window of 300 ms on purpose.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(inbox.mails.length, 1);
  });
});
