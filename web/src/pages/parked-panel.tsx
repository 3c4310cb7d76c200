/**
 * The dashboard's parked calls (call park, issue 16): each slot's parked party, who parked it, how
 * long it has waited and whether Parley is ringing the parker back, from the live snapshot.
 */
import { useEffect, useState } from "react";
import { DataTable } from "../components/data-table";
import { formatDuration } from "../components/ui";
import { useI18n } from "../i18n";
import type { ParkedCall } from "../lib/api-types";

/**
 * Seconds since `rows` last changed, ticking while there are rows: a snapshot comes only on a
 * change, so the time parked would stand still between snapshots without it. Counting from the
 * snapshot's arrival (not from `parkedAt`) keeps a skewed browser clock out of the figure.
 */
function useSecondsSince(rows: readonly unknown[] | undefined): number {
  const [since, setSince] = useState(() => Date.now());
  const [now, setNow] = useState(since);
  useEffect(() => {
    const at = Date.now();
    setSince(at);
    setNow(at);
    if (rows === undefined || rows.length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [rows]);
  return Math.max(0, Math.floor((now - since) / 1000));
}

function Party(props: { party: ParkedCall["parked"] }) {
  return (
    <>
      <strong>{props.party.user}</strong>
      {props.party.displayName === "" ? null : <span className="muted"> {props.party.displayName}</span>}
    </>
  );
}

/** Nothing when the server has no parking lot (the snapshot has no `parked`). */
export function ParkedPanel(props: { parked: ParkedCall[] | undefined }) {
  const { t } = useI18n();
  const elapsed = useSecondsSince(props.parked);
  if (props.parked === undefined) return null;
  return (
    <div className="card" data-testid="parked-panel">
      <h2>{t("parked.title")}</h2>
      <DataTable
        rows={props.parked}
        rowKey={(p) => p.slot}
        rowAttributes={(p) => ({ "data-testid": `parked-row-${p.slot}` })}
        columns={[
          { label: "parked.slot", kind: "rowHeader", cell: (p) => p.slot },
          { label: "parked.party", cell: (p) => <Party party={p.parked} /> },
          { label: "parked.parker", cell: (p) => <Party party={p.parker} /> },
          { label: "parked.time", cell: (p) => formatDuration(p.parkedSeconds + elapsed) },
          {
            label: "parked.status",
            cell: (p) => (
              <>
                {/* The ringing and on-hold looks of the users' state badges. */}
                <span
                  className={`badge ${p.ringingBack ? "state-ringing" : "state-answered"}`}
                  data-testid="parked-status"
                  data-state={p.ringingBack ? "ringing-back" : "waiting"}
                >
                  <span className="dot" aria-hidden="true" />
                  {t(p.ringingBack ? "parked.ringingBack" : "parked.waiting")}
                </span>
                {p.ringBacks > 0 ? (
                  <span className="muted"> {t("parked.ringBacks", { n: p.ringBacks })}</span>
                ) : null}
              </>
            ),
          },
        ]}
        empty="parked.none"
        testId="parked-table"
      />
    </div>
  );
}
