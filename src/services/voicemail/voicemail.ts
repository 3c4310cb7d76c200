/**
 * The voicemail service as the server starts it: the SMTP settings, the durable mail outbox, the
 * mailboxes, and the deposit at the call lifecycle's failure points. Voicemail access by phone
 * and MWI attach to the mailboxes this returns.
 */
import { join } from "node:path";
import type { DetectionPointTable } from "../../call/detection-points.js";
import type { Settings } from "../../config/settings.js";
import type { MediaServer } from "../../media/media-server.js";
import type { LocalUser, Store } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import type { StorageLimit } from "../storage/storage-limit.js";
import { registerVoicemailDeposit } from "./deposit.js";
import { MailQueue } from "./mail-queue.js";
import { Mailboxes } from "./mailboxes.js";
import { SmtpConfig } from "./smtp-config.js";

export interface VoicemailServiceOptions {
  /** A tenant's storage limit (issue 21): at it, messages are refused. */
  readonly storage?: StorageLimit;
  readonly store: Store;
  readonly domainId: number;
  readonly points: DetectionPointTable;
  readonly media: MediaServer;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly settings: Pick<
    Settings,
    | "dataDir"
    | "voicemailMaxSeconds"
    | "voicemailMinMs"
    | "voicemailSilenceSeconds"
    | "smtpHost"
    | "smtpPort"
    | "smtpSecurity"
    | "smtpUser"
    | "smtpPassword"
    | "smtpFrom"
  >;
  readonly logger: Logger;
}

export interface VoicemailService {
  readonly mailboxes: Mailboxes;
  readonly smtp: SmtpConfig;
  readonly outbox: MailQueue;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createVoicemail(o: VoicemailServiceOptions): VoicemailService {
  const { settings, logger } = o;
  const smtp = new SmtpConfig({
    repository: o.store.systemSettings,
    domainId: o.domainId,
    startup: {
      host: settings.smtpHost,
      port: settings.smtpPort,
      security: settings.smtpSecurity,
      user: settings.smtpUser,
      password: settings.smtpPassword,
      from: settings.smtpFrom,
    },
  });
  const outboxDir = join(settings.dataDir, "outbox");
  const outbox = new MailQueue({
    dir: outboxDir,
    smtp: () => smtp.current(),
    onError: (err, id) => logger.warn({ err, mail: id }, "voicemail mail not sent yet (will retry)"),
  });
  const mailboxes = new Mailboxes({
    dir: join(settings.dataDir, "voicemail"),
    repository: o.store.voicemail,
    mail: outbox,
    outboxDir: join(outboxDir, "attachments"),
    emailOf: async (domainId, mailbox) => (await o.users.lookup(domainId, mailbox))?.user.email,
    onError: (err, context) => logger.error({ err, context }, "voicemail error"),
  });
  const removeDeposit = registerVoicemailDeposit({
    points: o.points,
    media: o.media,
    mailboxes,
    users: o.users,
    maxMs: settings.voicemailMaxSeconds * 1000,
    minMs: settings.voicemailMinMs,
    silenceMs: settings.voicemailSilenceSeconds * 1000,
    onError: (err, context) => logger.error({ err, context }, "voicemail error"),
    onDeposit: (mailbox, durationMs) => {
      logger.info({ mailbox, durationMs }, "voice message left");
      o.storage?.stored();
    },
    ...(o.storage === undefined ? {} : { storageFull: o.storage.full }),
  });
  return {
    mailboxes,
    smtp,
    outbox,
    async start() {
      await smtp.load();
      outbox.start();
    },
    async stop() {
      removeDeposit();
      await outbox.stop();
    },
  };
}
