/** Call records: filter by time, number and disposition, page, export the same selection as CSV. */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { DataTable } from "../components/data-table";
import { type FieldSpec, fieldOf } from "../components/fields";
import { FieldInput, FormFailure } from "../components/form";
import { formatTime, PageHeader, Pager, useNotify } from "../components/ui";
import { type Translate, useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import type { Cdr, CdrFilters, CdrPage, Disposition } from "../lib/api-types";
import { usePlayer } from "../lib/audio";
import { RecordingLink } from "./recordings";

/** The filter form as typed: datetime-local text, a number, a disposition or "" for any. */
interface Filters {
  from: string;
  to: string;
  number: string;
  disposition: string;
}

/** Every disposition the API has, in the order the filter offers them (the compiler checks "every"). */
const DISPOSITION_LABELS = {
  answered: "disposition.answered",
  busy: "disposition.busy",
  "no-answer": "disposition.no-answer",
  failed: "disposition.failed",
  cancelled: "disposition.cancelled",
} as const satisfies Record<Disposition, MessageKey>;
const DISPOSITIONS = Object.keys(DISPOSITION_LABELS) as Disposition[];
const LIMIT = 25;
const EMPTY: Filters = { from: "", to: "", number: "", disposition: "" };

/** The words of each hang-up cause the API names (`rejected <status>` apart). */
const CAUSE_LABELS: Record<string, MessageKey> = {
  "caller-bye": "cause.caller-bye",
  "callee-bye": "cause.callee-bye",
  "caller-lost": "cause.caller-lost",
  "callee-lost": "cause.callee-lost",
  transfer: "cause.transfer",
  "max-duration": "cause.max-duration",
  "media-timeout": "cause.media-timeout",
  "session-expired": "cause.session-expired",
  "ack-timeout": "cause.ack-timeout",
  "hangup-by-admin": "cause.hangup-by-admin",
  "server-shutdown": "cause.server-shutdown",
  cancel: "cause.cancel",
  busy: "cause.busy",
  "no-answer": "cause.no-answer",
  timeout: "cause.timeout",
  error: "cause.error",
  unknown: "cause.unknown",
};

/** The words for a hang-up cause (the API's token when it is one this UI does not know). */
export function causeLabel(cause: string, t: Translate): string {
  const rejected = /^rejected (\d{3})$/.exec(cause);
  if (rejected) return t("cause.rejected", { status: rejected[1]! });
  const key = CAUSE_LABELS[cause];
  return key === undefined ? cause : t(key);
}

/** A datetime-local value ("2027-01-15T08:00") in the browser's zone → ISO 8601 with its offset. */
export function localToIso(value: string): string | undefined {
  if (value === "") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

export function CdrsPage() {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const [form, setForm] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<CdrPage>();
  const [failure, setFailure] = useState<unknown>();
  const { play, player } = usePlayer((_key, error) => setFailure(error));

  const query = useCallback(
    (f: Filters): CdrFilters => ({
      from: localToIso(f.from),
      to: localToIso(f.to),
      number: f.number.trim() || undefined,
      disposition: DISPOSITIONS.find((d) => d === f.disposition),
    }),
    [],
  );
  const load = useCallback(async () => {
    try {
      setPage(await api.get<CdrPage>("/cdrs", { ...query(applied), offset, limit: LIMIT }));
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    }
  }, [applied, offset, query]);
  useEffect(() => {
    void load();
  }, [load]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOffset(0);
    setApplied({ ...form });
  };
  const exportCsv = async () => {
    try {
      const text = await api.text("/cdrs.csv", query(applied));
      const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `parley-cdrs-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      if (error instanceof ApiFailure) notify(t("common.error", { message: error.message }));
    }
  };

  const specs: FieldSpec[] = [
    { path: "from", kind: "text", label: "cdrs.from" },
    { path: "to", kind: "text", label: "cdrs.to" },
    { path: "number", kind: "text", label: "cdrs.number" },
    {
      path: "disposition",
      kind: "select",
      label: "cdrs.disposition",
      options: [
        { value: "", label: "cdrs.any" },
        ...DISPOSITIONS.map((d) => ({ value: d, label: DISPOSITION_LABELS[d] })),
      ],
    },
  ];
  const errorsOf = (path: string) =>
    failure instanceof ApiFailure ? failure.errors.filter((e) => fieldOf(e.field, specs) === path) : [];

  return (
    <section data-testid="page-cdrs">
      <PageHeader title={t("cdrs.title")}>
        <button type="button" onClick={exportCsv} data-testid="export-csv">
          {t("cdrs.export")}
        </button>
      </PageHeader>
      <form className="card filters" onSubmit={submit} noValidate data-testid="cdr-filters">
        <FormFailure failure={failure} specs={specs} />
        <div className="field-grid">
          {(["from", "to"] as const).map((key) => (
            <div key={key} className={`field${errorsOf(key).length ? " invalid" : ""}`}>
              <label htmlFor={`cdr-${key}`}>{t(key === "from" ? "cdrs.from" : "cdrs.to")}</label>
              <input
                id={`cdr-${key}`}
                type="datetime-local"
                name={key}
                data-field={key}
                value={form[key]}
                onChange={(e) => setForm({ ...form, [key]: e.target.value })}
              />
              {errorsOf(key).length ? (
                <small className="field-error" role="alert">
                  {errorsOf(key)
                    .map((e) => e.message)
                    .join(" ")}
                </small>
              ) : null}
            </div>
          ))}
          {specs.slice(2).map((spec) => (
            <FieldInput
              key={spec.path}
              spec={spec}
              value={form[spec.path as keyof Filters]}
              onChange={(v) => setForm({ ...form, [spec.path]: String(v) })}
              errors={errorsOf(spec.path)}
            />
          ))}
        </div>
        <div className="form-actions">
          <button
            type="button"
            onClick={() => {
              setForm(EMPTY);
              setApplied(EMPTY);
              setOffset(0);
            }}
          >
            {t("cdrs.reset")}
          </button>
          <button type="submit" className="primary" data-testid="apply-filters">
            {t("cdrs.apply")}
          </button>
        </div>
      </form>
      <div className="card">
        {page ? (
          <p className="muted" data-testid="cdr-total">
            {t("cdrs.total", { total: page.total })}
          </p>
        ) : null}
        <DataTable
          rows={page?.items}
          rowKey={(c) => c.id}
          rowAttributes={(c) => ({ "data-testid": "cdr-row", "data-disposition": c.disposition })}
          columns={[
            { label: "cdrs.started", cell: (c) => formatTime(c.startedAt, lang) },
            {
              label: "cdrs.caller",
              cell: (c) => (
                <>
                  {c.caller}
                  {c.callerName ? <span className="muted"> ({c.callerName})</span> : null}
                </>
              ),
            },
            { label: "cdrs.dialed", cell: (c) => c.dialed },
            { label: "cdrs.callee", cell: (c) => c.callee ?? "" },
            { label: "cdrs.duration", cell: (c) => c.duration },
            { label: "cdrs.talkTime", cell: (c) => <span data-testid="cdr-talk-time">{c.talkTime}</span> },
            {
              label: "cdrs.hangupCause",
              cell: (c) => (
                <span data-testid="cdr-hangup-cause" title={c.hangupCause}>
                  {causeLabel(c.hangupCause, t)}
                </span>
              ),
            },
            {
              label: "cdrs.disposition",
              cell: (c) => (
                <span className={`badge disposition-${c.disposition}`}>
                  {t(DISPOSITION_LABELS[c.disposition])}
                </span>
              ),
            },
            {
              label: "cdrs.status",
              cell: (c) => (
                <>
                  {c.sipStatus} {c.sipReason}
                </>
              ),
            },
            {
              label: "cdrs.recording",
              cell: (c) =>
                c.recording === undefined ? null : (
                  <RecordingLink id={c.recording} play={play} player={player} onError={setFailure} />
                ),
            },
            // The calling card and its charge, when a call on this page was paid with one.
            ...(page?.items.some((c) => c.card !== undefined)
              ? [
                  {
                    label: "cdrs.card" as const,
                    cell: (c: Cdr) =>
                      c.card === undefined ? null : (
                        <span data-testid="cdr-card">
                          {c.card}
                          {c.charge === undefined ? null : <span className="muted"> ({c.charge})</span>}
                        </span>
                      ),
                  },
                ]
              : []),
          ]}
          empty="common.empty"
          testId="cdrs-table"
        />
        {page ? <Pager offset={offset} limit={LIMIT} total={page.total} onChange={setOffset} /> : null}
      </div>
    </section>
  );
}
