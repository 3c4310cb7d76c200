/**
 * System settings an administrator changes at run time (issue 23): the out-group prefix, the
 * default no-answer time, the prompt language, the media relay mode, the CDR CSV folder and the
 * SMTP server. A value set through the API or web UI is stored (system_settings, one row per key),
 * overrides the start-up value (flag, environment, config file, default), survives a restart and
 * applies to the next call: the engine reads these values through `view` at the moment it uses
 * them, never a copy taken at start. Every other setting is start-up only and shown read-only.
 * Values are validated by the start-up table's own zod schemas, so the rules are one.
 */
import type { FieldError, SystemSettingsRepository } from "../store/index.js";
import { ValidationError } from "../store/index.js";
import type { SettingSourceMap } from "./setting-sources.js";
import { type SettingKey, type Settings, settingsTable } from "./settings.js";

/** Settings changed at run time and kept by this object. */
export const LOCAL_RUNTIME_KEYS = [
  "outGroupPrefix",
  "noAnswerTime",
  "language",
  "mediaRelay",
  "cdrCsvDir",
] as const;
type LocalKey = (typeof LOCAL_RUNTIME_KEYS)[number];

/** The SMTP settings, kept by the voicemail service's SmtpConfig (also /api/v1/smtp): key → its field. */
export const SMTP_FIELDS = {
  smtpHost: "host",
  smtpPort: "port",
  smtpSecurity: "security",
  smtpUser: "user",
  smtpPassword: "password",
  smtpFrom: "from",
} as const;
type SmtpKey = keyof typeof SMTP_FIELDS;

export const RUNTIME_KEYS: readonly SettingKey[] = [
  ...LOCAL_RUNTIME_KEYS,
  ...(Object.keys(SMTP_FIELDS) as SmtpKey[]),
];

/** Never shown; the API says only whether one is set. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  "apiToken",
  "adminPassword",
  "smtpPassword",
  "metricsToken",
]);

/** Settings that may be turned off at run time with "" (their start-up default is none). */
const CLEARABLE: ReadonlySet<string> = new Set(["cdrCsvDir"]);

/** The SMTP settings as SmtpConfig keeps them (structural: config/ does not import services/). */
export interface SmtpBackend {
  view(): {
    host: string;
    port: number;
    security: string;
    user: string;
    passwordSet: boolean;
    from: string;
    source: "saved" | "startup" | "none";
  };
  update(patch: unknown): Promise<unknown>;
  reset(): Promise<unknown>;
}

export type SettingValueOut = string | number | boolean | string[] | null;

export interface SystemSettingView {
  key: SettingKey;
  /** null for a secret or an unset optional setting. */
  value: SettingValueOut;
  /** Where the value in use comes from. */
  source: "default" | "file" | "environment" | "flag" | "runtime";
  /** The start-up source in words (`flag --out-group-prefix`, `environment PARLEY_…`, `default`). */
  startupSource: string;
  /** Editable at run time (PATCH); the rest apply at the next start only. */
  runtime: boolean;
  secret: boolean;
  /** For a secret: whether one is set. */
  isSet?: boolean;
}

export interface LiveSettingsOptions {
  readonly startup: Settings;
  readonly sources: SettingSourceMap;
  readonly repository: Pick<SystemSettingsRepository, "get" | "put" | "delete">;
  readonly domainId: number;
  /**
   * Issue 21: a tenant other than the provider may not change these (they are the process's, such
   * as where every tenant's CDR CSV files go); they read as the provider's start-up value.
   */
  readonly providerOnly?: ReadonlySet<string>;
}

/** The run-time settings that are the process's, not a tenant's (issue 21). */
export const PROVIDER_ONLY_KEYS: ReadonlySet<string> = new Set(["cdrCsvDir"]);

const rowName = (key: string) => `setting.${key}`;

export class LiveSettings {
  private readonly overrides = new Map<LocalKey, unknown>();
  private smtp: SmtpBackend | undefined;
  private readonly listeners = new Set<(key: SettingKey) => void>();
  /** The settings in use: the start-up ones with the run-time keys read live, at every access. */
  readonly view: Settings;

