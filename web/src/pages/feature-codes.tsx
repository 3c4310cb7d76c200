/**
 * Feature codes (issue 15: "a table (code pattern, service, enabled), analysed before the dial
 * plan ... API, CLI and web UI"): every feature with its code, edited in place, its default, an
 * on/off switch, how a phone dials it and a "restore default" button; a refused change shows its
 * error beside the code or the switch (src/api/routes/feature-codes.ts). A change applies to the
 * next call. The list reloads at every live snapshot, so another administrator's change shows; a
 * code being typed stays as typed until it is saved.
 */
import { Fragment, useCallback, useEffect, useState } from "react";
import type { Static } from "typebox";
import type { FeatureCodeItem } from "../../../src/api/routes/feature-codes";
import { DataTable } from "../components/data-table";
import { FormFailure } from "../components/form";
import { PageHeader, Unavailable, useNotify } from "../components/ui";
import { type Translate, useI18n } from "../i18n";
import { en, type MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import type { FieldError } from "../lib/api-types";
import { useLive } from "../lib/live";

type FeatureCode = Static<typeof FeatureCodeItem>;

/** The feature's name in the UI's language: a known service's label, else the API's description. */
function featureName(service: string, description: string, t: Translate): string {
  const key = `fc.service.${service}`;
  return key in en ? t(key as MessageKey) : description;
}

const errorsOf = (failure: unknown, field: string): FieldError[] =>
  failure instanceof ApiFailure ? failure.errors.filter((e) => e.field === field) : [];

/** A feature as its service comes with it: its default code, on when that code is not "". */
const atDefault = (f: FeatureCode) => f.code === f.defaultCode && f.enabled === (f.defaultCode !== "");

export function FeatureCodesPage() {
  const { t, fieldMessage } = useI18n();
  const notify = useNotify();
  const liveAt = useLive().snapshot?.at;
  const [items, setItems] = useState<FeatureCode[]>();
  const [failure, setFailure] = useState<unknown>();
  const [missing, setMissing] = useState(false);
  /** Codes typed and not saved yet, by service. */
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  /** The last refused change of each service. */
  const [refusals, setRefusals] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState<string>();

  const load = useCallback(async () => {
    try {
      setItems((await api.get<{ items: FeatureCode[] }>("/feature-codes")).items);
      setFailure(undefined);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) setMissing(true);
      else setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    // A live snapshot follows every change made through the API, by this page or another.
    if (liveAt !== undefined) void load();
  }, [load, liveAt]);

  const nameOf = (service: string) =>
    featureName(service, items?.find((f) => f.service === service)?.description ?? service, t);
  const nameOfFeature = (f: FeatureCode) => featureName(f.service, f.description, t);

  /** The table's own messages in the UI's language ("already used by <service>" names the feature). */
  const codeMessage = (e: FieldError): string => {
    if (e.message === "must be 1-16 of the keys 0-9, * and #" || e.message.startsWith("must match pattern"))
      return t("fc.error.keys");
    if (e.message === "a feature that is on needs a code") return t("fc.error.needsCode");
    const clash = /^already used by (.+)$/.exec(e.message);
    if (clash) return t("fc.error.clash", { feature: nameOf(clash[1]!) });
    return fieldMessage(e);
  };

  const change = async (
    f: FeatureCode,
    request: () => Promise<FeatureCode>,
    notice: (c: FeatureCode) => string,
  ) => {
    setBusy(f.service);
    setRefusals(({ [f.service]: _, ...rest }) => rest);
    try {
      const changed = await request();
      setItems((list) => list?.map((item) => (item.service === changed.service ? changed : item)));
      setDrafts(({ [f.service]: _, ...rest }) => rest);
      notify(notice(changed));
    } catch (error) {
      setRefusals((r) => ({ ...r, [f.service]: error }));
    } finally {
      setBusy(undefined);
    }
  };
  const path = (f: FeatureCode) => `/feature-codes/${encodeURIComponent(f.service)}`;
  const save = (f: FeatureCode) =>
    change(
      f,
      () => api.patch<FeatureCode>(path(f), { code: drafts[f.service] ?? f.code }),
      (c) => t("fc.savedNotice", { feature: nameOfFeature(c), code: c.code || "—" }),
    );
  const turn = (f: FeatureCode, enabled: boolean) =>
    change(
      f,
      () => api.patch<FeatureCode>(path(f), { enabled }),
      (c) => t(c.enabled ? "fc.onNotice" : "fc.offNotice", { feature: nameOfFeature(c) }),
    );
  const restore = (f: FeatureCode) =>
    change(
      f,
      () => api.request<FeatureCode>("DELETE", path(f)),
      (c) => t("fc.resetNotice", { feature: nameOfFeature(c) }),
    );

  if (missing) return <Unavailable what={t("fc.title")} />;
  return (
    <section data-testid="page-feature-codes">
      <PageHeader title={t("fc.title")} />
      <div className="card">
        <p className="muted">{t("fc.intro")}</p>
        <FormFailure failure={failure} />
        <DataTable
          rows={items}
          rowKey={(f) => f.service}
          rowAttributes={(f) => ({
            "data-testid": `fc-row-${f.service}`,
            "data-code": f.code,
            "data-enabled": String(f.enabled),
          })}
          empty="fc.none"
          columns={[
            {
              label: "fc.feature",
              cell: (f) => (
                // One block: on a phone the cell is a row of its label and this.
                <div>
                  <span data-testid={`fc-name-${f.service}`}>{nameOfFeature(f)}</span>
                  <br />
                  <small className="muted mono">{f.service}</small>
                  <RowFailure failure={refusals[f.service]} />
                </div>
              ),
            },
            {
              label: "fc.code",
              cell: (f) => {
                const errors = errorsOf(refusals[f.service], "code");
                const draft = drafts[f.service] ?? f.code;
                return (
                  <form
                    className="code-edit"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void save(f);
                    }}
                  >
                    <input
                      className="mono"
                      value={draft}
                      inputMode="tel"
                      autoComplete="off"
                      aria-label={t("fc.codeOf", { feature: nameOfFeature(f) })}
                      aria-invalid={errors.length > 0 || undefined}
                      aria-describedby={errors.length > 0 ? `fc-code-error-${f.service}` : undefined}
                      onChange={(e) => setDrafts((d) => ({ ...d, [f.service]: e.target.value }))}
                      data-testid={`fc-code-${f.service}`}
                    />
                    <button
                      type="submit"
                      className="small"
                      disabled={busy === f.service || draft === f.code}
                      data-testid={`fc-save-${f.service}`}
                    >
                      {t("common.save")}
                    </button>
                    {errors.length > 0 ? (
                      <div
                        id={`fc-code-error-${f.service}`}
                        className="field-error"
                        role="alert"
                        data-testid={`fc-code-error-${f.service}`}
                      >
                        {errors.map(codeMessage).join(" ")}
                      </div>
                    ) : null}
                  </form>
                );
              },
            },
            { label: "fc.default", className: "mono", cell: (f) => f.defaultCode || "—" },
            {
              label: "fc.enabled",
              cell: (f) => {
                const errors = errorsOf(refusals[f.service], "enabled");
                return (
                  <>
                    <label className="switch">
                      <input
                        type="checkbox"
                        role="switch"
                        aria-checked={f.enabled}
                        checked={f.enabled}
                        disabled={busy === f.service}
                        aria-label={t("fc.enabledOf", { feature: nameOfFeature(f) })}
                        onChange={(e) => void turn(f, e.target.checked)}
                        data-testid={`fc-enabled-${f.service}`}
                      />
                      <span>{t(f.enabled ? "fc.on" : "fc.off")}</span>
                    </label>
                    {errors.length > 0 ? (
                      <div className="field-error" role="alert" data-testid={`fc-enabled-error-${f.service}`}>
                        {errors.map(fieldMessage).join(" ")}
                      </div>
                    ) : null}
                  </>
                );
              },
            },
            {
              label: "fc.dial",
              className: "mono",
              cell: (f) => (
                // Each form whole on its line when the column is narrow.
                <span className="dial-forms" data-testid={`fc-dial-${f.service}`}>
                  {f.dial.map((form, i) => (
                    <Fragment key={form}>
                      {i > 0 ? " " : null}
                      <span>{form.replace("<argument>", t("fc.argument"))}</span>
                    </Fragment>
                  ))}
                </span>
              ),
            },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (f) => (
                <button
                  type="button"
                  className="small"
                  disabled={busy === f.service || (atDefault(f) && drafts[f.service] === undefined)}
                  onClick={() => void restore(f)}
                  data-testid={`fc-reset-${f.service}`}
                >
                  {t("fc.reset")}
                </button>
              ),
            },
          ]}
          showLoading
          testId="fc-table"
        />
      </div>
    </section>
  );
}

/** A refusal that names neither the code nor the switch (an unknown feature, the network). */
function RowFailure(props: { failure: unknown }) {
  const { t } = useI18n();
  const { failure } = props;
  if (failure === undefined) return null;
  if (
    failure instanceof ApiFailure &&
    failure.errors.some((e) => e.field === "code" || e.field === "enabled")
  )
    return null;
  const message = failure instanceof Error ? failure.message : String(failure);
  return (
    <div className="field-error" role="alert" data-testid="fc-row-error">
      {t("common.error", { message })}
    </div>
  );
}
