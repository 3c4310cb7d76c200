/**
 * The web phone's sign-in: an extension and its SIP password (not the administrator's). The same
 * password then registers over the WebSocket, so it is kept in memory by the phone only.
 */
import { type FormEvent, useState } from "react";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { ApiFailure } from "../../lib/api";
import { PhoneApi, type PhoneMe } from "./phone-api";
import { askNotificationPermission, unlockAudio } from "./phone-media";

export interface SignedIn {
  readonly api: PhoneApi;
  readonly me: PhoneMe;
  readonly password: string;
}

function failureText(failure: unknown, t: (key: MessageKey, p?: Record<string, string | number>) => string) {
  if (!(failure instanceof ApiFailure)) return String(failure);
  if (failure.status === 0) return t("phone.networkDown");
  const retryAfter = (failure as ApiFailure & { retryAfter?: number }).retryAfter ?? 0;
  if (retryAfter > 0) return t("phone.throttled", { seconds: retryAfter });
  if (failure.errors.some((e) => e.field === "user" && e.message === "is disabled"))
    return t("phone.disabled");
  if (failure.status === 401 || failure.status === 400) return t("phone.wrongPassword");
  return failure.message;
}

export function PhoneSignIn(props: { expired: boolean; onSignedIn: (s: SignedIn) => void }) {
  const { t, lang, setLang } = useI18n();
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Both need a click: the ring's audio context may play, the browser may ask about notifications.
    unlockAudio();
    askNotificationPermission();
    setBusy(true);
    setFailure(undefined);
    const api = new PhoneApi();
    try {
      await api.signIn(user.trim(), password);
      props.onSignedIn({ api, me: await api.me(), password });
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate data-testid="phone-sign-in">
        <div className="brand big">
          <span className="logo" aria-hidden="true">
            P
          </span>
          <span>{t("app.name")}</span>
          <small>{t("phone.title")}</small>
        </div>
        <h1>{t("phone.signInTitle")}</h1>
        {props.expired ? (
          <div className="banner info" data-testid="phone-expired">
            {t("phone.expired")}
          </div>
        ) : null}
        <p className="muted">{t("phone.signInIntro")}</p>
        {failure === undefined ? null : (
          <div className="banner error" role="alert" data-testid="phone-sign-in-error">
            {failureText(failure, t)}
          </div>
        )}
        <label className="field">
          <span>{t("phone.user")}</span>
          <input
            value={user}
            onChange={(e) => setUser(e.target.value)}
            autoComplete="username"
            inputMode="numeric"
            data-testid="phone-user"
          />
        </label>
        <label className="field">
          <span>{t("phone.password")}</span>
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            data-testid="phone-password"
          />
        </label>
        <button
          type="submit"
          className="primary wide"
          disabled={busy || user.trim() === "" || password === ""}
          data-testid="phone-submit"
        >
          {t("phone.signIn")}
        </button>
        <div className="sign-in-links">
          <a href="#/">{t("phone.adminLink")}</a>
          <button
            type="button"
            className="link"
            onClick={() => setLang(lang === "en" ? "zh" : "en")}
            data-testid="phone-language"
          >
            {t("lang.switch")}
          </button>
        </div>
      </form>
    </div>
  );
}
