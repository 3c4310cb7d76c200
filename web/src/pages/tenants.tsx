/**
 * The Tenants page (issue 21, the provider's only): every tenant with its SIP domain, own ports,
 * limits, state and totals (users, registered, calls in progress); create one (its API token is
 * shown once), edit its domain, ports and limits, suspend and resume it, give it a new API token
 * (shown once), and delete it in two steps: the first click shows the server's confirmation code
 * and a button that sends it. A deleted tenant stays listed while its call records are kept.
 */
import { useEffect, useState } from "react";
import { DataTable } from "../components/data-table";
import { FormFailure } from "../components/form";
import { formatTime, PageHeader, StateBadge, useNotify } from "../components/ui";
import { type Translate, useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { api } from "../lib/api";
import { type Tenant, useTenant } from "../lib/tenant";
import { TenantForm } from "./tenant-form";

type Editing = { mode: "create" } | { mode: "edit"; tenant: Tenant };

const path = (name: string, rest = "") => `/tenants/${encodeURIComponent(name)}${rest}`;

function portsText(ports: Tenant["ports"], t: Translate): string {
  const open = Object.entries(ports).filter(([, port]) => port !== undefined && port !== 0);
  return open.length === 0
    ? t("tenants.sharedOnly")
    : open.map(([kind, port]) => `${kind.toUpperCase()} ${port}`).join(", ");
}

function limitsText(limits: Tenant["limits"], t: Translate): string {
  const set = Object.entries(limits).filter(([, n]) => n !== undefined);
  return set.length === 0
    ? t("tenants.unlimited")
    : set.map(([kind, n]) => t(`tenants.limit.${kind}` as MessageKey, { n: Number(n) })).join(", ");
}

export function TenantsPage() {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const { tenants, reload } = useTenant();
  const [editing, setEditing] = useState<Editing>();
  const [failure, setFailure] = useState<unknown>();
  const [token, setToken] = useState<{ name: string; token: string }>();
  const [pending, setPending] = useState<{ name: string; confirm: string; expiresAt: string }>();
  // Fresh totals each time the page opens.
  useEffect(() => {
    void reload().catch(setFailure);
  }, [reload]);

  /** One action on the provider's routes; its failure shown above the table; the list read again. */
  const run = async (action: () => Promise<void>) => {
    setFailure(undefined);
    try {
      await action();
    } catch (error) {
      setFailure(error);
    }
    await reload().catch(setFailure);
  };
  const setSuspended = (tenant: Tenant, suspend: boolean) =>
    run(async () => {
      await api.request("POST", path(tenant.name, suspend ? "/suspend" : "/resume"), { home: true });
      notify(t(suspend ? "tenants.suspended" : "tenants.resumed", { name: tenant.name }));
    });
  const newToken = (tenant: Tenant) =>
    run(async () => {
      const body = await api.request<{ apiToken: string }>("POST", path(tenant.name, "/token"), {
        home: true,
      });
      setToken({ name: tenant.name, token: body.apiToken });
    });
  const askDelete = (tenant: Tenant) =>
    run(async () => {
      const step = await api.request<{ confirm: string; expiresAt: string }>("DELETE", path(tenant.name), {
        home: true,
      });
      setPending({ name: tenant.name, ...step });
    });
  const confirmDelete = () =>
    run(async () => {
      if (pending === undefined) return;
      const done = await api.request<{ cdrsKeptUntil: string }>("DELETE", path(pending.name), {
        home: true,
        query: { confirm: pending.confirm },
      });
      setPending(undefined);
      if (editing?.mode === "edit" && editing.tenant.name === pending.name) setEditing(undefined);
      notify(t("tenants.deleted", { name: pending.name, until: formatTime(done.cdrsKeptUntil, lang) }));
    });

  const actions = (row: Tenant) => {
    const suspended = row.state === "suspended";
    return (
      <>
        <button
          type="button"
          className="small"
          onClick={() => setEditing({ mode: "edit", tenant: row })}
          data-testid="edit-tenant"
        >
          {t("tenants.edit")}
        </button>
        <button
          type="button"
          className="small"
          onClick={() => setSuspended(row, !suspended)}
          data-testid={suspended ? "resume-tenant" : "suspend-tenant"}
        >
          {t(suspended ? "tenants.resume" : "tenants.suspend")}
        </button>
        <button type="button" className="small" onClick={() => newToken(row)} data-testid="token-tenant">
          {t("tenants.newToken")}
        </button>
        <button
          type="button"
          className="small danger"
          onClick={() => askDelete(row)}
          data-testid="delete-tenant"
        >
          {t("tenants.delete")}
        </button>
      </>
    );
  };

  return (
    <section data-testid="page-tenants">
      <PageHeader title={t("tenants.title")}>
        <button type="button" onClick={() => void run(async () => {})} data-testid="refresh-tenants">
          {t("common.refresh")}
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => setEditing({ mode: "create" })}
          data-testid="new-tenant"
        >
          {t("tenants.new")}
        </button>
      </PageHeader>
      <p className="hint">{t("tenants.help")}</p>
      {token ? (
        <div className="banner info token-shown" role="status" data-testid="tenant-token">
          {t("tenants.token", { name: token.name })}
          <code>{token.token}</code>
          <button type="button" className="small" onClick={() => setToken(undefined)}>
            {t("common.close")}
          </button>
        </div>
      ) : null}
      {pending ? (
        <div className="banner error" role="alert" data-testid="delete-step">
          <p>
            {t("tenants.deleteStep", {
              name: pending.name,
              code: pending.confirm,
              until: formatTime(pending.expiresAt, lang),
            })}
          </p>
          <div className="form-actions">
            <button type="button" onClick={() => setPending(undefined)}>
              {t("common.cancel")}
            </button>
            <button type="button" className="danger" onClick={confirmDelete} data-testid="confirm-delete">
              {t("tenants.confirmDelete", { name: pending.name })}
            </button>
          </div>
        </div>
      ) : null}
      {editing ? (
        <TenantForm
          key={editing.mode === "edit" ? editing.tenant.name : ""}
          tenant={editing.mode === "edit" ? editing.tenant : undefined}
          onCancel={() => setEditing(undefined)}
          onSaved={(name, apiToken) => {
            setEditing(undefined);
            if (apiToken !== undefined) setToken({ name, token: apiToken });
            notify(t(apiToken === undefined ? "tenants.saved" : "tenants.created", { name }));
            void reload().catch(setFailure);
          }}
        />
      ) : null}
      <FormFailure failure={failure} />
      <div className="card">
        <DataTable
          rows={tenants}
          rowKey={(row) => row.name}
          rowAttributes={(row) => ({ "data-testid": `tenant-row-${row.name}`, "data-state": row.state })}
          empty="tenants.none"
          showLoading
          columns={[
            { label: "tenants.col.name", kind: "rowHeader", cell: (row) => row.name },
            { label: "tenants.col.domain", cell: (row) => row.domain },
            { label: "tenants.col.ports", cell: (row) => portsText(row.ports, t) },
            { label: "tenants.col.limits", cell: (row) => limitsText(row.limits, t) },
            {
              label: "tenants.col.state",
              cell: (row) => (
                <>
                  <StateBadge state={row.state} testId="tenant-state" />
                  {row.cdrsKeptUntil ? (
                    <small className="hint">
                      {" "}
                      {t("tenants.cdrsKept", { until: formatTime(row.cdrsKeptUntil, lang) })}
                    </small>
                  ) : null}
                </>
              ),
            },
            {
              label: "tenants.col.totals",
              cell: (row) => (
                <span data-testid="tenant-totals">
                  {row.totals.users} / {row.totals.registrations} / {row.totals.activeCalls}
                </span>
              ),
            },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (row) => (row.state === "deleted" ? null : actions(row)),
            },
          ]}
        />
      </div>
    </section>
  );
}
