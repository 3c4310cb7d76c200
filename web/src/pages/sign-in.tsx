/** Sign-in with the administrator password, or the API token. */
import { type FormEvent, useState } from "react";
import type { FieldSpec } from "../components/fields";
import { FieldInput, FormFailure } from "../components/form";
import { useI18n } from "../i18n";
import { ApiFailure, api } from "../lib/api";

/**
 * The page came over plain HTTP from another machine (issue 22): the password about to be typed
 * crosses the network in clear.
 */
function plainHttpBeyondThisMachine(): boolean {
  const { protocol, hostname } = window.location;
  return protocol === "http:" && !/^(localhost|127\.[0-9.]+|\[::1\])$/.test(hostname);
}

export function SignInPage(props: { reason?: "expired" | "signedOut"; onSignedIn: () => void }) {
  const { t, lang, setLang } = useI18n();
  const [useToken, setUseToken] = useState(false);
  const [secret, setSecret] = useState("");
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const spec: FieldSpec = useToken
    ? { path: "token", kind: "password", label: "signIn.token", autoComplete: "off" }
    : { path: "password", kind: "password", label: "signIn.password", autoComplete: "current-password" };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      await api.signIn(useToken ? { token: secret } : { password: secret });
      props.onSignedIn();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  const errors = failure instanceof ApiFailure ? failure.errors.filter((e) => e.field === spec.path) : [];
  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate data-testid="sign-in">
        <div className="brand big">
          <span className="logo" aria-hidden="true">
            P
          </span>
          <span>{t("app.name")}</span>
        </div>
        <h1>{t("signIn.title")}</h1>
        {props.reason ? (
          <div className="banner info" data-testid="sign-in-reason">
            {t(props.reason === "expired" ? "signIn.expired" : "signIn.signedOut")}
          </div>
        ) : null}
        {plainHttpBeyondThisMachine() ? (
          <div className="banner error" role="alert" data-testid="sign-in-plain-http">
            {t("signIn.plainHttp")}
          </div>
        ) : null}
        <p className="muted">{t("signIn.intro")}</p>
        {errors.length === 0 ? <FormFailure failure={failure} specs={[spec]} /> : null}
        <FieldInput spec={spec} value={secret} onChange={(v) => setSecret(String(v))} errors={errors} />
        <button type="submit" className="primary wide" disabled={busy || secret === ""} data-testid="submit">
          {t("signIn.submit")}
        </button>
        <div className="sign-in-links">
          <button
            type="button"
            className="link"
            onClick={() => {
              setUseToken(!useToken);
              setFailure(undefined);
            }}
          >
            {t(useToken ? "signIn.usePassword" : "signIn.useToken")}
          </button>
          <a href="#/phone" data-testid="open-phone">
            {t("phone.open")}
          </a>
          <button type="button" className="link" onClick={() => setLang(lang === "en" ? "zh" : "en")}>
            {t("lang.switch")}
          </button>
        </div>
      </form>
    </div>
  );
}
