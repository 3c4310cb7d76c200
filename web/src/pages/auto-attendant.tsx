/**
 * The auto-attendant (issue 17; FEATURES.md section 6): its menus (greeting prompts, an action per
 * key, direct dialling, timeouts, tries, what happens after the last timeout or invalid entry, the
 * operator), each menu's uploaded greeting per language, and (auto-attendant-times.tsx) office
 * hours and entry points. Errors name the field (`keys[1].target`).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Static } from "typebox";
import type { MenuItem } from "../../../src/api/routes/auto-attendant";
import { DataTable } from "../components/data-table";
import type { FormValues } from "../components/fields";
import { type FieldGroup, FormFailure } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { PageHeader, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { api } from "../lib/api";
import { wavRequest } from "../lib/audio";
import { ACTION_KINDS, type Action, actionFields, actionOf } from "./auto-attendant-fields";
import { EntryPoints, TimeConditions } from "./auto-attendant-times";

type Menu = Static<typeof MenuItem>;

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"] as const;
const LANGS = ["en", "zh"] as const;
const MENU_FIELDS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "name", kind: "text", label: "col.aaName" },
      { path: "description", kind: "text", label: "col.aaDescription" },
      { path: "greeting", kind: "csv", label: "col.aaGreeting", hint: "hint.aaGreeting" },
      { path: "directDial", kind: "bool", label: "col.directDial" },
      { path: "operator", kind: "text", label: "col.operator" },
    ],
  },
  {
    title: "aa.group.timing",
    fields: [
      { path: "firstDigitTimeout", kind: "int", label: "col.firstDigitTimeout" },
      { path: "interDigitTimeout", kind: "int", label: "col.interDigitTimeout" },
      { path: "maxDigits", kind: "int", label: "col.maxDigits" },
      { path: "tries", kind: "int", label: "col.tries" },
      ...actionFields("timeoutAction", "col.timeoutAction", "col.timeoutTarget", ACTION_KINDS),
      ...actionFields("invalidAction", "col.invalidAction", "col.invalidTarget", ACTION_KINDS),
    ],
  },
  {
    title: "aa.group.keys",
    // `keys[1]` is how the API's errors name a digit key; `keys.*` the others.
    fields: KEYS.flatMap((k) =>
      actionFields(
        /\d/.test(k) ? `keys[${k}]` : `keys.${k}`,
        "aa.keyAction",
        "aa.keyTarget",
        ACTION_KINDS,
        "opt.aa.none",
        { key: k },
      ),
    ),
  },
];

const MENU_DEFAULTS: Row = {
  name: "",
  description: "",
  greeting: ["welcome", "enter-extension"],
  directDial: true,
  operator: "",
  firstDigitTimeout: 5,
  interDigitTimeout: 3,
  maxDigits: 8,
  tries: 3,
  timeoutAction: { kind: "hangup", target: "" },
  invalidAction: { kind: "hangup", target: "" },
  keys: {},
};

/**
 * The form reads `keys[1].kind` (the name the API's errors use for a digit key), which getPath
 * reads as an index into a list: the digit keys as a list, `*` and `#` as its properties.
 */
function presentMenu(row: Row): Row {
  const keys = (row.keys ?? {}) as Record<string, Action>;
  const list: unknown[] = [];
  for (const k of KEYS) if (/\d/.test(k)) list[Number(k)] = keys[k];
  return { ...row, keys: Object.assign(list, { "*": keys["*"], "#": keys["#"] }) };
}

/** Keys and the two actions go whole: an edit of a target alone must still send its kind. */
function prepareMenu(body: Record<string, unknown>, values: FormValues): Record<string, unknown> {
  const keys: Record<string, Action> = {};
  for (const k of KEYS) {
    const action = actionOf(values, /\d/.test(k) ? `keys[${k}]` : `keys.${k}`);
    if (action !== undefined) keys[k] = action;
  }
  return {
    ...body,
    keys,
    timeoutAction: actionOf(values, "timeoutAction") ?? { kind: "hangup", target: "" },
    invalidAction: actionOf(values, "invalidAction") ?? { kind: "hangup", target: "" },
  };
}

const showAction = (a: Action | undefined) =>
  a === undefined ? "" : a.target === "" ? a.kind : `${a.kind}:${a.target}`;

