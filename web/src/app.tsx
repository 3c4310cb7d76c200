/** The shell: sign-in gate, navigation (a sidebar on a desktop, a menu on a phone), the pages. */
import { lazy, type ReactNode, Suspense, useEffect, useState } from "react";
import { TenantSwitcher } from "./components/tenant-switcher";
import { useI18n } from "./i18n";
import { api } from "./lib/api";
import { navigate, useRoute } from "./lib/router";
import { TenantProvider, useTenant } from "./lib/tenant";
import { SignInPage } from "./pages/sign-in";
import { HOME, ROUTES, routeOf } from "./routes";

/** The web phone (a user's page, no admin sign-in), loaded only when opened: JsSIP stays out of the admin's bundle. */
const PhonePage = lazy(() => import("./pages/phone/phone-page").then((m) => ({ default: m.PhonePage })));

export function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(api.signedIn);
  const [reason, setReason] = useState<"expired" | "signedOut">();
  useEffect(() => {
    api.onUnauthorized = () => {
      setReason("expired");
      setSignedIn(false);
    };
  }, []);
  if (route[0] === "phone")
    return (
      <Suspense fallback={null}>
        <PhonePage />
      </Suspense>
    );
  if (!signedIn) {
    return (
      <SignInPage
        reason={reason}
        onSignedIn={() => {
          setReason(undefined);
          setSignedIn(true);
        }}
      />
    );
  }
  return (
    <TenantProvider>
      <Shell
        onSignOut={async () => {
          await api.signOut();
          setReason("signedOut");
          setSignedIn(false);
        }}
      />
    </TenantProvider>
  );
}

function Shell(props: { onSignOut: () => void }) {
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  // The provider's pages (Tenants) only for the provider; the pages start again in another tenant.
  const { scope, ready, acting } = useTenant();
  const provider = scope?.provider ?? false;
  const page = route[0] ?? HOME.page;
  const title = t((routeOf(page) ?? HOME).label);
  useEffect(() => {
    document.title = `${title} · Parley`;
  }, [title]);
  return (
    <div className={`shell${menuOpen ? " menu-open" : ""}`}>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen(!menuOpen)}
          data-testid="menu-button"
        >
          <span aria-hidden="true">☰</span> {t("nav.menu")}
        </button>
        <a className="brand" href="#/dashboard">
          <span className="logo" aria-hidden="true">
            P
          </span>
          <span>{t("app.name")}</span>
          <small>{t("app.tagline")}</small>
        </a>
        <div className="topbar-actions">
          <TenantSwitcher place="top" />
          <button
            type="button"
            onClick={() => setLang(lang === "en" ? "zh" : "en")}
            aria-label={t("lang.label")}
            data-testid="language"
          >
            {t("lang.switch")}
          </button>
          <a className="button" href="#/phone" target="_blank" rel="noopener" data-testid="open-phone">
            {t("phone.open")}
          </a>
          <button type="button" onClick={props.onSignOut} data-testid="sign-out">
            {t("nav.signOut")}
          </button>
        </div>
      </header>
      <nav id="sidebar" className="sidebar" aria-label={t("nav.menu")}>
        <TenantSwitcher place="menu" />
        {ROUTES.filter((item) => provider || !item.providerOnly).map((item) => (
          <a
            key={item.page}
            href={`#/${item.page}`}
            className={page === item.page ? "active" : undefined}
            aria-current={page === item.page ? "page" : undefined}
            data-testid={`nav-${item.page}`}
            onClick={() => setMenuOpen(false)}
          >
            {t(item.label)}
          </a>
        ))}
      </nav>
      <main className="content" key={acting ?? ""}>
        {pageFor(route, provider, ready)}
      </main>
    </div>
  );
}

function pageFor([page = HOME.page, ...rest]: string[], provider: boolean, known: boolean): ReactNode {
  const found = routeOf(page);
  // A provider's page waits for GET /tenant; anyone else is sent home from it.
  if (found?.providerOnly && !provider) {
    if (!known) return null;
  } else if (found !== undefined) return found.render(rest);
  navigate(HOME.page);
  return null;
}
