/**
 * One service script open for editing (issue 18: scripts "edited and validated (syntax checked
 * on save) in the web UI"): a textarea with a gutter of line numbers, Check (compiles without
 * saving), Save (PUT: refused unless it compiles) and Delete. A syntax error is shown with its
 * line and that line is marked in the gutter; the server's message leads with `line N:`
 * (src/api/routes/scripts.ts's scriptError), which is where the line comes from.
 */
import { type KeyboardEvent, useRef, useState } from "react";
import { FormFailure } from "../components/form";
import { useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { ApiFailure, api } from "../lib/api";
import "./scripts.css";

const SCRIPT_NAME = /^[a-z0-9_-]{1,64}$/;

/** A refused save or check: the syntax error's line and what it says, else the failure as it is. */
export interface SourceError {
  line?: number;
  message: string;
}

export function sourceErrorOf(failure: unknown): SourceError | undefined {
  if (!(failure instanceof ApiFailure)) return undefined;
  const error = failure.errors.find((e) => e.field === "source");
  if (error === undefined) return undefined;
  const m = /^line (\d+): (.*)$/s.exec(error.message);
  return m ? { line: Number(m[1]), message: m[2] ?? "" } : { message: error.message };
}

export interface ScriptEditorProps {
  /** undefined: a new script, named in the editor. */
  name: string | undefined;
  /** The text as on the server ("" for a new script). */
  source: string;
  /** After a save or a delete: the list reloads (and opens the saved script by name). */
  onSaved: (name: string) => void;
  onDeleted: () => void;
  onClose: () => void;
}

export function ScriptEditor(props: ScriptEditorProps) {
  const { t } = useI18n();
  const notify = useNotify();
  const [dialog, ask] = useConfirm();
  const [name, setName] = useState(props.name ?? "");
  const [text, setText] = useState(props.source);
  const [saved, setSaved] = useState(props.source);
  const [failure, setFailure] = useState<unknown>();
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);
  const gutter = useRef<HTMLPreElement>(null);
  const isNew = props.name === undefined;
  const error = sourceErrorOf(failure);
  const lines = text.split("\n").length;
  const path = `/scripts/${encodeURIComponent(name)}`;

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setNote(undefined);
    try {
      setNote(await action());
      setFailure(undefined);
    } catch (caught) {
      setFailure(caught);
    } finally {
      setBusy(false);
    }
  };
  const check = () =>
    run(async () => {
      await api.post(`${path}/check`, { source: text });
      return t("scripts.compiles", { name });
    });
  const save = () =>
    run(async () => {
      await api.put(path, { source: text });
      setSaved(text);
      notify(t("scripts.saved", { name }));
      props.onSaved(name);
      return t("scripts.saved", { name });
    });
  const remove = async () => {
    if (!(await ask(t("scripts.deleteConfirm", { name }), t("scripts.delete")))) return;
    await run(async () => {
      await api.delete(path);
      props.onDeleted();
      return "";
    });
  };
  const close = async () => {
    if (text !== saved && !(await ask(t("scripts.closeConfirm", { name }), t("scripts.close")))) return;
    props.onClose();
  };
  // Tab indents (two spaces) instead of leaving the editor; Escape then Tab still leaves it.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== "Tab" || event.shiftKey) return;
    event.preventDefault();
    const area = event.currentTarget;
    const { selectionStart: start, selectionEnd: end } = area;
    const next = `${text.slice(0, start)}  ${text.slice(end)}`;
    setText(next);
    requestAnimationFrame(() => area.setSelectionRange(start + 2, start + 2));
  };
  const nameValid = SCRIPT_NAME.test(name);

  return (
    <div className="card" data-testid="script-editor" data-script={props.name ?? ""}>
      <div className="script-toolbar">
        {isNew ? (
          <label>
            {t("scripts.name")}{" "}
            <input
              data-testid="script-name"
              value={name}
              placeholder={t("scripts.nameHint")}
              pattern="[a-z0-9_-]{1,64}"
              onChange={(e) => setName(e.currentTarget.value)}
            />
          </label>
        ) : (
          <strong data-testid="script-name">{name}.lua</strong>
        )}
        {text !== saved ? <span className="muted">({t("scripts.unsaved")})</span> : null}
        <span className="script-spacer" />
        <button
          type="button"
          disabled={busy || !nameValid}
          onClick={() => void check()}
          data-testid="script-check"
        >
          {t("scripts.check")}
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || !nameValid}
          onClick={() => void save()}
          data-testid="script-save"
        >
          {t("scripts.save")}
        </button>
        {isNew ? null : (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => void remove()}
            data-testid="script-delete"
          >
            {t("scripts.delete")}
          </button>
        )}
        <button type="button" onClick={() => void close()} data-testid="script-close">
          {t("scripts.close")}
        </button>
      </div>
      {error !== undefined ? (
        <div className="banner error" role="alert" data-testid="script-error" data-line={error.line ?? ""}>
          {error.line === undefined
            ? error.message
            : t("scripts.errorAt", { line: error.line, message: error.message })}
        </div>
      ) : (
        <FormFailure failure={failure} />
      )}
      {note ? (
        <p className="muted" data-testid="script-note">
          {note}
        </p>
      ) : null}
      <div className="script-editor">
        <pre className="script-gutter" ref={gutter} aria-hidden="true" data-testid="script-gutter">
          {Array.from({ length: lines }, (_, i) => i + 1).map((n) => (
            <span key={n} className={error?.line === n ? "error-line" : undefined} data-line={n}>
              {n}
            </span>
          ))}
        </pre>
        <textarea
          className="script-source"
          data-testid="script-source"
          aria-label={t("scripts.source")}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      {dialog}
    </div>
  );
}
