/**
 * The system SMTP server that mails voice messages (FEATURES.md section 1: host, port, TLS, user,
 * password, sender). Two sources: the start-up settings (flags, PARLEY_SMTP_* environment, config
 * file) and the settings an administrator saves in the web UI or API, stored per domain in the
 * store. A saved setting takes precedence over the start-up ones and survives restarts. The mail
 * queue reads `current()` at every attempt, so a change applies to mails already queued.
 */
import { z } from "zod";
import type { FieldError, SystemSettingsRepository } from "../../store/index.js";
import { ValidationError } from "../../store/index.js";
import type { SmtpSettings } from "./mail-queue.js";

export const SMTP_SETTING_NAME = "smtp";

/** What the API shows: everything but the password, and where the settings come from. */
export interface SmtpView {
  /** "" = no SMTP server: mails wait in the outbox. */
  host: string;
  port: number;
  security: SmtpSettings["security"];
  user: string;
  /** Whether a password is set (it is never shown). */
  passwordSet: boolean;
  from: string;
  /** "saved": set in the UI/API; "startup": from flags/environment/config file; "none". */
  source: "saved" | "startup" | "none";
}

/** A change from the API; `password` omitted keeps the stored one, "" clears it. */
export interface SmtpPatch {
  host?: string;
  port?: number;
  security?: SmtpSettings["security"];
  user?: string;
  password?: string;
  from?: string;
}

const HOST = /^[A-Za-z0-9.:[\]_-]{1,253}$/;
const MAILBOX = /^[^\s@<>]+@[^\s@<>]+$|^.*<[^\s@<>]+@[^\s@<>]+>$/;

const stored = z.strictObject({
  host: z.union([z.literal(""), z.string().regex(HOST, { error: "must be a host name or address" })], {
    error: "must be a host name or address",
  }),
  port: z
    .number({ error: "must be a number" })
    .int({ error: "must be an integer" })
    .min(1, { error: "must be 1-65535" })
    .max(65_535, { error: "must be 1-65535" }),
  security: z.enum(["none", "starttls", "tls"], { error: "must be none, starttls or tls" }),
  user: z.string({ error: "must be a string" }).max(256, { error: "at most 256 characters" }),
  password: z.string({ error: "must be a string" }).max(256, { error: "at most 256 characters" }),
  from: z.string({ error: "must be a string" }).max(320, { error: "at most 320 characters" }).regex(MAILBOX, {
    error: 'must be an e-mail address, e.g. "parley@example.com" or "PBX <pbx@example.com>"',
  }),
});
type Stored = z.output<typeof stored>;

export class SmtpConfig {
  private saved: Stored | undefined;

  constructor(
    private readonly o: {
      readonly repository: SystemSettingsRepository;
      readonly domainId: number;
      /** The start-up settings; `host` undefined = none configured there. */
      readonly startup: Omit<SmtpSettings, "host"> & { readonly host: string | undefined };
    },
  ) {}

  /** Reads the saved settings; a stored value that no longer validates is ignored. */
  async load(): Promise<void> {
    const parsed = stored.safeParse(await this.o.repository.get(this.o.domainId, SMTP_SETTING_NAME));
    this.saved = parsed.success ? parsed.data : undefined;
  }

  /** The SMTP server to use now, or undefined when none is configured. */
  current(): SmtpSettings | undefined {
    const s = this.effective();
    if (s.host === "") return undefined;
    return {
      host: s.host,
      port: s.port,
      security: s.security,
      user: s.user === "" ? undefined : s.user,
      password: s.password === "" ? undefined : s.password,
      from: s.from,
    };
  }

  view(): SmtpView {
    const s = this.effective();
    const source = this.saved !== undefined ? "saved" : s.host !== "" ? "startup" : "none";
    return {
      host: s.host,
      port: s.port,
      security: s.security,
      user: s.user,
      passwordSet: s.password !== "",
      from: s.from,
      source,
    };
  }

  /** Validates (errors name the field), merges over the effective settings, and saves. */
  async update(patch: unknown): Promise<SmtpView> {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
      throw new ValidationError([{ field: "(body)", message: "must be an object" }]);
    }
    const merged = { ...this.effective(), ...(patch as Record<string, unknown>) };
    const parsed = stored.safeParse(merged);
    if (!parsed.success) {
      const errors: FieldError[] = parsed.error.issues.map((i) => ({
        field: i.path.length > 0 ? i.path.map(String).join(".") : "(body)",
        message: i.message,
      }));
      throw new ValidationError(errors);
    }
    await this.o.repository.put(this.o.domainId, SMTP_SETTING_NAME, parsed.data);
    this.saved = parsed.data;
    return this.view();
  }

  /** Forgets the saved settings: the start-up ones apply again. */
  async reset(): Promise<SmtpView> {
    await this.o.repository.delete(this.o.domainId, SMTP_SETTING_NAME);
    this.saved = undefined;
    return this.view();
  }

  private effective(): Stored {
    if (this.saved) return this.saved;
    const s = this.o.startup;
    return {
      host: s.host ?? "",
      port: s.port,
      security: s.security,
      user: s.user ?? "",
      password: s.password ?? "",
      from: s.from,
    };
  }
}
