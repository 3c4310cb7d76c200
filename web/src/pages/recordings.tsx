/**
 * Call recordings (issue 17): the recorded calls, newest first, filtered by number and paged,
 * played in the browser (the one player of the page), downloaded as WAV files and deleted; and
 * the Call records page's link to a call's recording (RecordingLink). The list reloads at every
 * live snapshot, so a call that ends recorded shows up without a refresh.
 */
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from "react";
import type { Static } from "typebox";
import type { RecordingPage } from "../../../src/api/routes/recordings";
import { DataTable } from "../components/data-table";
import { FormFailure } from "../components/form";
import { formatTime, PageHeader, Pager, Unavailable, useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { ApiFailure, api } from "../lib/api";
import { usePlayer, wavRequest } from "../lib/audio";
import { useLive } from "../lib/live";

type Recording = Static<typeof RecordingPage>["items"][number];
const LIMIT = 25;

/** "m:ss", or "h:mm:ss" from an hour. */
export function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

function size(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`;
}

/** Saves a recording's WAV (fetched with the session token: a plain link could not send it). */
export async function downloadRecording(id: string): Promise<void> {
  const blob = await (
    await wavRequest("GET", `/recordings/${encodeURIComponent(id)}/audio?download=true`)
  ).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `recording-${id}.wav`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The Call records page's cell: play and download a call's recording. */
export function RecordingLink(props: {
  id: string;
  play: (key: string, path: string) => void;
  player: (key: string) => ReactNode;
  onError: (error: unknown) => void;
}) {
  const { t } = useI18n();
  const { id } = props;
  return (
    <span className="row-actions" data-testid={`cdr-recording-${id}`}>
      <button
        type="button"
        className="small"
        onClick={() => props.play(id, `/recordings/${encodeURIComponent(id)}/audio`)}
      >
        {t("recordings.play")}
      </button>
      <button type="button" className="small" onClick={() => downloadRecording(id).catch(props.onError)}>
        {t("recordings.download")}
      </button>
      {props.player(id)}
    </span>
  );
}

export function RecordingsPage() {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const liveAt = useLive().snapshot?.at;
  const [number, setNumber] = useState("");
  const [applied, setApplied] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Static<typeof RecordingPage>>();
  const [failure, setFailure] = useState<unknown>();
  const [missing, setMissing] = useState(false);
  const [dialog, ask] = useConfirm();
  const { play, player } = usePlayer((_key, error) => setFailure(error));

  const load = useCallback(async () => {
    try {
      const query = { number: applied || undefined, offset, limit: LIMIT };
      setPage(await api.get<Static<typeof RecordingPage>>("/recordings", query));
      setFailure(undefined);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) setMissing(true);
      else setFailure(error);
    }
  }, [applied, offset]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (liveAt !== undefined) void load();
  }, [load, liveAt]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOffset(0);
    setApplied(number.trim());
  };
  const remove = async (r: Recording) => {
    if (!(await ask(t("recordings.confirmDelete", { caller: r.caller, callee: r.callee })))) return;
    try {
      await api.delete(`/recordings/${encodeURIComponent(r.id)}`);
      notify(t("recordings.deleted"));
      await load();
    } catch (error) {
      setFailure(error);
    }
  };

  if (missing) return <Unavailable what={t("recordings.title")} />;
  return (
    <section data-testid="page-recordings">
      <PageHeader title={t("recordings.title")} />
      <p className="muted">{t("recordings.intro")}</p>
      <div className="card">
        <form className="card-header" onSubmit={submit} data-testid="recordings-filter">
          <label>
            {t("recordings.filter")}{" "}
            <input
              value={number}
              onChange={(e) => setNumber(e.target.value)}
              data-testid="recordings-number"
            />
          </label>{" "}
          <button type="submit">{t("cdrs.apply")}</button>
        </form>
        <FormFailure failure={failure} />
        <DataTable
          rows={page?.items}
          rowKey={(r) => r.id}
          rowAttributes={(r) => ({ "data-testid": `recording-row-${r.id}` })}
          empty="recordings.none"
          columns={[
            { label: "recordings.startedAt", cell: (r) => formatTime(r.startedAt, lang) },
            { label: "recordings.caller", className: "mono", cell: (r) => r.caller },
            {
              label: "recordings.callee",
              className: "mono",
              cell: (r) => (
                <>
                  {r.callee}
                  {player(r.id)}
                </>
              ),
            },
            { label: "recordings.duration", cell: (r) => clock(r.durationSeconds) },
            { label: "recordings.size", cell: (r) => size(r.bytes) },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (r) => (
                <>
                  <button
                    type="button"
                    className="small"
                    onClick={() => play(r.id, `/recordings/${encodeURIComponent(r.id)}/audio`)}
                    data-testid={`recording-play-${r.id}`}
                  >
                    {t("recordings.play")}
                  </button>
                  <button
                    type="button"
                    className="small"
                    onClick={() => downloadRecording(r.id).catch(setFailure)}
                    data-testid={`recording-download-${r.id}`}
                  >
                    {t("recordings.download")}
                  </button>
                  <button
                    type="button"
                    className="small danger"
                    onClick={() => remove(r)}
                    data-testid={`recording-delete-${r.id}`}
                  >
                    {t("recordings.delete")}
                  </button>
                </>
              ),
            },
          ]}
          showLoading
          testId="recordings-table"
        />
        {page ? <Pager offset={offset} limit={LIMIT} total={page.total} onChange={setOffset} /> : null}
      </div>
      {dialog}
    </section>
  );
}
