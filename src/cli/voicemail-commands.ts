/**
 * `parley voicemail list|delete` and `parley voicemail smtp show|set|reset`: voice messages and the
 * SMTP settings that mail them (issue 15), straight in the store and the data dir like the user
 * commands, with the same settings (--data-dir, --database-url, --config, PARLEY_*). They go
 * through the voicemail service's own classes (Mailboxes, SmtpConfig), so a deletion removes the
 * file with the row and a bad SMTP value is refused with the field named, as in the API.
 *
 * NOTE: another process's memory is not reached from here. A running server updates MWI at the
 * mailbox's next change and takes SMTP settings saved here at its next start; the web UI and the
 * API change both at once.
 */
import { join } from "node:path";
import type { Command } from "commander";
import type { Settings } from "../config/settings.js";
import { Mailboxes } from "../services/voicemail/mailboxes.js";
import { SmtpConfig, type SmtpView } from "../services/voicemail/smtp-config.js";
import { NotFoundError, storeFromUrl, VOICEMAIL_FOLDERS, type VoicemailMessage } from "../store/index.js";
import { isoTime, isoTimesReplacer } from "../util/iso-time.js";
import { run, type StoreOptions, storeCommand, storeSettings, table, UsageError } from "./user-commands.js";

interface Voicemail {
  mailboxes: Mailboxes;
  smtp: SmtpConfig;
  domainId: number;
}

/** Opens the store and the voicemail folders as `parley start` lays them out (services/voicemail/voicemail.ts). */
async function withVoicemail<T>(opts: StoreOptions, act: (v: Voicemail) => Promise<T>): Promise<T> {
  const settings = storeSettings(opts);
  const store = await storeFromUrl(settings.databaseUrl, settings.dataDir);
  try {
    await store.migrate();
    const domainId = (await store.domains.getDefault()).id;
    const outboxDir = join(settings.dataDir, "outbox");
    // Loaded here, not at the top: the mailer would slow every other command's start.
    const { MailQueue } = await import("../services/voicemail/mail-queue.js");
    const mailboxes = new Mailboxes({
      dir: join(settings.dataDir, "voicemail"),
      repository: store.voicemail,
      // Never started: these commands deposit nothing, so they mail nothing.
      mail: new MailQueue({ dir: outboxDir, smtp: () => undefined }),
      outboxDir: join(outboxDir, "attachments"),
      emailOf: async () => undefined,
    });
    const smtp = new SmtpConfig({
      repository: store.systemSettings,
      domainId,
      startup: startupSmtp(settings),
    });
    await smtp.load();
    return await act({ mailboxes, smtp, domainId });
  } finally {
    await store.close();
  }
}

function startupSmtp(s: Settings): ConstructorParameters<typeof SmtpConfig>[0]["startup"] {
  const { smtpHost: host, smtpPort: port, smtpSecurity: security, smtpFrom: from } = s;
  return { host, port, security, from, user: s.smtpUser, password: s.smtpPassword };
}

const SMTP_KEYS = ["host", "port", "security", "user", "password", "from"] as const;

/** "port=587" → { port: 587 }; the other keys take text. An unknown key is a usage error. */
export function smtpPatch(assignments: string[]): Record<string, string | number> {
  const patch: Record<string, string | number> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=");
    const key = assignment.slice(0, Math.max(eq, 0)).trim();
    if (eq <= 0) throw new UsageError(`"${assignment}" is not key=value`);
    if (!(SMTP_KEYS as readonly string[]).includes(key))
      throw new UsageError(`unknown SMTP setting "${key}" (there are: ${SMTP_KEYS.join(", ")})`);
    const value = assignment.slice(eq + 1);
    patch[key] = key === "port" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  }
  return patch;
}

const iso = isoTime;
const caller = (m: VoicemailMessage) => (m.callerName !== "" ? `${m.callerName} <${m.caller}>` : m.caller);

function printSmtp(view: SmtpView, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return;
  }
  const rows = Object.entries(view).map(([key, value]) => `${key.padEnd(12)}${String(value)}`);
  process.stdout.write(`${rows.join("\n")}\n`);
}

export function registerVoicemailCommands(program: Command): void {
  const voicemail = program
    .command("voicemail")
    .description("voice messages and the SMTP settings that mail them");

  storeCommand(voicemail, "list")
    .description("list voice messages, newest first")
    .option("--user <name>", "only this user's mailbox")
    .option("--folder <folder>", `only this folder: ${VOICEMAIL_FOLDERS.join(" or ")}`)
    .action((opts: StoreOptions & { user?: string; folder?: string }) =>
      run(async () => {
        const folder = opts.folder;
        if (folder !== undefined && !(VOICEMAIL_FOLDERS as readonly string[]).includes(folder))
          throw new UsageError(`--folder must be ${VOICEMAIL_FOLDERS.join(" or ")}`);
        const all = await withVoicemail(opts, (v) => v.mailboxes.list(v.domainId, opts.user));
        const messages = all.filter((m) => folder === undefined || m.folder === folder).reverse();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ items: messages }, isoTimesReplacer, 2)}\n`);
          return;
        }
        const rows = messages.map((m) => [
          String(m.id),
          m.mailbox,
          m.folder,
          iso(m.receivedAt),
          `${(m.durationMs / 1000).toFixed(1)} s`,
          caller(m),
        ]);
        process.stdout.write(`${table(["ID", "MAILBOX", "FOLDER", "RECEIVED", "LENGTH", "CALLER"], rows)}\n`);
        process.stdout.write(`${messages.length} messages\n`);
      }),
    );

  storeCommand(voicemail, "delete")
    .description("delete a voice message and its audio file")
    .argument("<id>", "the message's id (see voicemail list)")
    .action((id: string, opts: StoreOptions) =>
      run(async () => {
        if (!/^\d+$/.test(id)) throw new UsageError(`"${id}" is not a message id (a number)`);
        const deleted = await withVoicemail(opts, (v) => v.mailboxes.delete(v.domainId, Number(id)));
        if (!deleted) throw new NotFoundError("voice message", id);
        if (opts.json) process.stdout.write(`${JSON.stringify({ deleted: deleted.id })}\n`);
        else process.stdout.write(`voice message ${deleted.id} (mailbox ${deleted.mailbox}) deleted\n`);
      }),
    );

  const smtp = voicemail.command("smtp").description("the SMTP server that mails voice messages");

  storeCommand(smtp, "show")
    .description("the SMTP settings in use (never the password) and where they come from")
    .action((opts: StoreOptions) =>
      run(async () => printSmtp(await withVoicemail(opts, async (v) => v.smtp.view()), opts.json)),
    );

  storeCommand(smtp, "set")
    .description(`save SMTP settings: key=value ... (${SMTP_KEYS.join(", ")}; password= clears it)`)
    .argument("<assignments...>", "e.g. host=mail.example.com port=587 security=starttls")
    .action((assignments: string[], opts: StoreOptions) =>
      run(async () => {
        const patch = smtpPatch(assignments);
        printSmtp(await withVoicemail(opts, (v) => v.smtp.update(patch)), opts.json);
      }),
    );

  storeCommand(smtp, "reset")
    .description("forget the saved SMTP settings: the start-up settings apply again")
    .action((opts: StoreOptions) =>
      run(async () => printSmtp(await withVoicemail(opts, (v) => v.smtp.reset()), opts.json)),
    );
}
