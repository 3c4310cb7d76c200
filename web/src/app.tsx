/** The shell: sign-in gate, navigation (a sidebar on a desktop, a menu on a phone), the pages. */
import { type ReactNode, useEffect, useState } from "react";
import { useI18n } from "./i18n";
import type { MessageKey } from "./i18n/en";
import { api } from "./lib/api";
import { navigate, useRoute } from "./lib/router";
import { CdrsPage } from "./pages/cdrs";
import { DashboardPage } from "./pages/dashboard";
import { DialPlanPage } from "./pages/dialplan";
import { LinesPage, TrunksPage } from "./pages/lines";
import { RegistrationsPage } from "./pages/registrations";
import { SettingsPage } from "./pages/settings";
import { SignInPage } from "./pages/sign-in";
import { UserEditPage } from "./pages/user-edit";
import { UsersPage } from "./pages/users";

const NAV: ReadonlyArray<{ route: string; label: MessageKey }> = [
  { route: "dashboard", label: "nav.dashboard" },
  { route: "users", label: "nav.users" },
  { route: "lines", label: "nav.lines" },
  { route: "trunks", label: "nav.trunks" },
  { route: "dialplan", label: "nav.dialplan" },
  { route: "cdrs", label: "nav.cdrs" },
  { route: "registrations", label: "nav.registrations" },
  { route: "settings", label: "nav.settings" },
];

export function App() {
  const [signedIn, setSignedIn] = useState(api.signedIn);
  const [reason, setReason] = useState<"expired" | "signedOut">();
  useEffect(() => {
    api.onUnauthorized = () => {
      setReason("expired");
      setSignedIn(false);
    };
  }, []);
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
    <Shell
      onSignOut={async () => {
        await api.signOut();
        setReason("signedOut");
        setSignedIn(false);
      }}
    />
  );
}

function Shell(props: { onSignOut: () => void }) {
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const page = route[0] ?? "dashboard";
  const title = t(NAV.find((item) => item.route === page)?.label ?? "nav.dashboard");
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
          <button
            type="button"
            onClick={() => setLang(lang === "en" ? "zh" : "en")}
            aria-label={t("lang.label")}
            data-testid="language"
          >
            {t("lang.switch")}
          </button>
          <button type="button" onClick={props.onSignOut} data-testid="sign-out">
            {t("nav.signOut")}
          </button>
        </div>
      </header>
      <nav id="sidebar" className="sidebar" aria-label={t("nav.menu")}>
        {NAV.map((item) => (
          <a
            key={item.route}
            href={`#/${item.route}`}
            className={page === item.route ? "active" : undefined}
            aria-current={page === item.route ? "page" : undefined}
            data-testid={`nav-${item.route}`}
            onClick={() => setMenuOpen(false)}
          >
            {t(item.label)}
          </a>
        ))}
      </nav>
      <main className="content">{pageFor(route)}</main>
    </div>
  );
}

function pageFor(route: string[]): ReactNode {
  const [page, sub] = route;
  switch (page) {
    case "users":
      return sub === undefined ? (
        <UsersPage />
      ) : (
        <UserEditPage key={sub} name={sub === "new" ? undefined : sub} />
      );
    case "lines":
      return <LinesPage />;
    case "trunks":
      return <TrunksPage />;
    case "dialplan":
      return <DialPlanPage />;
    case "cdrs":
      return <CdrsPage />;
    case "registrations":
      return <RegistrationsPage />;
    case "settings":
      return <SettingsPage />;
    case "dashboard":
      return <DashboardPage />;
    default:
      navigate("dashboard");
      return null;
  }
}
