/**
 * Voicemail (issue 15): the voice messages of every mailbox or one, newest first, played in the
 * browser, marked old or new and deleted; the chosen mailbox's greeting; the mail outbox and the
 * SMTP settings (voicemail-mail.tsx). The lists reload at every live snapshot, so a message a
 * caller leaves shows up without a refresh (src/api/routes/voicemail.ts, src/api/create-api.ts).
 */
import { useCallback, useEffect, useState } from "react";
import type { Static } from "typebox";
import type { VoicemailList } from "../../../src/api/routes/voicemail";
import { DataTable } from "../components/data-table";
import { FormFailure } from "../components/form";
import { formatTime, PageHeader, Unavailable, useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import type { UserPage } from "../lib/api-types";
import { usePlayer } from "../lib/audio";
import { useLive } from "../lib/live";
import { VoicemailGreeting } from "./voicemail-greeting";
import { OutboxSection, SmtpSection } from "./voicemail-mail";

type Message = Static<typeof VoicemailList>["items"][number];
type Folder = Message["folder"];

const FOLDERS: readonly Folder[] = ["new", "old"];

const callerOf = (m: Message) => (m.callerName !== "" ? `${m.callerName} <${m.caller}>` : m.caller);

export function VoicemailPage() {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const liveAt = useLive().snapshot?.at;
  const [mailbox, setMailbox] = useState("");
  const [folder, setFolder] = useState<Folder | "">("");
  const [users, setUsers] = useState<string[]>([]);
  const [items, setItems] = useState<Message[]>();
  const [failure, setFailure] = useState<unknown>();
  const [missing, setMissing] = useState(false);
  const [dialog, ask] = useConfirm();
  const { play, player } = usePlayer((_key, error) => setFailure(error));

  const load = useCallback(async () => {
    try {
      const query = { user: mailbox || undefined, folder: folder || undefined };
      setItems((await api.get<Static<typeof VoicemailList>>("/voicemail", query)).items);
      setFailure(undefined);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) setMissing(true);
      else setFailure(error);
    }
  }, [mailbox, folder]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    // A live snapshot follows every change: a deposit, a call's end, an edit elsewhere.
    if (liveAt !== undefined) void load();
  }, [load, liveAt]);
  useEffect(() => {
    api.get<UserPage>("/users", { limit: 1000 }).then(
      (page) => setUsers(page.items.map((u) => u.name)),
      () => {},
    );
  }, []);

  const act = async (action: () => Promise<unknown>, notice: string) => {
    try {
      await action();
      notify(notice);
      await load();
    } catch (error) {
      setFailure(error);
    }
  };
  const move = (m: Message, to: Folder) =>
    act(() => api.patch(`/voicemail/${m.id}`, { folder: to }), t("common.saved"));
  const remove = async (m: Message) => {
    const what = t("vm.deleteWhat", { caller: callerOf(m) });
    if (!(await ask(t("common.confirmDelete", { what })))) return;
    await act(() => api.delete(`/voicemail/${m.id}`), t("common.deleted", { what }));
  };

  if (missing) return <Unavailable what={t("vm.title")} />;
  return (
    <section data-testid="page-voicemail">
      <PageHeader title={t("vm.title")} />
      <div className="card">
        <div className="card-header">
          <h2>{t("vm.messages")}</h2>
          <div className="page-actions">
            <label>
              {t("vm.mailbox")}{" "}
              <select value={mailbox} onChange={(e) => setMailbox(e.target.value)} data-testid="vm-mailbox">
                <option value="">{t("vm.allMailboxes")}</option>
                {users.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>{" "}
            <label>
              {t("vm.folder")}{" "}
              <select
                value={folder}
                onChange={(e) => setFolder(e.target.value as Folder | "")}
                data-testid="vm-folder"
              >
                <option value="">{t("vm.anyFolder")}</option>
                {FOLDERS.map((f) => (
                  <option key={f} value={f}>
                    {t(`vm.folder.${f}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        <FormFailure failure={failure} />
        <DataTable
          rows={items}
          rowKey={(m) => m.id}
          rowAttributes={(m) => ({ "data-testid": `vm-row-${m.id}`, "data-folder": m.folder })}
          empty="vm.none"
          columns={[
            { label: "vm.received", cell: (m) => formatTime(m.receivedAt, lang) },
            { label: "vm.mailbox", className: "mono", cell: (m) => m.mailbox },
            {
              label: "vm.caller",
              cell: (m) => (
                <>
                  {callerOf(m)}
                  {player(String(m.id))}
                </>
              ),
            },
            {
              label: "vm.length",
              cell: (m) => t("prompts.seconds", { n: (m.durationMs / 1000).toFixed(1) }),
            },
            {
              label: "vm.folder",
              cell: (m) => (
                <span className={m.folder === "new" ? "badge state-talking" : "badge"}>
                  {t(`vm.folder.${m.folder}` as MessageKey)}
                </span>
              ),
            },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (m) => (
                <>
                  <button
                    type="button"
                    className="small"
                    onClick={() => play(String(m.id), `/voicemail/${m.id}/audio`)}
                    data-testid={`vm-play-${m.id}`}
                  >
                    {t("prompts.play")}
                  </button>
                  <button
                    type="button"
                    className="small"
                    onClick={() => move(m, m.folder === "new" ? "old" : "new")}
                    data-testid={`vm-move-${m.id}`}
                  >
                    {t(m.folder === "new" ? "vm.markOld" : "vm.markNew")}
                  </button>
                  <button
                    type="button"
                    className="small danger"
                    onClick={() => remove(m)}
                    data-testid={`vm-delete-${m.id}`}
                  >
                    {t("common.delete")}
                  </button>
                </>
              ),
            },
          ]}
          showLoading
          testId="vm-table"
        />
      </div>
      {mailbox === "" ? (
        <p className="muted">{t("vm.greetingPick")}</p>
      ) : (
        <VoicemailGreeting key={mailbox} user={mailbox} />
      )}
      <OutboxSection liveAt={liveAt} />
      <SmtpSection />
      {dialog}
    </section>
  );
}
