/**
 * The settings page's system settings (issue 23), from GET /system-settings: the ones that apply
 * at run time in a form with Save (PATCH: stored, the next call uses them), the start-up ones in a
 * read-only table; each setting named in words (en-settings.ts, zh-settings.ts) with its source.
 */
import { useEffect, useState } from "react";
import { DataTable } from "../components/data-table";
import type { FieldSpec, FormValues } from "../components/fields";
import { type FieldGroup, GroupedForm } from "../components/form";
import { useNotify } from "../components/ui";
import { type Translate, useI18n } from "../i18n";
import { en, type MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import type { SystemSettingItem } from "../lib/api-types";

const GROUPS: ReadonlyArray<{ title: MessageKey; keys: readonly string[] }> = [
  { title: "settings.group.calls", keys: ["outGroupPrefix", "noAnswerTime", "mediaRelay"] },
  { title: "settings.group.prompts", keys: ["language"] },
  { title: "settings.group.cdr", keys: ["cdrCsvDir"] },
  {
    title: "settings.group.smtp",
    keys: ["smtpHost", "smtpPort", "smtpSecurity", "smtpUser", "smtpPassword", "smtpFrom"],
  },
];

const OPTIONS: Record<string, ReadonlyArray<{ value: string; label: MessageKey }>> = {
  mediaRelay: [
    { value: "auto", label: "settings.relay.auto" },
    { value: "always", label: "settings.relay.always" },
    { value: "never", label: "settings.relay.never" },
  ],
  language: [
    { value: "en", label: "settings.language.en" },
    { value: "zh", label: "settings.language.zh" },
  ],
  smtpSecurity: [
    { value: "none", label: "settings.security.none" },
    { value: "starttls", label: "settings.security.starttls" },
    { value: "tls", label: "settings.security.tls" },
  ],
};

const NUMBERS = new Set(["noAnswerTime", "smtpPort"]);
/** SMTP keys: an emptied field means "none" (""), not the start-up value (null resets all of SMTP). */
const SMTP = /^smtp/;

/** A setting's (or a counter's) name in words: its label, else its key split into words (never camelCase). */
export function settingName(key: string, t: Translate, kind: "setting" | "counter" = "setting"): string {
  const label = `${kind}.${key}`;
  if (label in en) return t(label as MessageKey);
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function sourceText(item: SystemSettingItem, t: Translate): string {
  const kind = t(`settings.source.${item.source}` as MessageKey);
  if (item.source === "runtime" || item.source === "default") return kind;
  // "flag --sip-port" → "command-line flag --sip-port": the words, then the name to type.
  const name = item.startupSource
    .split(" ")
    .slice(item.source === "file" ? 2 : 1)
    .join(" ");
  return name === "" ? kind : `${kind} ${name}`;
}

function shownValue(item: SystemSettingItem, t: Translate): string {
  if (item.secret) return item.isSet ? t("settings.secretSet") : t("settings.secretUnset");
  const v = item.value;
  if (v === null) return "—";
  return Array.isArray(v) ? v.join(", ") : String(v);
}

function formValues(items: readonly SystemSettingItem[]): FormValues {
  const values: FormValues = {};
  for (const item of items) {
    if (!item.runtime) continue;
    values[item.key] = item.secret || item.value === null ? "" : String(item.value);
  }
  return values;
}

export function SystemSettingsPanel() {
  const { t } = useI18n();
  const notify = useNotify();
  const [items, setItems] = useState<SystemSettingItem[]>();
  const [values, setValues] = useState<FormValues>({});
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const show = (list: SystemSettingItem[]) => {
    setItems(list);
    setValues(formValues(list));
  };
  useEffect(() => {
    api.get<{ items: SystemSettingItem[] }>("/system-settings").then(
      (r) => {
        setItems(r.items);
        setValues(formValues(r.items));
      },
      (error) => {
        if (error instanceof ApiFailure && error.status === 404) setItems([]);
      },
    );
  }, []);

  const byKey = new Map((items ?? []).map((i) => [i.key, i]));
  const groups: FieldGroup[] = GROUPS.map((g) => ({
    title: g.title,
    fields: g.keys
      .map((key) => byKey.get(key))
      .filter((item): item is SystemSettingItem => item?.runtime === true)
      .map(
        (item): FieldSpec => ({
          path: item.key,
          kind: item.secret
            ? "password"
            : OPTIONS[item.key]
              ? "select"
              : NUMBERS.has(item.key)
                ? "int"
                : "text",
          label: `setting.${item.key}` as MessageKey,
          options: OPTIONS[item.key],
          hint: item.secret ? "settings.passwordKeep" : "settings.sourceHint",
          hintParams: { source: sourceText(item, t) },
        }),
      ),
  })).filter((g) => g.fields.length > 0);

  const save = async () => {
    const original = formValues(items ?? []);
    const body: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== "string" || value === original[key]) continue;
      const item = byKey.get(key);
      if (item?.secret && value === "") continue;
      const text = value.trim();
      if (text === "") body[key] = SMTP.test(key) ? "" : null;
      else body[key] = NUMBERS.has(key) && /^\d+$/.test(text) ? Number(text) : value;
    }
    setBusy(true);
    try {
      const r = await api.patch<{ items: SystemSettingItem[] }>("/system-settings", body);
      show(r.items);
      setFailure(undefined);
      notify(t("settings.saved"));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  if (items === undefined) return <p className="muted">{t("common.loading")}</p>;
  const startup = items.filter((i) => !i.runtime);
  return (
    <>
      {groups.length > 0 ? (
        <div className="card">
          <h2>{t("settings.runtime")}</h2>
          <p className="muted">{t("settings.runtimeHint")}</p>
          <GroupedForm
            groups={groups}
            values={values}
            onChange={(path, value) => setValues({ ...values, [path]: value })}
            failure={failure}
            busy={busy}
            onSubmit={save}
            submitLabel="settings.save"
            testId="system-settings-form"
          />
        </div>
      ) : null}
      <div className="card">
        <h2>{t("settings.startupOnly")}</h2>
        <p className="muted">{t("settings.startupOnlyHint")}</p>
        <DataTable
          rows={startup}
          rowKey={(i) => i.key}
          rowAttributes={(i) => ({ "data-setting": i.key })}
          columns={[
            { label: "settings.column.setting", kind: "rowHeader", cell: (i) => settingName(i.key, t) },
            { label: "settings.column.value", className: "mono", cell: (i) => shownValue(i, t) },
            { label: "settings.column.source", cell: (i) => sourceText(i, t) },
          ]}
          testId="startup-settings-table"
        />
      </div>
    </>
  );
}