/** Each menu's uploaded greeting per language: upload, remove. */
function Greetings() {
  const { t } = useI18n();
  const notify = useNotify();
  const [menus, setMenus] = useState<Menu[]>();
  const [failure, setFailure] = useState<unknown>();
  const file = useRef<HTMLInputElement>(null);
  const [target, setTarget] = useState<{ name: string; lang: string }>();
  const load = useCallback(async () => {
    try {
      setMenus((await api.get<{ items: Menu[] }>("/auto-attendant/menus")).items);
    } catch (error) {
      setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const path = (name: string, lang: string) =>
    `/auto-attendant/menus/${encodeURIComponent(name)}/greetings/${lang}`;
  const act = async (action: () => Promise<string>) => {
    setFailure(undefined);
    try {
      notify(await action());
      await load();
    } catch (error) {
      setFailure(error);
    }
  };
  return (
    <div className="card" data-testid="aa-greetings">
      <div className="card-header">
        <span />
        <button type="button" onClick={() => void load()} data-testid="aa-greetings-refresh">
          {t("common.refresh")}
        </button>
      </div>
      <FormFailure failure={failure} />
      <input
        ref={file}
        type="file"
        accept="audio/wav,.wav"
        hidden
        data-testid="aa-greeting-file"
        onChange={(e) => {
          const chosen = e.target.files?.[0];
          e.target.value = "";
          if (chosen && target)
            void act(async () => {
              const done = (await (
                await wavRequest("PUT", path(target.name, target.lang), chosen)
              ).json()) as {
                durationMs: number;
              };
              return t("aa.uploadedNotice", { ...target, seconds: (done.durationMs / 1000).toFixed(1) });
            });
        }}
      />
      <DataTable
        rows={menus?.flatMap((m) => LANGS.map((lang) => ({ menu: m, lang })))}
        rowKey={(r) => `${r.menu.name}-${r.lang}`}
        empty="common.empty"
        showLoading
        columns={[
          { label: "col.aaName", kind: "rowHeader", cell: (r) => r.menu.name },
          { label: "col.language", cell: (r) => r.lang },
          {
            label: "aa.greetings",
            cell: (r) => (r.menu.customGreetings.includes(r.lang) ? t("aa.uploaded") : t("aa.noGreeting")),
          },
          {
            label: "common.actions",
            kind: "actions",
            cell: (r) => (
              <>
                <button
                  type="button"
                  className="small"
                  data-testid={`aa-upload-${r.menu.name}-${r.lang}`}
                  onClick={() => {
                    setTarget({ name: r.menu.name, lang: r.lang });
                    file.current?.click();
                  }}
                >
                  {t("aa.upload")}
                </button>
                {r.menu.customGreetings.includes(r.lang) ? (
                  <button
                    type="button"
                    className="small danger"
                    onClick={() =>
                      act(async () => {
                        await api.delete(path(r.menu.name, r.lang));
                        return t("aa.removedNotice", { name: r.menu.name, lang: r.lang });
                      })
                    }
                  >
                    {t("common.delete")}
                  </button>
                ) : null}
              </>
            ),
          },
        ]}
      />
    </div>
  );
}

export function AutoAttendantPage() {
  const { t } = useI18n();
  const keys = (row: Row) => {
    const k = (row.keys ?? {}) as Record<string, Action>;
    return KEYS.filter((key) => k[key] !== undefined)
      .map((key) => `${key}=${showAction(k[key])}`)
      .join(" ");
  };
  return (
    <section data-testid="page-auto-attendant">
      <PageHeader title={t("aa.title")} />
      <h2>{t("aa.menus")}</h2>
      <p className="hint">{t("aa.menusHelp")}</p>
      <TableEditor
        path="/auto-attendant/menus"
        keyOf={(row) => String(row.name)}
        columns={[
          textColumn("col.aaName", "name", t),
          textColumn("col.aaGreeting", "greeting", t),
          { label: "col.aaKeys", cell: keys },
          textColumn("col.directDial", "directDial", t),
          { label: "col.timeoutAction", cell: (row) => showAction(row.timeoutAction as Action) },
        ]}
        groups={MENU_FIELDS}
        defaults={MENU_DEFAULTS}
        present={presentMenu}
        prepare={prepareMenu}
        newLabel="aa.newMenu"
        deleteWhat="aa.deleteMenu"
        featureName={t("aa.title")}
        testId="aa-menus"
      />
      <h2>{t("aa.greetings")}</h2>
      <p className="hint">{t("aa.greetingsHelp")}</p>
      <Greetings />
      <h2>{t("aa.times")}</h2>
      <p className="hint">{t("aa.timesHelp")}</p>
      <TimeConditions />
      <h2>{t("aa.entries")}</h2>
      <p className="hint">{t("aa.entriesHelp")}</p>
      <EntryPoints />
    </section>
  );
}
