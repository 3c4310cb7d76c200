/**
 * Beside the dialer: the user's recent calls (GET /api/v1/phone/calls) and its colleagues' line
 * state and presence (GET /api/v1/phone/presence). A name or number dials it.
 */
import { formatDuration, formatTime, StateBadge } from "../../components/ui";
import { useI18n } from "../../i18n";
import { PresenceBadges } from "../presence-badges";
import type { Colleague, PhoneCall } from "./phone-api";

export function HistoryPanel(props: {
  calls: readonly PhoneCall[] | undefined;
  onRefresh: () => void;
  onDial: (number: string) => void;
}) {
  const { t, lang } = useI18n();
  return (
    <section className="card" data-testid="phone-history">
      <div className="card-header">
        <h2>{t("phone.history")}</h2>
        <button type="button" className="link" onClick={props.onRefresh} data-testid="phone-history-refresh">
          {t("phone.refresh")}
        </button>
      </div>
      {props.calls?.length === 0 ? <p className="muted">{t("phone.historyNone")}</p> : null}
      <ul className="phone-list">
        {(props.calls ?? []).map((c) => {
          const missed = c.direction === "incoming" && c.disposition !== "answered";
          return (
            <li
              key={c.id}
              data-testid={`history-${c.id}`}
              data-direction={c.direction}
              className={missed ? "missed" : undefined}
            >
              <span className="direction" aria-hidden="true">
                {c.direction === "outgoing" ? "↗" : "↙"}
              </span>
              <span className="sr-only">
                {t(
                  missed
                    ? "phone.missed"
                    : c.direction === "outgoing"
                      ? "phone.outgoing"
                      : "phone.incomingShort",
                )}
              </span>
              <button
                type="button"
                className="link"
                title={t("phone.callBack", { number: c.peer })}
                onClick={() => props.onDial(c.peer)}
              >
                {c.peerName === "" ? c.peer : `${c.peerName} (${c.peer})`}
              </button>
              <span className="muted when">{formatTime(c.startedAt, lang)}</span>
              <span className="muted mono">
                {c.answeredAt === undefined ? "—" : formatDuration(c.talkTime)}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function ColleaguesPanel(props: {
  colleagues: readonly Colleague[] | undefined;
  onDial: (number: string) => void;
}) {
  const { t } = useI18n();
  return (
    <section className="card" data-testid="phone-colleagues">
      <div className="card-header">
        <h2>{t("phone.colleagues")}</h2>
      </div>
      {props.colleagues?.length === 0 ? <p className="muted">{t("phone.colleaguesNone")}</p> : null}
      <ul className="phone-list">
        {(props.colleagues ?? []).map((c) => (
          <li key={c.name} data-testid={`colleague-${c.name}`}>
            <button
              type="button"
              className="link"
              title={t("phone.callBack", { number: c.name })}
              onClick={() => props.onDial(c.name)}
            >
              {c.displayName === "" ? c.name : `${c.displayName} (${c.name})`}
            </button>
            <StateBadge state={c.state} testId={`colleague-state-${c.name}`} />
            <PresenceBadges presence={c.presence} state={c.state} testId={`colleague-presence-${c.name}`} />
          </li>
        ))}
      </ul>
    </section>
  );
}
