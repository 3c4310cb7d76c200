/** Local users: list, search, page; create, edit and delete (with confirmation). */
import { useCallback, useEffect, useState } from "react";
import { DataTable } from "../components/data-table";
import { FormFailure } from "../components/form";
import { PageHeader, Pager, StateBadge, useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { api } from "../lib/api";
import type { UserPage } from "../lib/api-types";
import { useLive } from "../lib/live";
import { navigate } from "../lib/router";
import { DeviceList, useDevices } from "./user-devices";

const LIMIT = 50;

export function UsersPage() {
  const { t } = useI18n();
  const notify = useNotify();
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<UserPage>();
  const [failure, setFailure] = useState<unknown>();
  const [dialog, ask] = useConfirm();
  // States follow the live view, so the list never shows a stale "online".
  const { snapshot } = useLive();
  const liveState = new Map(snapshot?.users.map((u) => [u.name, u.state]));
  const devices = useDevices(snapshot?.at);

  const load = useCallback(async () => {
    try {
      setPage(await api.get<UserPage>("/users", { offset, limit: LIMIT, search: query }));
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    }
  }, [offset, query]);
  useEffect(() => {
    void load();
  }, [load]);
  // Search as the administrator types, a moment after the last key.
  useEffect(() => {
    const timer = setTimeout(() => {
      setOffset(0);
      setQuery(search.trim());
    }, 250);
    return () => clearTimeout(timer);
  }, [search]);

  const remove = async (name: string) => {
    const what = t("users.deleteWhat", { name });
    if (!(await ask(t("common.confirmDelete", { what })))) return;
    try {
      await api.delete(`/users/${encodeURIComponent(name)}`);
      notify(t("common.deleted", { what }));
      await load();
    } catch (error) {
      setFailure(error);
    }
  };

  return (
    <section data-testid="page-users">
      <PageHeader title={t("users.title")}>
        <button
          type="button"
          className="primary"
          onClick={() => navigate("users", "new")}
          data-testid="new-user"
        >
          {t("users.new")}
        </button>
      </PageHeader>
      <div className="card">
        <div className="card-header">
          <input
            type="search"
            className="search"
            placeholder={t("users.searchPlaceholder")}
            aria-label={t("common.search")}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="user-search"
          />
          {page ? <span className="muted">{t("users.count", { total: page.total })}</span> : null}
        </div>
        <FormFailure failure={failure} />
        <DataTable
          rows={page?.items}
          rowKey={(u) => u.name}
          rowAttributes={(u) => ({ "data-testid": `user-row-${u.name}` })}
          columns={[
            {
              label: "users.name",
              cell: (u) => (
                <a href={`#/users/${encodeURIComponent(u.name)}`}>
                  <strong>{u.name}</strong>
                </a>
              ),
            },
            { label: "users.displayName", cell: (u) => u.displayName },
            {
              label: "users.state",
              cell: (u) => (
                <StateBadge state={liveState.get(u.name) ?? u.state} testId={`user-list-state-${u.name}`} />
              ),
            },
            {
              label: "devices.title",
              cell: (u) => <DeviceList user={u.name} devices={devices.get(u.name)} />,
            },
            { label: "field.callRight", cell: (u) => u.callRight },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (u) => (
                <>
                  <button type="button" className="small" onClick={() => navigate("users", u.name)}>
                    {t("common.edit")}
                  </button>
                  <button
                    type="button"
                    className="small danger"
                    onClick={() => remove(u.name)}
                    data-testid={`delete-user-${u.name}`}
                  >
                    {t("common.delete")}
                  </button>
                </>
              ),
            },
          ]}
          empty="common.empty"
          showLoading
          testId="users-table"
        />
        {page ? <Pager offset={offset} limit={LIMIT} total={page.total} onChange={setOffset} /> : null}
      </div>
      {dialog}
    </section>
  );
}
