/**
 * Every page of the UI in the order the navigation lists them: the one table that the sidebar, the
 * page title and the page switch all read, so a new page is one entry here.
 */
import type { ReactNode } from "react";
import type { MessageKey } from "./i18n/en";
import { AutoAttendantPage } from "./pages/auto-attendant";
import { CallingCardsPage } from "./pages/calling-cards";
import { CdrsPage } from "./pages/cdrs";
import { ConferencePage } from "./pages/conference";
import { DashboardPage } from "./pages/dashboard";
import { DialPlanPage } from "./pages/dialplan";
import { FeatureCodesPage } from "./pages/feature-codes";
import { GroupsPage } from "./pages/groups";
import { LinesPage, TrunksPage } from "./pages/lines";
import { ListsPage } from "./pages/lists";
import { PromptsPage } from "./pages/prompts";
import { RecordingsPage } from "./pages/recordings";
import { RegistrationsPage } from "./pages/registrations";
import { ScriptsPage } from "./pages/scripts";
import { SettingsPage } from "./pages/settings";
import { TenantsPage } from "./pages/tenants";
import { UserEditPage } from "./pages/user-edit";
import { UsersPage } from "./pages/users";
import { VoicemailPage } from "./pages/voicemail";

export interface PageRoute {
  /** The hash's first segment: `#/users/100` is the page "users". */
  page: string;
  /** Its name in the navigation and the window title. */
  label: MessageKey;
  /** The page for the rest of the hash (`["100"]` for `#/users/100`). */
  render: (rest: string[]) => ReactNode;
  /** Only the provider has this page (issue 21: the tenants). */
  providerOnly?: boolean;
}

/** Where an empty or unknown hash leads (lib/router.ts reads an empty hash as this page too). */
export const HOME: PageRoute = { page: "dashboard", label: "nav.dashboard", render: () => <DashboardPage /> };

export const ROUTES: readonly PageRoute[] = [
  HOME,
  {
    page: "users",
    label: "nav.users",
    render: ([sub]) =>
      sub === undefined ? <UsersPage /> : <UserEditPage key={sub} name={sub === "new" ? undefined : sub} />,
  },
  { page: "lines", label: "nav.lines", render: () => <LinesPage /> },
  { page: "trunks", label: "nav.trunks", render: () => <TrunksPage /> },
  { page: "dialplan", label: "nav.dialplan", render: () => <DialPlanPage /> },
  { page: "groups", label: "nav.groups", render: () => <GroupsPage /> },
  { page: "auto-attendant", label: "nav.autoAttendant", render: () => <AutoAttendantPage /> },
  { page: "conference", label: "nav.conference", render: () => <ConferencePage /> },
  { page: "feature-codes", label: "nav.featureCodes", render: () => <FeatureCodesPage /> },
  { page: "lists", label: "nav.lists", render: () => <ListsPage /> },
  { page: "scripts", label: "nav.scripts", render: () => <ScriptsPage /> },
  { page: "calling-cards", label: "nav.callingCards", render: () => <CallingCardsPage /> },
  { page: "cdrs", label: "nav.cdrs", render: () => <CdrsPage /> },
  { page: "recordings", label: "nav.recordings", render: () => <RecordingsPage /> },
  { page: "registrations", label: "nav.registrations", render: () => <RegistrationsPage /> },
  { page: "voicemail", label: "nav.voicemail", render: () => <VoicemailPage /> },
  { page: "prompts", label: "nav.prompts", render: () => <PromptsPage /> },
  { page: "settings", label: "nav.settings", render: () => <SettingsPage /> },
  { page: "tenants", label: "nav.tenants", render: () => <TenantsPage />, providerOnly: true },
];

export function routeOf(page: string): PageRoute | undefined {
  return ROUTES.find((r) => r.page === page);
}
