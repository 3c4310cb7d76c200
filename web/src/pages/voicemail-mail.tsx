/**
 * How voice messages reach their users' mailboxes: the outbox (each mail waiting, with its attempts
 * and last error, and those sent: issue 15's "a mail that cannot be sent is retried with back-off
 * and reported in the UI") and the SMTP settings, whose errors show beside the field they name
 * (GET /voicemail/outbox, GET/PUT/DELETE /smtp).
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Static } from "typebox";
import type { Smtp } from "../../../src/api/routes/smtp";
import type { OutboxList } from "../../../src/api/routes/voicemail";
import { DataTable } from "../components/data-table";
import { type FieldSpec, type FormValues, toBody, toFormValues } from "../components/fields";
import { FormFailure, GroupedForm } from "../components/form";
import { formatTime, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { api } from "../lib/api";

type Mail = Static<typeof OutboxList>["items"][number];
type SmtpView = Static<typeof Smtp>;

/** Reloaded at each live snapshot (`liveAt`) and by its Refresh button: a send changes no config. */
export function OutboxSection(props: { liveAt: string | undefined }) {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<Mail[]>();
  const [failure, setFailure] = useState<unknown>();
  const load = useCallback(async () => {
    try {
      setItems((await api.get<Static<typeof OutboxList>>("/voicemail/outbox")).items);
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (props.liveAt !== undefined) void load();
  }, [load, props.liveAt]);

  return (
    <div className="card" data-testid="vm-outbox">
      <div className="card-header">
        <h2>{t("vm.outbox")}</h2>
        <button type="button" onClick={() => void load()} data-testid="vm-outbox-refresh">
          {t("common.refresh")}
        </button>
      </div>
      <p className="muted">{t("vm.outboxIntro")}</p>
      <FormFailure failure={failure} />
      <DataTable
        rows={items}
        rowKey={(m) => m.id}
        rowAttributes={(m) => ({ "data-testid": "vm-mail", "data-state": m.state })}
        empty="vm.outboxEmpty"
        columns={[
          { label: "vm.to", cell: (m) => m.to },
          { label: "vm.subject", cell: (m) => m.subject },
          {
            label: "vm.state",
            cell: (m) => (
              <span className={m.state === "sent" ? "badge state-online" : "badge state-ringing"}>
                {t(`vm.state.${m.state}` as MessageKey)}
              </span>
            ),
          },
          { label: "vm.attempts", cell: (m) => String(m.attempts) },
          { label: "vm.lastError", cell: (m) => m.lastError ?? "—" },
          { label: "vm.when", cell: (m) => formatTime(m.sentAt ?? m.nextAttemptAt, lang) },
        ]}
        showLoading
        testId="vm-outbox-table"
      />
    </div>
  );
}

const SECURITY = ["none", "starttls", "tls"] as const;

function smtpFields(passwordSet: boolean): FieldSpec[] {
  return [
    { path: "host", kind: "text", label: "smtp.host", hint: "smtp.hostHint" },
    { path: "port", kind: "int", label: "smtp.port" },
    {
      path: "security",
      kind: "select",
      label: "smtp.security",
      options: SECURITY.map((value) => ({ value, label: `smtp.security.${value}` as MessageKey })),
    },
    { path: "user", kind: "text", label: "smtp.user", hint: "smtp.userHint", autoComplete: "off" },
    {
      path: "password",
      kind: "password",
      label: "smtp.password",
      hint: passwordSet ? "smtp.passwordKeep" : "smtp.passwordNone",
    },
    { path: "from", kind: "text", label: "smtp.from" },
  ];
}

export function SmtpSection() {
  const { t } = useI18n();
  const notify = useNotify();
  const [view, setView] = useState<SmtpView>();
  const [values, setValues] = useState<FormValues>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const fields = useMemo(() => smtpFields(view?.passwordSet === true), [view?.passwordSet]);

  const show = useCallback((next: SmtpView) => {
    setView(next);
    setValues(toFormValues(next, smtpFields(next.passwordSet)));
  }, []);
  useEffect(() => {
    api.get<SmtpView>("/smtp").then(show, setFailure);
  }, [show]);

  /** Saves or resets; the values stay as typed when the server refuses them. */
  const submit = async (request: () => Promise<SmtpView>, notice: string) => {
    setBusy(true);
    try {
      show(await request());
      setFailure(undefined);
      notify(notice);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  // A blank password field keeps the stored password (the API never sends it back).
  const body = () => toBody(values ?? {}, fields, (spec, value) => spec.kind === "password" && value === "");

  if (values === undefined) return <FormFailure failure={failure} />;
  return (
    <div data-testid="smtp-section">
      <GroupedForm
        groups={[{ title: "smtp.title", fields }]}
        values={values}
        onChange={(path, value) => setValues({ ...values, [path]: value })}
        failure={failure}
        busy={busy}
        onSubmit={() => submit(() => api.put<SmtpView>("/smtp", body()), t("common.saved"))}
        submitLabel="common.save"
        testId="smtp-form"
        extraActions={
          <>
            <span className="muted" data-testid="smtp-source">
              {t("smtp.source", { source: t(`smtp.source.${view?.source ?? "none"}` as MessageKey) })}
            </span>
            <button
              type="button"
              disabled={busy}
              onClick={() => submit(() => api.request<SmtpView>("DELETE", "/smtp"), t("smtp.resetDone"))}
              data-testid="smtp-reset"
            >
              {t("smtp.reset")}
            </button>
          </>
        }
      />
    </div>
  );
}
