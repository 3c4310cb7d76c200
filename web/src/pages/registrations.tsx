/** Live registrations (remove one), subscriptions (message-waiting lamps) and banned addresses (lift a ban). */
import { useCallback, useEffect, useState } from "react";
import { DataTable } from "../components/data-table";
import { FormFailure } from "../components/form";
import { formatTime, PageHeader, useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { api } from "../lib/api";
import type { Ban, BanList, Registration, RegistrationList, Subscription } from "../lib/api-types";

export function RegistrationsPage() {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const [registrations, setRegistrations] = useState<Registration[]>();
  const [bans, setBans] = useState<Ban[]>();
  const [subscriptions, setSubscriptions] = useState<Subscription[]>();
  const [failure, setFailure] = useState<unknown>();
  const [dialog, ask] = useConfirm();

  const load = useCallback(async () => {
    try {
      const [r, b, s] = await Promise.all([
        api.get<RegistrationList>("/registrations"),
        api.get<BanList>("/bans"),
        api.get<{ items: Subscription[] }>("/subscriptions"),
      ]);
      setRegistrations(r.items);
      setBans(b.items);
      setSubscriptions(s.items);
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
        <DataTable
          rows={registrations}
          rowKey={(r) => r.id}
          rowAttributes={(r) => ({ "data-testid": `registration-${r.user}` })}
          columns={[
            {
              label: "reg.user",
              cell: (r) => <a href={`#/users/${encodeURIComponent(r.user)}`}>{r.user}</a>,
            },
            { label: "reg.contact", className: "mono", cell: (r) => r.contact },
            { label: "reg.transport", cell: (r) => r.transport.toUpperCase() },
            {
              label: "reg.source",
              className: "mono",
              cell: (r) => (
                <>
                  {r.sourceAddress.includes(":") ? `[${r.sourceAddress}]` : r.sourceAddress}:{r.sourcePort}
                </>
              ),
            },
            { label: "reg.expiresIn", cell: (r) => r.expiresIn },
            { label: "reg.userAgent", cell: (r) => r.userAgent ?? "" },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (r) => (
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
              ),
            },
          ]}
          empty="reg.none"
          showLoading
          testId="registrations-table"
        />
      </div>
      <div className="card">
        <h2>{t("subs.title")}</h2>
        <p className="hint">{t("subs.help")}</p>
        <DataTable
          rows={subscriptions}
          rowKey={(s) => s.id}
          rowAttributes={(s) => ({ "data-testid": `subscription-${s.user}` })}
          columns={[
            { label: "subs.user", cell: (s) => s.user },
            { label: "subs.package", className: "mono", cell: (s) => s.package },
            { label: "subs.resource", cell: (s) => s.resource },
            { label: "subs.contact", className: "mono", cell: (s) => s.contact },
            { label: "subs.expiresIn", cell: (s) => s.expiresIn },
          ]}
          empty="subs.none"
          testId="subscriptions-table"
        />
      </div>
      <div className="card">
        <h2>{t("bans.title")}</h2>
        <DataTable
          rows={bans}
          rowKey={(b) => b.address}
          columns={[
            { label: "bans.address", className: "mono", cell: (b) => b.address },
            { label: "bans.reason", cell: (b) => b.reason },
            { label: "bans.failures", cell: (b) => b.failures },
            { label: "bans.until", cell: (b) => formatTime(b.until, lang) },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (b) => (
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
              ),
            },
          ]}
          empty="bans.none"
          testId="bans-table"
        />
      </div>
      {dialog}
    </section>
  );
}
