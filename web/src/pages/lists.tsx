/**
 * The black and white list and the IP black and white list (issue 16; FEATURES.md section 6): the
 * call list's records (caller prefix, called prefix, kind, rate) and the answer a blocked call
 * gets, and the addresses accepted (never banned) or rejected (dropped). A change applies to the
 * next call or packet; errors name the field.
 */
import { useCallback, useEffect, useState } from "react";
import type { Static } from "typebox";
import type { CallListRecordItem } from "../../../src/api/routes/call-lists";
import type { IpListEntryItem } from "../../../src/api/routes/ip-lists";
import { type FieldGroup, FormFailure } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { PageHeader, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { api } from "../lib/api";

type CallListRecord = Static<typeof CallListRecordItem>;
type IpListEntry = Static<typeof IpListEntryItem>;

const CALL_GROUPS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "callerPrefix", kind: "text", label: "col.callerPrefix", hint: "hint.callerPrefix" },
      { path: "calledPrefix", kind: "text", label: "col.calledPrefix", hint: "hint.calledPrefix" },
      {
        path: "kind",
        kind: "select",
        label: "col.listKind",
        options: [
          { value: "black", label: "opt.listKind.black" },
          { value: "white", label: "opt.listKind.white" },
        ],
      },
      { path: "rate", kind: "int", label: "col.rate", hint: "hint.rate" },
    ],
  },
];

const CALL_DEFAULTS: Row = { callerPrefix: "", calledPrefix: "*", kind: "black", rate: 100 } satisfies Omit<
  CallListRecord,
  "id" | "createdAt" | "updatedAt"
>;

const IP_GROUPS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "address", kind: "text", label: "col.address", hint: "hint.ipRange" },
      {
        path: "kind",
        kind: "select",
        label: "col.listKind",
        options: [
          { value: "accept", label: "opt.ipKind.accept" },
          { value: "reject", label: "opt.ipKind.reject" },
        ],
      },
    ],
  },
];

const IP_DEFAULTS: Row = { address: "", kind: "reject" } satisfies Pick<IpListEntry, "address" | "kind">;

const RESPONSES = [603, 403, 486, 480] as const;

/** The answer a blocked call gets (603 Decline by default). */
function BlockResponse() {
  const { t } = useI18n();
  const notify = useNotify();
  const [response, setResponse] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const load = useCallback(async () => {
    try {
      setResponse(String((await api.get<{ response: number }>("/call-list-settings")).response));
    } catch (error) {
      setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const save = async () => {
    try {
      await api.put("/call-list-settings", { response: Number(response) });
      setFailure(undefined);
      notify(t("common.saved"));
    } catch (error) {
      setFailure(error);
    }
  };
  return (
    <div className="card" data-testid="call-list-response">
      <label>
        {t("lists.response")}{" "}
        <select
          value={response ?? ""}
          onChange={(e) => setResponse(e.target.value)}
          data-testid="call-list-response-select"
        >
          {RESPONSES.map((status) => (
            <option key={status} value={String(status)}>
              {t(`opt.blockResponse.${status}`)}
            </option>
          ))}
        </select>
      </label>{" "}
      <button type="button" className="primary" onClick={save} data-testid="call-list-response-save">
        {t("common.save")}
      </button>
      <FormFailure failure={failure} />
    </div>
  );
}

export function ListsPage() {
  const { t } = useI18n();
  const kind = (row: Row) => t(`opt.listKind.${row.kind === "white" ? "white" : "black"}`);
  const ipKind = (row: Row) => t(`opt.ipKind.${row.kind === "accept" ? "accept" : "reject"}`);
  return (
    <section data-testid="page-lists">
      <PageHeader title={t("lists.title")} />
      <h2>{t("lists.calls")}</h2>
      <p className="hint">{t("lists.callsHelp")}</p>
      <BlockResponse />
      <TableEditor
        path="/call-lists"
        keyOf={(row) => String(row.id)}
        columns={[
          textColumn("col.callerPrefix", "callerPrefix", t),
          textColumn("col.calledPrefix", "calledPrefix", t),
          { label: "col.listKind", cell: kind },
          textColumn("col.rate", "rate", t),
        ]}
        groups={CALL_GROUPS}
        defaults={CALL_DEFAULTS}
        newLabel="lists.newRecord"
        deleteWhat="lists.deleteRecord"
        featureName={t("lists.calls")}
        testId="call-lists"
      />
      <h2>{t("lists.ip")}</h2>
      <p className="hint">{t("lists.ipHelp")}</p>
      <TableEditor
        path="/ip-lists"
        keyOf={(row) => String(row.id)}
        columns={[textColumn("col.address", "address", t), { label: "col.listKind", cell: ipKind }]}
        groups={IP_GROUPS}
        defaults={IP_DEFAULTS}
        newLabel="lists.newEntry"
        deleteWhat="lists.deleteEntry"
        featureName={t("lists.ip")}
        testId="ip-lists"
      />
    </section>
  );
}
