/**
 * The auto-attendant's office hours (time conditions: a zone, weekly hours typed one stretch a
 * line as "mon-fri 09:00-18:00", holiday dates, and what answers in hours, out of hours and on a
 * holiday) and its entry points (which menu or time condition answers a line, a user or a
 * number). Part of the Auto-attendant page (auto-attendant.tsx).
 */
import { useCallback, useEffect, useState } from "react";
import type { Static } from "typebox";
import type { EntryItem } from "../../../src/api/routes/auto-attendant-times";
import { DataTable } from "../components/data-table";
import type { FormValues } from "../components/fields";
import { type FieldGroup, FormFailure } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { api } from "../lib/api";
import { actionFields, actionOf } from "./auto-attendant-fields";

type Entry = Static<typeof EntryItem>;
interface Hours {
  days: string[];
  from: string;
  to: string;
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DESTINATIONS = ["menu", "user", "number", "group", "voicemail", "hangup"];

/** ["mon","tue","wed"] → "mon-wed"; ["mon","wed"] → "mon,wed". */
export function showDays(days: readonly string[]): string {
  const idx = days.map((d) => DAYS.indexOf(d)).sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j]! + 1) j++;
    runs.push(
      j - i >= 2
        ? `${DAYS[idx[i]!]}-${DAYS[idx[j]!]}`
        : idx
            .slice(i, j + 1)
            .map((x) => DAYS[x])
            .join(","),
    );
    i = j + 1;
  }
  return runs.join(",");
}

/** "mon-fri 09:00-18:00" → hours; what does not read so goes as typed, for the API to name. */
export function parseHours(line: string): Hours {
  const m = /^\s*(\S+)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(line);
  if (m === null) return { days: [], from: line.trim(), to: "" };
  const days: string[] = [];
  for (const part of m[1]!.toLowerCase().split(",")) {
    const [a, b] = part.split("-");
    const from = DAYS.indexOf(a ?? "");
    const to = b === undefined ? from : DAYS.indexOf(b);
    if (from < 0 || to < from) days.push(part);
    else for (let i = from; i <= to; i++) days.push(DAYS[i]!);
  }
  return { days, from: m[2]!.padStart(5, "0"), to: m[3]!.padStart(5, "0") };
}

const TIME_FIELDS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "name", kind: "text", label: "col.aaName" },
      { path: "timeZone", kind: "text", label: "col.timeZone", hint: "hint.timeZone" },
      { path: "schedule", kind: "lines", label: "col.schedule", hint: "hint.schedule" },
      { path: "holidays", kind: "lines", label: "col.holidays", hint: "hint.holidays" },
      ...actionFields("inHours", "col.inHours", "col.inHoursTarget", DESTINATIONS),
      ...actionFields("outOfHours", "col.outOfHours", "col.outOfHoursTarget", DESTINATIONS),
      ...actionFields("holiday", "col.holiday", "col.holidayTarget", DESTINATIONS, "opt.aa.asOutOfHours"),
    ],
  },
];

const TIME_DEFAULTS: Row = {
  name: "",
  timeZone: "UTC",
  schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" }],
  holidays: [],
  inHours: { kind: "menu", target: "default" },
  outOfHours: { kind: "hangup", target: "" },
  holiday: null,
};

/** The schedule as lines of text for the form. */
function presentTime(row: Row): Row {
  const schedule = (row.schedule ?? []) as Hours[];
  return { ...row, schedule: schedule.map((h) => `${showDays(h.days)} ${h.from}-${h.to}`) };
}

/** Hours from the lines typed; destinations whole (kind and target go together). */
function prepareTime(body: Record<string, unknown>, values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  if (Array.isArray(body.schedule)) out.schedule = (body.schedule as string[]).map(parseHours);
  for (const path of ["inHours", "outOfHours"])
    out[path] = actionOf(values, path) ?? { kind: "hangup", target: "" };
  out.holiday = actionOf(values, "holiday") ?? null;
  return out;
}

