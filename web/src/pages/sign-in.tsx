/**
 * Sign-in with the administrator password, or the API token; a tenant's administrator names the
 * tenant too (issue 21), which every request of the session then carries.
 */
import { type FormEvent, useState } from "react";
import type { FieldSpec } from "../components/fields";
import { FieldInput, FormFailure } from "../components/form";
import { useI18n } from "../i18n";
import { ApiFailure, api } from "../lib/api";
import type { FieldError } from "../lib/api-types";

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
  const [tenant, setTenant] = useState("");
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const spec: FieldSpec = useToken
    ? { path: "token", kind: "password", label: "signIn.token", autoComplete: "off" }
    : { path: "password", kind: "password", label: "signIn.password", autoComplete: "current-password" };
  const tenantSpec: FieldSpec = {
    path: "tenant",
    kind: "text",
    label: "signIn.tenant",
    hint: "signIn.tenantHint",
    autoComplete: "organization",
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      await api.signIn(
        useToken ? { token: secret } : { password: secret },
        tenantOf(tenant, useToken, secret),
      );
      props.onSignedIn();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  const errors = failure instanceof ApiFailure ? failure.errors.filter((e) => e.field === spec.path) : [];
  // A tenant the server does not know answers 404 before any password is checked.
  const unknownTenant = failure instanceof ApiFailure && failure.status === 404 && tenant.trim() !== "";
  const tenantErrors: FieldError[] = unknownTenant
    ? [{ field: "tenant", message: t("signIn.unknownTenant") }]
    : [];
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
        {errors.length === 0 && !unknownTenant ? <FormFailure failure={failure} specs={[spec]} /> : null}
        <FieldInput
          spec={tenantSpec}
          value={tenant}
          onChange={(v) => setTenant(String(v))}
          errors={tenantErrors}
        />
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

/** The tenant typed, else the one a tenant's API token names (`pt.<tenant>.<secret>`), else none. */
function tenantOf(typed: string, useToken: boolean, secret: string): string | undefined {
  if (typed.trim() !== "") return typed.trim();
  return useToken ? /^pt\.([a-z0-9-]+)\./.exec(secret)?.[1] : undefined;
}
