/** Live registrations (remove one) and banned addresses (lift a ban). */
import { useCallback, useEffect, useState } from "react";
import { FormFailure } from "../components/form";
import { formatTime, PageHeader, useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { api } from "../lib/api";
import type { Ban, BanList, Registration, RegistrationList } from "../lib/api-types";

export function RegistrationsPage() {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const [registrations, setRegistrations] = useState<Registration[]>();
  const [bans, setBans] = useState<Ban[]>();
  const [failure, setFailure] = useState<unknown>();
  const [dialog, ask] = useConfirm();

  const load = useCallback(async () => {
    try {
      const [r, b] = await Promise.all([
        api.get<RegistrationList>("/registrations"),
        api.get<BanList>("/bans"),
      ]);
      setRegistrations(r.items);
      setBans(b.items);
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (what: string, action: string, path: string) => {
    if (!(await ask(t("common.confirmDelete", { what }), action))) return;
    try {
      await api.delete(path);
      notify(t("common.deleted", { what }));
    } catch (error) {
      setFailure(error);
    }
    await load();
  };

  return (
    <section data-testid="page-registrations">
      <PageHeader title={t("nav.registrations")}>
        <button type="button" onClick={load}>
          {t("common.refresh")}
        </button>
      </PageHeader>
      <FormFailure failure={failure} />
      <div className="card">
        <h2>{t("reg.title")}</h2>
        {registrations === undefined ? (
          <p className="muted">{t("common.loading")}</p>
        ) : registrations.length === 0 ? (
          <p className="muted">{t("reg.none")}</p>
        ) : (
          <div className="table-wrap">
            <table className="responsive" data-testid="registrations-table">
              <thead>
                <tr>
                  <th>{t("reg.user")}</th>
                  <th>{t("reg.contact")}</th>
                  <th>{t("reg.transport")}</th>
                  <th>{t("reg.source")}</th>
                  <th>{t("reg.expiresIn")}</th>
                  <th>{t("reg.userAgent")}</th>
                  <th>
                    <span className="sr-only">{t("common.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {registrations.map((r) => (
                  <tr key={r.id} data-testid={`registration-${r.user}`}>
                    <td data-label={t("reg.user")}>
                      <a href={`#/users/${encodeURIComponent(r.user)}`}>{r.user}</a>
                    </td>
                    <td data-label={t("reg.contact")} className="mono">
                      {r.contact}
                    </td>
                    <td data-label={t("reg.transport")}>{r.transport.toUpperCase()}</td>
                    <td data-label={t("reg.source")} className="mono">
                      {r.sourceAddress.includes(":") ? `[${r.sourceAddress}]` : r.sourceAddress}:
                      {r.sourcePort}
                    </td>
                    <td data-label={t("reg.expiresIn")}>{r.expiresIn}</td>
                    <td data-label={t("reg.userAgent")}>{r.userAgent ?? ""}</td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="small danger"
                        onClick={() =>
                          act(
                            t("reg.removeWhat", { user: r.user, contact: r.contact }),
                            t("reg.remove"),
                            `/registrations/${encodeURIComponent(r.id)}`,
                          )
                        }
                      >
                        {t("reg.remove")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <div className="card">
        <h2>{t("bans.title")}</h2>
        {bans === undefined ? null : bans.length === 0 ? (
          <p className="muted">{t("bans.none")}</p>
        ) : (
          <div className="table-wrap">
            <table className="responsive" data-testid="bans-table">
              <thead>
                <tr>
                  <th>{t("bans.address")}</th>
                  <th>{t("bans.reason")}</th>
                  <th>{t("bans.failures")}</th>
                  <th>{t("bans.until")}</th>
                  <th>
                    <span className="sr-only">{t("common.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {bans.map((b) => (
                  <tr key={b.address}>
                    <td data-label={t("bans.address")} className="mono">
                      {b.address}
                    </td>
                    <td data-label={t("bans.reason")}>{b.reason}</td>
                    <td data-label={t("bans.failures")}>{b.failures}</td>
                    <td data-label={t("bans.until")}>{formatTime(b.until, lang)}</td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="small"
                        onClick={() =>
                          act(
                            t("bans.liftWhat", { address: b.address }),
                            t("bans.lift"),
                            `/bans/${encodeURIComponent(b.address)}`,
                          )
                        }
                      >
                        {t("bans.lift")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {dialog}
    </section>
  );
}
