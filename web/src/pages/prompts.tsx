/**
 * Voice prompts and music on hold: listen to each, replace one by uploading a WAV, restore the
 * shipped one; add, replace and delete music tracks (src/api/routes/prompts.ts).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Static } from "typebox";
import type { MusicList, PromptList, PromptReplaced } from "../../../src/api/routes/prompts";
import { DataTable } from "../components/data-table";
import { FormFailure } from "../components/form";
import { PageHeader, useConfirm, useNotify } from "../components/ui";
import { type Lang, useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { api } from "../lib/api";
import { usePlayer, wavRequest } from "../lib/audio";

type Prompt = Static<typeof PromptList>["items"][number];
type Music = Static<typeof MusicList>["items"][number];

const LANGS: readonly Lang[] = ["en", "zh"];
const ACCEPT = "audio/wav,.wav";

const failureText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const seconds = (ms: number) => (ms / 1000).toFixed(1);

export function PromptsPage() {
  const { t, lang: uiLang } = useI18n();
  const notify = useNotify();
  const [lang, setLang] = useState<Lang>(uiLang);
  const [items, setItems] = useState<Prompt[]>();
  const [failure, setFailure] = useState<unknown>();
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const fileInput = useRef<HTMLInputElement>(null);
  const [target, setTarget] = useState<Prompt>();

  const rowError = useCallback(
    (key: string, error: unknown) => setRowErrors((e) => ({ ...e, [key]: failureText(error) })),
    [],
  );
  const { play, player } = usePlayer(rowError);
  const load = useCallback(async () => {
    try {
      setItems((await api.get<Static<typeof PromptList>>("/prompts", { lang })).items);
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    }
  }, [lang]);
  useEffect(() => {
    void load();
  }, [load]);

  const path = (p: Prompt) => `/prompts/${p.lang}/${encodeURIComponent(p.name)}`;
  const keyOf = (p: Prompt) => `${p.lang}-${p.name}`;
  const act = async (p: Prompt, action: () => Promise<string>) => {
    setRowErrors(({ [keyOf(p)]: _, ...rest }) => rest);
    try {
      notify(await action());
      await load();
    } catch (error) {
      rowError(keyOf(p), error);
    }
  };
  const upload = (p: Prompt, file: File) =>
    act(p, async () => {
      const done = (await (await wavRequest("PUT", path(p), file)).json()) as Static<typeof PromptReplaced>;
      return t("prompts.replacedNotice", { name: p.name, seconds: seconds(done.durationMs) });
    });
  const restore = (p: Prompt) =>
    act(p, async () => {
      await api.delete(path(p));
      return t("prompts.restoredNotice", { name: p.name });
    });

  return (
    <section data-testid="page-prompts">
      <PageHeader title={t("prompts.title")} />
      <div className="card">
        <div className="card-header">
          <h2>{t("prompts.prompts")}</h2>
          <div className="tabs" role="tablist" aria-label={t("prompts.language")}>
            {LANGS.map((l) => (
              <button
                key={l}
                type="button"
                role="tab"
                aria-selected={lang === l}
                className={lang === l ? "active" : undefined}
                onClick={() => setLang(l)}
                data-testid={`prompt-lang-${l}`}
              >
                {t(`prompts.lang.${l}` as MessageKey)}
              </button>
            ))}
          </div>
        </div>
        <p className="muted">{t("prompts.intro")}</p>
        <FormFailure failure={failure} />
        <input
          ref={fileInput}
          type="file"
          accept={ACCEPT}
          className="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="prompt-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file && target) void upload(target, file);
          }}
        />
        <DataTable
          rows={items}
          rowKey={keyOf}
          rowAttributes={(p) => ({
            "data-testid": `prompt-row-${p.name}`,
            "data-replaced": String(p.replaced),
          })}
          columns={[
            { label: "prompts.name", className: "mono", cell: (p) => p.name },
            {
              label: "prompts.text",
              cell: (p) => (
                <>
                  {p.text}
                  {player(keyOf(p))}
                  {rowErrors[keyOf(p)] ? (
                    <div className="field-error" role="alert" data-testid={`prompt-error-${p.name}`}>
                      {t("common.error", { message: rowErrors[keyOf(p)] ?? "" })}
                    </div>
                  ) : null}
                </>
              ),
            },
            { label: "prompts.duration", cell: (p) => t("prompts.seconds", { n: seconds(p.durationMs) }) },
            {
              label: "prompts.source",
              cell: (p) => <SourceBadge uploaded={p.replaced} testId={`prompt-source-${p.name}`} />,
            },
            {
              label: "common.actions",
              kind: "actions",
              className: "row-actions",
              cell: (p) => (
                <>
                  <button
                    type="button"
                    className="small"
                    onClick={() => play(keyOf(p), `${path(p)}/audio`)}
                    data-testid={`play-${p.name}`}
                  >
                    {t("prompts.play")}
                  </button>
                  <button
                    type="button"
                    className="small"
                    onClick={() => {
                      setTarget(p);
                      fileInput.current?.click();
                    }}
                    data-testid={`upload-${p.name}`}
                  >
                    {t("prompts.upload")}
                  </button>
                  {p.replaced ? (
                    <button
                      type="button"
                      className="small danger"
                      onClick={() => restore(p)}
                      data-testid={`restore-${p.name}`}
                    >
                      {t("prompts.restore")}
                    </button>
                  ) : null}
                </>
              ),
            },
          ]}
          showLoading
          testId="prompts-table"
        />
      </div>
      <MusicSection />
    </section>
  );
}

function SourceBadge(props: { uploaded: boolean; testId: string }) {
  const { t } = useI18n();
  return (
    <span className={props.uploaded ? "badge state-talking" : "badge"} data-testid={props.testId}>
      {t(props.uploaded ? "prompts.replaced" : "prompts.shipped")}
    </span>
  );
}

function MusicSection() {
  const { t } = useI18n();
  const notify = useNotify();
  const [items, setItems] = useState<Music[]>();
  const [failure, setFailure] = useState<unknown>();
  const [name, setName] = useState("");
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const [dialog, ask] = useConfirm();
  const { play, player } = usePlayer((_key, error) => setFailure(error));

  const load = useCallback(async () => {
    try {
      setItems((await api.get<Static<typeof MusicList>>("/music")).items);
    } catch (error) {
      setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const add = async () => {
    if (!file) return;
    setBusy(true);
    try {
      await wavRequest("PUT", `/music/${encodeURIComponent(name)}`, file);
      setFailure(undefined);
      notify(t("music.added", { name }));
      setName("");
      setFile(undefined);
      form.current?.reset();
      await load();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (m: Music) => {
    const what = t("music.deleteWhat", { name: m.name });
    if (!(await ask(t("common.confirmDelete", { what })))) return;
    try {
      await api.delete(`/music/${encodeURIComponent(m.name)}`);
      setFailure(undefined);
      notify(t("common.deleted", { what }));
      await load();
    } catch (error) {
      setFailure(error);
    }
  };

  return (
    <div className="card" data-testid="music-section">
      <h2>{t("music.title")}</h2>
      <p className="muted">{t("music.intro")}</p>
      <FormFailure failure={failure} />
      <DataTable
        rows={items}
        rowKey={(m) => m.name}
        rowAttributes={(m) => ({ "data-testid": `music-row-${m.name}` })}
        columns={[
          {
            label: "prompts.name",
            className: "mono",
            cell: (m) => (
              <>
                {m.name}
                {player(m.name)}
              </>
            ),
          },
          { label: "prompts.duration", cell: (m) => t("prompts.seconds", { n: seconds(m.durationMs) }) },
          {
            label: "prompts.source",
            cell: (m) => <SourceBadge uploaded={!m.shipped} testId={`music-source-${m.name}`} />,
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
                  onClick={() => play(m.name, `/music/${encodeURIComponent(m.name)}/audio`)}
                >
                  {t("prompts.play")}
                </button>
                {m.shipped ? null : (
                  <button
                    type="button"
                    className="small danger"
                    onClick={() => remove(m)}
                    data-testid={`delete-music-${m.name}`}
                  >
                    {t("common.delete")}
                  </button>
                )}
              </>
            ),
          },
        ]}
        showLoading
        testId="music-table"
      />
      <form
        ref={form}
        className="field-grid pairs"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <div className="field">
          <label htmlFor="music-name">{t("music.name")}</label>
          <input
            id="music-name"
            value={name}
            pattern="[a-z0-9-]{1,40}"
            required
            placeholder="a-z, 0-9, -"
            onChange={(e) => setName(e.target.value)}
            data-testid="music-name"
          />
        </div>
        <div className="field">
          <label htmlFor="music-file">{t("music.file")}</label>
          <input
            id="music-file"
            type="file"
            accept={ACCEPT}
            required
            onChange={(e) => setFile(e.target.files?.[0])}
            data-testid="music-file"
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || !file} data-testid="music-upload">
            {t("music.add")}
          </button>
        </div>
      </form>
      {dialog}
    </div>
  );
}