  constructor(private readonly o: LiveSettingsOptions) {
    const view: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(o.startup)) view[key] = value;
    for (const key of LOCAL_RUNTIME_KEYS)
      Object.defineProperty(view, key, { enumerable: true, get: () => this.get(key) });
    this.view = view as unknown as Settings;
  }

  /** Reads the stored values; one that no longer validates is ignored (the start-up value applies). */
  async load(): Promise<void> {
    for (const key of LOCAL_RUNTIME_KEYS) {
      const raw = await this.o.repository.get(this.o.domainId, rowName(key));
      if (raw === undefined) continue;
      const parsed = parse(key, raw);
      if (parsed.ok) this.overrides.set(key, parsed.value);
    }
  }

  /** The SMTP settings' keeper (the voicemail service, built after this). */
  attachSmtp(smtp: SmtpBackend): void {
    this.smtp = smtp;
  }

  get<K extends LocalKey>(key: K): Settings[K] {
    return (this.overrides.has(key) ? this.overrides.get(key) : this.o.startup[key]) as Settings[K];
  }

  /** Called with each key that changed at run time; returns the unsubscriber. */
  onChange(listener: (key: SettingKey) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): SystemSettingView[] {
    const smtp = this.smtp?.view();
    return (Object.keys(settingsTable) as SettingKey[]).map((key) => {
      const startup = this.o.sources[key];
      const runtime = RUNTIME_KEYS.includes(key) && (key in SMTP_FIELDS ? smtp !== undefined : true);
      let value: unknown = this.o.startup[key];
      let overridden = false;
      if (this.overrides.has(key as LocalKey)) {
        value = this.overrides.get(key as LocalKey);
        overridden = true;
      } else if (smtp && key in SMTP_FIELDS) {
        overridden = smtp.source === "saved";
        const field = SMTP_FIELDS[key as SmtpKey];
        if (field !== "password") value = smtp[field] === "" ? undefined : smtp[field];
      }
      const secret = SECRET_KEYS.has(key);
      const view: SystemSettingView = {
        key,
        value: secret ? null : shown(key, value),
        source: overridden ? "runtime" : startup.kind,
        startupSource: startup.detail,
        runtime,
        secret,
      };
      if (secret) view.isSet = key === "smtpPassword" && smtp ? smtp.passwordSet : value !== undefined;
      return view;
    });
  }

  /**
   * Applies a change: `{key: value}` sets a run-time setting, `{key: null}` returns it to its
   * start-up value. Every value is validated first (a ValidationError names each bad key), then
   * all are stored and applied together.
   */
  async update(patch: unknown): Promise<SystemSettingView[]> {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch))
      throw new ValidationError([{ field: "(body)", message: "must be an object" }]);
    const errors: FieldError[] = [];
    const local: Array<[LocalKey, unknown, unknown]> = [];
    const smtpPatch: Record<string, unknown> = {};
    let smtpReset = false;
    for (const [key, raw] of Object.entries(patch)) {
      if (!(key in settingsTable)) {
        errors.push({ field: key, message: "is not a setting" });
      } else if (this.o.providerOnly?.has(key)) {
        errors.push({ field: key, message: "is the provider's setting: a tenant cannot change it" });
      } else if (!RUNTIME_KEYS.includes(key as SettingKey)) {
        errors.push({
          field: key,
          message: "is a start-up setting: change it in the flags, environment or config file",
        });
      } else if (key in SMTP_FIELDS) {
        if (!this.smtp) errors.push({ field: key, message: "SMTP settings are not available" });
        else if (raw === null) smtpReset = true;
        else {
          const checked = smtpValue(key as SmtpKey, raw);
          if (checked.ok) smtpPatch[SMTP_FIELDS[key as SmtpKey]] = checked.value;
          else errors.push({ field: key, message: checked.message });
        }
      } else if (raw === null) {
        local.push([key as LocalKey, undefined, undefined]);
      } else {
        const parsed = parse(key as LocalKey, raw);
        if (parsed.ok) local.push([key as LocalKey, raw, parsed.value]);
        else errors.push({ field: key, message: parsed.message });
      }
    }
    if (smtpReset && Object.keys(smtpPatch).length > 0)
      errors.push({
        field: "smtpHost",
        message: "null (back to the start-up SMTP settings) resets all SMTP keys at once",
      });
    if (errors.length > 0) throw new ValidationError(errors);
    if (this.smtp && smtpReset) await this.smtp.reset();
    if (this.smtp && Object.keys(smtpPatch).length > 0) {
      try {
        await this.smtp.update(smtpPatch);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw new ValidationError(error.errors.map((e) => ({ ...e, field: smtpKeyOf(e.field) })));
      }
    }
    for (const [key, raw, value] of local) {
      if (raw === undefined) {
        await this.o.repository.delete(this.o.domainId, rowName(key));
        this.overrides.delete(key);
      } else {
        await this.o.repository.put(this.o.domainId, rowName(key), raw);
        this.overrides.set(key, value);
      }
    }
    const changed = [...local.map(([key]) => key as SettingKey)];
    if (smtpReset || Object.keys(smtpPatch).length > 0) changed.push("smtpHost");
    for (const key of changed) for (const listener of this.listeners) listener(key);
    return this.list();
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parse(key: LocalKey, raw: unknown): Parsed {
  if (CLEARABLE.has(key) && raw === "") return { ok: true, value: undefined };
  if (typeof raw !== "string" && typeof raw !== "number")
    return { ok: false, message: `must be ${key === "noAnswerTime" ? "a number" : "a string"}` };
  const result = settingsTable[key].schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues.map((i) => i.message).join("; ") };
}

/** An SMTP value by the start-up schema ("" = none for host, user and password); SmtpConfig checks more. */
function smtpValue(key: SmtpKey, raw: unknown): Parsed {
  if (raw === "" && (key === "smtpHost" || key === "smtpUser" || key === "smtpPassword"))
    return { ok: true, value: "" };
  if (typeof raw !== "string" && typeof raw !== "number")
    return { ok: false, message: `must be ${key === "smtpPort" ? "a number" : "a string"}` };
  const result = settingsTable[key].schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues.map((i) => i.message).join("; ") };
}

function smtpKeyOf(field: string): string {
  const entry = Object.entries(SMTP_FIELDS).find(([, f]) => f === field);
  return entry ? entry[0] : field;
}

/** A value as the API shows it; a database URL without its password. */
function shown(key: string, value: unknown): SettingValueOut {
  if (value === undefined || value === null) return null;
  if (key === "databaseUrl" && typeof value === "string") {
    try {
      const url = new URL(value);
      if (url.password !== "") url.password = "***";
      return url.toString();
    } catch {
      return "***";
    }
  }
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return String(value);
}
