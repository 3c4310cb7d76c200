/**
 * Where each start-up setting came from, by the precedence resolveSettings applies (flag >
 * environment > config file > default): what the settings API and page show beside each value.
 */
import { envName, flagName, type SettingKey, type SettingsSources, settingsTable } from "./settings.js";

/** "runtime": set through the API or web UI, stored, overriding the start-up value. */
export type SettingSourceKind = "default" | "file" | "environment" | "flag" | "runtime";

export interface SettingSource {
  readonly kind: SettingSourceKind;
  /** In words: `flag --sip-port`, `environment PARLEY_SIP_PORT`, `config file p.json`, `default`. */
  readonly detail: string;
}

export type SettingSourceMap = Readonly<Record<SettingKey, SettingSource>>;

/** The source of every setting for the inputs resolveSettings was given. */
export function settingSources(sources: SettingsSources): SettingSourceMap {
  const out = {} as Record<SettingKey, SettingSource>;
  const file = sources.file ?? {};
  for (const key of Object.keys(settingsTable) as SettingKey[]) {
    let source: SettingSource = { kind: "default", detail: "default" };
    if (file[key] !== undefined)
      source = { kind: "file", detail: `config file ${sources.fileName ?? ""}`.trim() };
    const env = sources.env?.[envName(key)];
    if (env !== undefined && env !== "")
      source = { kind: "environment", detail: `environment ${envName(key)}` };
    if (sources.flags?.[key] !== undefined) source = { kind: "flag", detail: `flag ${flagName(key)}` };
    out[key] = source;
  }
  return out;
}

/**
 * The sources when the caller did not say (a server built in-process by a test): a value other
 * than the table's default counts as given by its flag.
 */
export function sourcesByDefault(settings: Readonly<Record<string, unknown>>): SettingSourceMap {
  const out = {} as Record<SettingKey, SettingSource>;
  for (const key of Object.keys(settingsTable) as SettingKey[]) {
    const spec = settingsTable[key];
    const parsed = spec.default === undefined ? undefined : spec.schema.safeParse(spec.default).data;
    // The TCP port defaults to the SIP port (resolveSettings), not to a value of its own.
    const same =
      key === "sipTcpPort"
        ? settings.sipTcpPort === settings.sipPort
        : JSON.stringify(parsed) === JSON.stringify(settings[key]);
    out[key] = same
      ? { kind: "default", detail: "default" }
      : { kind: "flag", detail: `flag ${flagName(key)}` };
  }
  return out;
}
