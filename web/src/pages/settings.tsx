/** System settings: server status, the administrator password, the effective start-up settings. */
import { useEffect, useState } from "react";
import { DataTable } from "../components/data-table";
import type { FieldSpec, FormValues } from "../components/fields";
import { GroupedForm } from "../components/form";
import { formatDuration, PageHeader, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { ApiFailure, api } from "../lib/api";
import type { ServerStatus, SessionState, Settings } from "../lib/api-types";

const PASSWORD_FIELDS: FieldSpec[] = [
  {
    path: "currentPassword",
    kind: "password",
    label: "settings.currentPassword",
    autoComplete: "current-password",
  },
  { path: "newPassword", kind: "password", label: "settings.newPassword", autoComplete: "new-password" },
];

export function SettingsPage() {
  const { t } = useI18n();
  const notify = useNotify();
  const [status, setStatus] = useState<ServerStatus>();
  const [settings, setSettings] = useState<Settings["items"]>();
  const [session, setSession] = useState<SessionState>();
  const [values, setValues] = useState<FormValues>({ currentPassword: "", newPassword: "" });
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<ServerStatus>("/status").then(setStatus, () => {});
    api.get<SessionState>("/session").then(setSession, () => {});
    api.get<Settings>("/settings").then(
      (s) => setSettings(s.items),
      (error) => {
        if (error instanceof ApiFailure && error.status === 404) setSettings({});
      },
    );
  }, []);

  const changePassword = async () => {
    setBusy(true);
    try {
      await api.put("/admin-password", values);
      setValues({ currentPassword: "", newPassword: "" });
      setFailure(undefined);
      notify(t("settings.passwordChanged"));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section data-testid="page-settings">
      <PageHeader title={t("settings.title")} />
      <div className="two-columns">
        <div className="card">
          <h2>{t("settings.status")}</h2>
          {status ? (
            <dl className="facts">
              <dt>{t("settings.version")}</dt>
              <dd data-testid="version">{status.version}</dd>
              <dt>{t("settings.uptime")}</dt>
              <dd>{formatDuration(status.uptimeSeconds)}</dd>
              <dt>{t("settings.listeners")}</dt>
              <dd>
                <ul className="plain">
                  {status.listeners.map((l) => (
                    <li key={`${l.protocol}${l.address}${l.port}`} className="mono">
                      {l.protocol} {l.address.includes(":") ? `[${l.address}]` : l.address}:{l.port}
                    </li>
                  ))}
                </ul>
              </dd>
              <dt>{t("settings.counts")}</dt>
              <dd>
                <ul className="plain">
                  {Object.entries(status.counts).map(([k, v]) => (
                    <li key={k}>
                      <span className="mono">{k}</span>: {v}
                    </li>
                  ))}
                </ul>
              </dd>
              <dt>{t("settings.api")}</dt>
              <dd>
                <a href="/api/docs" target="_blank" rel="noreferrer">
                  {t("settings.apiDocs")}
                </a>
              </dd>
              {session ? (
                <>
                  <dt>{t("settings.session")}</dt>
                  <dd>{t("settings.sessionTimeout", { minutes: Math.round(session.idleTimeout / 60) })}</dd>
                </>
              ) : null}
            </dl>
          ) : (
            <p className="muted">{t("common.loading")}</p>
          )}
        </div>
        <GroupedForm
          groups={[{ title: "settings.password", fields: PASSWORD_FIELDS }]}
          values={values}
          onChange={(path, value) => setValues({ ...values, [path]: value })}
          failure={failure}
          busy={busy}
          onSubmit={changePassword}
          submitLabel="settings.changePassword"
          testId="password-form"
        />
      </div>
      <div className="card">
        <h2>{t("settings.startup")}</h2>
        <p className="muted">{t("settings.startupHint")}</p>
        <DataTable
          rows={settings && Object.entries(settings)}
          rowKey={([k]) => k}
          columns={[
            { kind: "rowHeader", className: "mono", cell: ([k]) => k },
            {
              className: "mono",
              cell: ([, v]) => (v === null ? "—" : Array.isArray(v) ? v.join(", ") : String(v)),
            },
          ]}
          header={false}
          responsive={false}
          testId="settings-table"
        />
      </div>
    </section>
  );
}
