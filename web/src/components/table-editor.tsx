/**
 * A list of configuration rows with create, edit (PATCH) and delete, over one REST collection
 * (/external-lines, /sip-trunks, /dialplan/analyze ...). A 404 on the list means the server has no
 * such API: the page says so instead of failing.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import { type Column, DataTable } from "./data-table";
import { type FormValues, getPath, toBody, toFormValues } from "./fields";
import { type FieldGroup, GroupedForm } from "./form";
import { Unavailable, useConfirm, useNotify } from "./ui";

/**
 * A row as the collection lists it. NOTE: routing-schemas.ts types its row schemas as a plain
 * TObject, so their Statics are this same record; the fields are named by the columns and forms.
 */
export type Row = Record<string, unknown>;

export interface TableEditorProps {
  /** The collection's path under /api/v1. */
  path: string;
  /** The field that names a row in its URL. */
  keyOf: (row: Row) => string;
  columns: Array<Column<Row>>;
  groups: FieldGroup[];
  /** A new row's values as the server would default them. */
  defaults: Row;
  newLabel: MessageKey;
  deleteWhat: MessageKey;
  /** What to call the feature in the "not available" notice. */
  featureName: string;
  testId: string;
  /** A row as the form shows it, when its API shape is not one field per input (a menu's keys). */
  present?: (row: Row) => Row;
  /** The body to send, from what toBody made of the changes and every value of the form. */
  prepare?: (body: Record<string, unknown>, values: FormValues) => Record<string, unknown>;
}

type Editing = { mode: "create" } | { mode: "edit"; key: string };

export function TableEditor(props: TableEditorProps) {
  const { t } = useI18n();
  const notify = useNotify();
  const [rows, setRows] = useState<Row[]>();
  const [unavailable, setUnavailable] = useState(false);
  const [loadFailure, setLoadFailure] = useState<unknown>();
  const [editing, setEditing] = useState<Editing>();
  const [values, setValues] = useState<FormValues>({});
  const [initial, setInitial] = useState<FormValues>({});
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [dialog, ask] = useConfirm();
  const specs = useMemo(() => props.groups.flatMap((g) => g.fields), [props.groups]);

  const load = useCallback(async () => {
    try {
      const body = await api.get<{ items: Row[] }>(props.path);
      setRows(body.items);
      setLoadFailure(undefined);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) setUnavailable(true);
      else setLoadFailure(error);
    }
  }, [props.path]);
  useEffect(() => {
    void load();
  }, [load]);

  const open = (next: Editing, row: Row) => {
    setEditing(next);
    const shown = toFormValues(props.present ? props.present(row) : row, specs);
    setValues(shown);
    setInitial(shown);
    setFailure(undefined);
  };
  const save = async () => {
    if (editing === undefined) return;
    setBusy(true);
    try {
      // A new row gets every field; an edit sends only what changed (a blank password keeps it).
      const changed = toBody(
        values,
        specs,
        (spec, value) => editing.mode === "edit" && value === initial[spec.path],
      );
      const body = props.prepare ? props.prepare(changed, values) : changed;
      if (editing.mode === "create") await api.post(props.path, body);
      else await api.patch(`${props.path}/${encodeURIComponent(editing.key)}`, body);
      notify(t("common.saved"));
      setEditing(undefined);
      await load();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (row: Row) => {
    const key = props.keyOf(row);
    const what = t(props.deleteWhat, { key });
    if (!(await ask(t("common.confirmDelete", { what })))) return;
    try {
      await api.delete(`${props.path}/${encodeURIComponent(key)}`);
      notify(t("common.deleted", { what }));
      if (editing?.mode === "edit" && editing.key === key) setEditing(undefined);
    } catch (error) {
      setLoadFailure(error);
    }
    await load();
  };

  if (unavailable) return <Unavailable what={props.featureName} />;
  return (
    <div data-testid={props.testId}>
      {editing ? (
        <div className="editor" data-testid={`${props.testId}-editor`}>
          <GroupedForm
            groups={props.groups}
            values={values}
            onChange={(path, value) => setValues({ ...values, [path]: value })}
            failure={failure}
            busy={busy}
            onSubmit={save}
            submitLabel={editing.mode === "create" ? "common.create" : "common.save"}
            extraActions={
              <button type="button" onClick={() => setEditing(undefined)}>
                {t("common.cancel")}
              </button>
            }
          />
        </div>
      ) : null}
      <div className="card">
        <div className="card-header">
          <span />
          <button
            type="button"
            className="primary"
            onClick={() => open({ mode: "create" }, props.defaults)}
            data-testid={`${props.testId}-new`}
          >
            {t(props.newLabel)}
          </button>
        </div>
        {loadFailure instanceof ApiFailure ? (
          <div className="banner error">{t("common.error", { message: loadFailure.message })}</div>
        ) : null}
        <DataTable
          rows={rows}
          rowKey={props.keyOf}
          rowAttributes={(row) => ({ "data-testid": `${props.testId}-row-${props.keyOf(row)}` })}
          columns={[
            ...props.columns,
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (row) => (
                <>
                  <button
                    type="button"
                    className="small"
                    onClick={() => open({ mode: "edit", key: props.keyOf(row) }, row)}
                    data-testid="edit-row"
                  >
                    {t("common.edit")}
                  </button>
                  <button type="button" className="small danger" onClick={() => remove(row)}>
                    {t("common.delete")}
                  </button>
                </>
              ),
            },
          ]}
          empty="common.empty"
          showLoading
        />
      </div>
      {dialog}
    </div>
  );
}

/** A column showing one field as text (booleans as yes/no, null as unlimited). */
export function textColumn(label: MessageKey, path: string, t: (k: MessageKey) => string): Column<Row> {
  return {
    label,
    cell: (row) => {
      const v = getPath(row, path);
      if (v === true) return t("common.yes");
      if (v === false) return t("common.no");
      if (v === null) return t("common.unlimited");
      return Array.isArray(v) ? v.join(", ") : String(v ?? "");
    },
  };
}
