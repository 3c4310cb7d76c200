/**
 * Service scripts (issue 18; FEATURES.md section 6): the Lua scripts in the data directory, each
 * opened in an editor (script-editor.tsx: line numbers, Check, Save refused unless it compiles,
 * Delete), a new one named in the editor; and the triggers that run them at the call
 * lifecycle's detection points, edited in place.
 */
import { useCallback, useEffect, useState } from "react";
import type { Static } from "typebox";
import type { ScriptItem } from "../../../src/api/routes/scripts";
import type { TriggerPoint } from "../../../src/store/script-trigger-model";
import { DataTable } from "../components/data-table";
import { type FieldGroup, FormFailure } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { formatTime, PageHeader, Unavailable } from "../components/ui";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import { ScriptEditor } from "./script-editor";

type Script = Static<typeof ScriptItem>;

const POINTS = [
  "attempted",
  "reachesCallee",
  "busy",
  "noAnswer",
  "unreachable",
  "answered",
  "ended",
] as const satisfies TriggerPoint[];

const TRIGGER_GROUPS: FieldGroup[] = [
  {
    title: "group.trigger",
    fields: [
      {
        path: "point",
        kind: "select",
        label: "col.point",
        options: POINTS.map((p) => ({ value: p, label: `opt.point.${p}` as MessageKey })),
      },
      { path: "script", kind: "text", label: "col.script" },
      { path: "dialPlan", kind: "text", label: "col.dialPlan" },
      { path: "prefix", kind: "text", label: "col.prefix" },
      { path: "order", kind: "int", label: "col.order" },
      { path: "enabled", kind: "bool", label: "col.enabled" },
    ],
  },
];

const TRIGGER_DEFAULTS: Row = {
  point: "attempted",
  script: "",
  dialPlan: "",
  prefix: "",
  order: 0,
  enabled: true,
};

/** The script open in the editor: a new one, or one read from the server. */
type Open = { name: undefined; source: "" } | { name: string; source: string };

function ScriptList() {
  const { t, lang } = useI18n();
  const [scripts, setScripts] = useState<Script[]>();
  const [unavailable, setUnavailable] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [open, setOpen] = useState<Open>();

  const load = useCallback(async () => {
    try {
      setScripts((await api.get<{ items: Script[] }>("/scripts")).items);
      setFailure(undefined);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) setUnavailable(true);
      else setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const openScript = async (name: string) => {
    try {
      const body = await api.get<{ name: string; source: string }>(`/scripts/${encodeURIComponent(name)}`);
      setOpen({ name: body.name, source: body.source });
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    }
  };

  if (unavailable) return <Unavailable what={t("scripts.title")} />;
  return (
    <>
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          onClick={() => setOpen({ name: undefined, source: "" })}
          data-testid="scripts-new"
        >
          {t("scripts.new")}
        </button>
      </div>
      <FormFailure failure={failure} />
      <DataTable
        rows={scripts}
        rowKey={(s) => s.name}
        rowAttributes={(s) => ({ "data-testid": `script-row-${s.name}` })}
        empty="scripts.none"
        showLoading
        testId="scripts-table"
        columns={[
          { label: "scripts.name", kind: "rowHeader", cell: (s) => s.name },
          { label: "scripts.bytes", cell: (s) => String(s.bytes) },
          { label: "scripts.modifiedAt", cell: (s) => formatTime(s.modifiedAt, lang) },
          {
            kind: "actions",
            cell: (s) => (
              <button
                type="button"
                className="small"
                onClick={() => void openScript(s.name)}
                data-testid="script-open"
              >
                {t("scripts.open")}
              </button>
            ),
          },
        ]}
      />
      {open === undefined ? null : (
        <ScriptEditor
          key={open.name ?? "\u0000new"}
          name={open.name}
          source={open.source}
          onSaved={(name) => {
            void load();
            if (open.name === undefined) void openScript(name);
          }}
          onDeleted={() => {
            setOpen(undefined);
            void load();
          }}
          onClose={() => setOpen(undefined)}
        />
      )}
    </>
  );
}

export function ScriptsPage() {
  const { t } = useI18n();
  const anyIfEmpty = (value: unknown) => (value === "" ? t("scripts.any") : String(value ?? ""));
  return (
    <section data-testid="page-scripts">
      <PageHeader title={t("scripts.title")} />
      <p className="hint">{t("scripts.help")}</p>
      <ScriptList />
      <h2>{t("scripts.triggers")}</h2>
      <p className="hint">{t("scripts.triggersHelp")}</p>
      <TableEditor
        path="/script-triggers"
        keyOf={(row) => String(row.id)}
        columns={[
          { label: "col.point", cell: (row) => t(`opt.point.${String(row.point)}` as MessageKey) },
          textColumn("col.script", "script", t),
          { label: "col.dialPlan", cell: (row) => anyIfEmpty(row.dialPlan) },
          { label: "col.prefix", cell: (row) => anyIfEmpty(row.prefix) },
          textColumn("col.order", "order", t),
          textColumn("col.enabled", "enabled", t),
        ]}
        groups={TRIGGER_GROUPS}
        defaults={TRIGGER_DEFAULTS}
        newLabel="scripts.newTrigger"
        deleteWhat="scripts.triggerWhat"
        featureName={t("scripts.triggers")}
        testId="script-triggers"
      />
    </section>
  );
}