export function TimeConditions() {
  const { t } = useI18n();
  const dest = (path: string) => (row: Row) => {
    const d = row[path] as { kind: string; target: string } | null;
    if (d === null || d === undefined) return t("opt.aa.asOutOfHours");
    return `${t(`opt.aa.${d.kind}` as MessageKey)}${d.target === "" ? "" : `: ${d.target}`}`;
  };
  return (
    <TableEditor
      path="/auto-attendant/time-conditions"
      keyOf={(row) => String(row.name)}
      columns={[
        textColumn("col.aaName", "name", t),
        textColumn("col.timeZone", "timeZone", t),
        {
          label: "col.schedule",
          cell: (row) =>
            ((row.schedule ?? []) as Hours[]).map((h) => `${showDays(h.days)} ${h.from}-${h.to}`).join("; "),
        },
        textColumn("col.holidays", "holidays", t),
        { label: "col.inHours", cell: dest("inHours") },
        { label: "col.outOfHours", cell: dest("outOfHours") },
        { label: "col.holiday", cell: dest("holiday") },
      ]}
      groups={TIME_FIELDS}
      defaults={TIME_DEFAULTS}
      present={presentTime}
      prepare={prepareTime}
      newLabel="aa.newTime"
      deleteWhat="aa.deleteTime"
      featureName={t("aa.times")}
      testId="aa-times"
    />
  );
}

/** The entry points, and a form that sets one (PUT: created or replaced). */
export function EntryPoints() {
  const { t } = useI18n();
  const notify = useNotify();
  const [dialog, ask] = useConfirm();
  const [entries, setEntries] = useState<Entry[]>();
  const [failure, setFailure] = useState<unknown>();
  const [form, setForm] = useState({ kind: "line", key: "", by: "menu", name: "default" });
  const load = useCallback(async () => {
    try {
      setEntries((await api.get<{ items: Entry[] }>("/auto-attendant/entries")).items);
    } catch (error) {
      setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const url = (kind: string, key: string) => `/auto-attendant/entries/${kind}/${encodeURIComponent(key)}`;
  const save = async () => {
    setFailure(undefined);
    try {
      await api.put(
        url(form.kind, form.key.trim()),
        form.by === "menu" ? { menu: form.name } : { timeCondition: form.name },
      );
      notify(t("common.saved"));
      await load();
    } catch (error) {
      setFailure(error);
    }
  };
  const remove = async (e: Entry) => {
    const what = t("aa.deleteEntry", { key: `${e.kind} ${e.key}` });
    if (!(await ask(t("common.confirmDelete", { what })))) return;
    try {
      await api.delete(url(e.kind, e.key));
      notify(t("common.deleted", { what }));
    } catch (error) {
      setFailure(error);
    }
    await load();
  };
  const set = (field: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [field]: e.target.value });
  return (
    <div className="card" data-testid="aa-entries">
      <FormFailure failure={failure} />
      <form
        className="card-header"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <select
          style={{ flex: "0 1 12rem", width: "auto" }}
          aria-label={t("col.entryKind")}
          value={form.kind}
          onChange={set("kind")}
          data-testid="aa-entry-kind"
        >
          {["line", "user", "number"].map((k) => (
            <option key={k} value={k}>
              {t(`opt.entry.${k}` as MessageKey)}
            </option>
          ))}
        </select>
        <input
          style={{ flex: "1 1 10rem", width: "auto" }}
          aria-label={t("col.entryKey")}
          placeholder={t("col.entryKey")}
          value={form.key}
          onChange={set("key")}
          data-testid="aa-entry-key"
        />
        <select
          style={{ flex: "0 1 12rem", width: "auto" }}
          aria-label={t("col.answeredBy")}
          value={form.by}
          onChange={set("by")}
          data-testid="aa-entry-by"
        >
          <option value="menu">{t("opt.entry.menu")}</option>
          <option value="timeCondition">{t("opt.entry.timeCondition")}</option>
        </select>
        <input
          style={{ flex: "1 1 10rem", width: "auto" }}
          aria-label={t("col.aaName")}
          value={form.name}
          onChange={set("name")}
          data-testid="aa-entry-name"
        />
        <button type="submit" className="primary" data-testid="aa-entry-save">
          {t("aa.setEntry")}
        </button>
      </form>
      <DataTable
        rows={entries}
        rowKey={(e) => `${e.kind}/${e.key}`}
        rowAttributes={(e) => ({ "data-testid": `aa-entry-${e.kind}-${e.key}` })}
        empty="common.empty"
        showLoading
        columns={[
          { label: "col.entryKind", cell: (e) => t(`opt.entry.${e.kind}` as MessageKey) },
          { label: "col.entryKey", kind: "rowHeader", cell: (e) => e.key },
          {
            label: "col.answeredBy",
            cell: (e) =>
              e.menu !== ""
                ? `${t("opt.entry.menu")}: ${e.menu}`
                : `${t("opt.entry.timeCondition")}: ${e.timeCondition}`,
          },
          {
            label: "common.actions",
            kind: "actions",
            cell: (e) => (
              <button type="button" className="small danger" onClick={() => remove(e)}>
                {t("common.delete")}
              </button>
            ),
          },
        ]}
      />
      {dialog}
    </div>
  );
}
