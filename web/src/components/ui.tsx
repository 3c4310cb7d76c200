/** Small building blocks shared by the pages. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";

export function PageHeader(props: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{props.title}</h1>
      <div className="page-actions">{props.children}</div>
    </header>
  );
}

export function StateBadge(props: { state: string; testId?: string }) {
  const { t } = useI18n();
  return (
    <span className={`badge state-${props.state}`} data-state={props.state} data-testid={props.testId}>
      <span className="dot" aria-hidden="true" />
      {t(`state.${props.state}` as MessageKey)}
    </span>
  );
}

export function Unavailable(props: { what: string }) {
  const { t } = useI18n();
  return (
    <div className="card unavailable" data-testid="unavailable">
      <h2>{t("common.unavailable")}</h2>
      <p>{t("common.unavailableDetail", { what: props.what })}</p>
    </div>
  );
}

export function Pager(props: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  const { t } = useI18n();
  const { offset, limit, total } = props;
  if (total === 0) return null;
  return (
    <nav className="pager" aria-label={t("common.pages")}>
      <span>{t("common.pageOf", { from: offset + 1, to: Math.min(offset + limit, total), total })}</span>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => props.onChange(Math.max(0, offset - limit))}
      >
        {t("common.previous")}
      </button>
      <button
        type="button"
        disabled={offset + limit >= total}
        onClick={() => props.onChange(offset + limit)}
        data-testid="next-page"
      >
        {t("common.next")}
      </button>
    </nav>
  );
}

interface Confirm {
  message: string;
  action: string;
  resolve: (ok: boolean) => void;
}

/** A confirmation dialog: `await ask(message)` is true when the user confirmed. */
export function useConfirm(): [ReactNode, (message: string, action?: string) => Promise<boolean>] {
  const { t } = useI18n();
  const [pending, setPending] = useState<Confirm>();
  const confirmButton = useRef<HTMLButtonElement>(null);
  const ask = useCallback(
    (message: string, action?: string) =>
      new Promise<boolean>((resolve) =>
        setPending({ message, action: action ?? t("common.delete"), resolve }),
      ),
    [t],
  );
  useEffect(() => {
    if (pending) confirmButton.current?.focus();
  }, [pending]);
  const close = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(undefined);
  };
  const element = pending ? (
    <div className="modal-backdrop">
      <div
        className="modal card"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-message"
        onKeyDown={(e) => e.key === "Escape" && close(false)}
      >
        <p id="confirm-message">{pending.message}</p>
        <div className="form-actions">
          <button type="button" onClick={() => close(false)} data-testid="confirm-cancel">
            {t("common.cancel")}
          </button>
          <button
            type="button"
            className="danger"
            ref={confirmButton}
            onClick={() => close(true)}
            data-testid="confirm-ok"
          >
            {pending.action}
          </button>
        </div>
      </div>
    </div>
  ) : null;
  return [element, ask];
}

const NoticeContext = createContext<(message: string) => void>(() => {});

export function NoticeProvider({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  const [notice, setNotice] = useState<{ message: string; key: number; lang: string }>();
  useEffect(() => {
    if (notice === undefined) return;
    const timer = setTimeout(() => setNotice(undefined), 4000);
    return () => clearTimeout(timer);
  }, [notice]);
  const notify = useCallback((message: string) => setNotice({ message, key: Date.now(), lang }), [lang]);
  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <div className="notice-area" aria-live="polite">
        {notice && notice.lang === lang ? (
          <div className="notice" key={notice.key} data-testid="notice">
            {notice.message}
          </div>
        ) : null}
      </div>
    </NoticeContext.Provider>
  );
}

export function useNotify(): (message: string) => void {
  return useContext(NoticeContext);
}

export function formatTime(iso: string | undefined, lang: string): string {
  if (iso === undefined) return "";
  return new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${m}:${ss}`;
}
