/**
 * The live view: every user's state and presence, calls in progress, parked calls, lines and
 * trunks, updated by /events.
 */
import { useState } from "react";
import { DataTable } from "../components/data-table";
import { formatDuration, formatTime, PageHeader, StateBadge, useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import { useLive } from "../lib/live";
import { ParkedPanel } from "./parked-panel";
import { PresenceBadges } from "./presence-badges";
import { WeakPasswords } from "./weak-passwords";

export function DashboardPage() {
  const { t, lang } = useI18n();
  const { snapshot, status } = useLive();
  const [filter, setFilter] = useState("");
  const [dialog, ask] = useConfirm();
  const notify = useNotify();
  const users = snapshot?.users ?? [];
  const calls = snapshot?.calls ?? [];
  const lines = snapshot?.lines ?? [];
  const externalLines = lines.filter((l) => l.kind === "external-line");
  const shown = users.filter(
    (u) =>
      filter === "" || u.name.includes(filter) || u.displayName.toLowerCase().includes(filter.toLowerCase()),
  );
  const hangup = async (id: string, caller: string, dialed: string) => {
    if (!(await ask(t("dashboard.confirmHangup", { caller, dialed }), t("dashboard.hangup")))) return;
    try {
      await api.delete(`/calls/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof ApiFailure && error.status !== 404)
        notify(t("common.error", { message: error.message }));
    }
  };
  return (
    <section data-testid="page-dashboard">
      <PageHeader title={t("dashboard.title")}>
        <span className={`live-status live-${status}`} data-testid="live-status" data-status={status}>
          <span className="dot" aria-hidden="true" />
          {t(`live.${status}` as MessageKey)}
        </span>
      </PageHeader>
      <WeakPasswords refresh={snapshot} />
      <div className="stats">
        <Stat
          label={t("dashboard.usersOnline")}
          value={`${users.filter((u) => u.state !== "offline").length} / ${users.length}`}
          testId="stat-online"
        />
        <Stat label={t("dashboard.activeCalls")} value={String(calls.length)} testId="stat-calls" />
        <Stat
          label={t("dashboard.registrations")}
          value={String(snapshot?.registrations ?? 0)}
          testId="stat-registrations"
        />
        <Stat
          label={t("dashboard.linesOnline")}
          value={`${externalLines.filter((l) => l.state === "online").length} / ${externalLines.length}`}
          testId="stat-lines"
        />
      </div>

      <div className="card">
        <div className="card-header">
          <h2>{t("dashboard.users")}</h2>
          <input
            type="search"
            placeholder={t("dashboard.filter")}
            aria-label={t("dashboard.filter")}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
        <ul className="user-tiles" data-testid="user-tiles">
          {shown.map((u) => (
            <li key={u.name} className={`tile tile-${u.state}`} data-testid={`user-tile-${u.name}`}>
              <a href={`#/users/${encodeURIComponent(u.name)}`}>
                <strong>{u.name}</strong>
                <span className="muted">{u.displayName}</span>
              </a>
              <StateBadge state={u.state} testId={`user-state-${u.name}`} />
              <PresenceBadges presence={u.presence} state={u.state} testId={`user-presence-${u.name}`} />
            </li>
          ))}
        </ul>
      </div>

      <div className="card">
        <h2>{t("dashboard.calls")}</h2>
        <DataTable
          rows={calls}
          rowKey={(c) => c.id}
          rowAttributes={() => ({ "data-testid": "call-row" })}
          columns={[
            { label: "calls.caller", cell: (c) => c.caller },
            { label: "calls.dialed", cell: (c) => c.dialed },
            { label: "calls.callee", cell: (c) => c.callee ?? "" },
            { label: "calls.state", cell: (c) => <StateBadge state={c.state} testId="call-state" /> },
            { label: "calls.started", cell: (c) => formatTime(c.startedAt, lang) },
            { label: "calls.duration", cell: (c) => formatDuration(c.durationSeconds) },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (c) => (
                <button
                  type="button"
                  className="danger small"
                  onClick={() => hangup(c.id, c.caller, c.dialed)}
                >
                  {t("dashboard.hangup")}
                </button>
              ),
            },
          ]}
          empty="dashboard.noCalls"
          testId="calls-table"
        />
      </div>

      <ParkedPanel parked={snapshot?.parked} />

      <div className="card">
        <h2>{t("dashboard.lines")}</h2>
        {lines.length === 0 ? (
          <p className="muted">{t("dashboard.noLines")}</p>
        ) : (
          <ul className="user-tiles">
            {lines.map((l) => (
              <li key={`${l.kind}:${l.name}`} className={`tile tile-${l.state}`}>
                <a href={l.kind === "sip-trunk" ? "#/trunks" : "#/lines"}>
                  <strong>{l.name}</strong>
                  <span className="muted">{t(`dashboard.lineKind.${l.kind}` as MessageKey)}</span>
                </a>
                <StateBadge state={l.state} testId={`line-state-${l.name}`} />
                {l.activeCalls > 0 ? (
                  <span className="muted">{t("dashboard.lineCalls", { n: l.activeCalls })}</span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </div>
      {dialog}
    </section>
  );
}

function Stat(props: { label: string; value: string; testId: string }) {
  return (
    <div className="card stat">
      <span className="stat-value" data-testid={props.testId}>
        {props.value}
      </span>
      <span className="stat-label">{props.label}</span>
    </div>
  );
}
