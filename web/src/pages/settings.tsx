/**
 * System settings: server status, the administrator password, the settings that apply at run time
 * (a form) and the start-up ones (read-only), each with its source (system-settings.tsx).
 */
import { useEffect, useState } from "react";
import type { FieldSpec, FormValues } from "../components/fields";
import { GroupedForm } from "../components/form";
import { formatDuration, PageHeader, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { api } from "../lib/api";
import type { ServerStatus, SessionState } from "../lib/api-types";
import { SystemSettingsPanel, settingName } from "./system-settings";

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
  const [session, setSession] = useState<SessionState>();
  const [values, setValues] = useState<FormValues>({ currentPassword: "", newPassword: "" });
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<ServerStatus>("/status").then(setStatus, () => {});
    api.get<SessionState>("/session").then(setSession, () => {});
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
                      {settingName(k, t, "counter")}: {v}
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
      <SystemSettingsPanel />
    </section>
  );
}
