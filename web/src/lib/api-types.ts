/**
 * The payloads of the REST API as the UI reads and sends them, taken from the API's own TypeBox
 * schemas (src/api/schemas.ts, src/api/routing-schemas.ts) rather than copied: a change to a schema
 * that the UI depends on fails `tsc -p web/tsconfig.json`. Every import here is type-only, so no
 * server code reaches the browser bundle (verbatimModuleSyntax keeps `import type` honest).
 */
import type { Static } from "typebox";
import type { ErrorBodyType } from "../../../src/api/errors";
import type { ParkedCallItem } from "../../../src/api/routes/parked";
import type { SettingValue } from "../../../src/api/routes/settings";
import type { SubscriptionItem } from "../../../src/api/routes/subscriptions";
import type { SystemSetting } from "../../../src/api/routes/system-settings";
import type { DialPlanTestResult } from "../../../src/api/routing-schemas";
import type {
  ActiveCallItem,
  BanItem,
  BanList as BanListSchema,
  CdrListQuery,
  CdrPage as CdrPageSchema,
  Cdr as CdrSchema,
  RegistrationList as RegistrationListSchema,
  Registration as RegistrationSchema,
  Status,
  UserPage as UserPageSchema,
  User as UserSchema,
} from "../../../src/api/schemas";

/** A local user as GET /users/{name} returns it. */
export type User = Static<typeof UserSchema>;
export type UserPage = Static<typeof UserPageSchema>;
/** A user's live state, as /users and the live view report it. */
export type UserState = User["state"];
/** The fields a new user starts with in the form: every stored field the administrator sets. */
export type NewUser = Omit<User, "id" | "domainId" | "createdAt" | "updatedAt" | "state">;

export type Registration = Static<typeof RegistrationSchema>;
export type RegistrationList = Static<typeof RegistrationListSchema>;
/** A live SUBSCRIBE dialog (GET /subscriptions), e.g. a phone's message-waiting subscription. */
export type Subscription = Static<typeof SubscriptionItem>;
export type Ban = Static<typeof BanItem>;
export type BanList = Static<typeof BanListSchema>;

export type Cdr = Static<typeof CdrSchema>;
export type CdrPage = Static<typeof CdrPageSchema>;
export type Disposition = Cdr["disposition"];
/** The filters of GET /cdrs and /cdrs.csv (without paging). */
export type CdrFilters = Omit<Static<typeof CdrListQuery>, "offset" | "limit">;

/** A call in progress, as /calls and the live view's snapshot carry it. */
export type ActiveCall = Static<typeof ActiveCallItem>;
/** A parked call, as /parked and the live view's snapshot carry it. */
export type ParkedCall = Static<typeof ParkedCallItem>;
/** One setting of GET /system-settings: its value in use, its source, whether it changes at run time. */
export type SystemSettingItem = Static<typeof SystemSetting>;

/**
 * One `snapshot` event of GET /events (src/api/admin/live-snapshot.ts). NOTE: the API declares no
 * schema for this event (the route describes it in prose), so its frame and its line entries
 * (LineStatus of src/api/types.ts, which is not imported: it would bring the call engine and the
 * router into this typecheck) are spelled here, once; users, calls and parked calls are the API's own
 * types.
 */
export interface LiveSnapshot {
  at: string;
  /** `presence` when the server has presence (what a watcher sees, src/api/presence-schema.ts). */
  users: Array<Pick<User, "name" | "displayName" | "state" | "presence">>;
  calls: ActiveCall[];
  registrations: number;
  lines: Array<{
    kind: "external-line" | "sip-trunk";
    name: string;
    state: "online" | "offline" | "unknown";
    activeCalls: number;
  }>;
  /** The parked calls; absent when the server has no parking lot. */
  parked?: ParkedCall[];
}

/**
 * GET /status. The schema gives `counts` as an object whose every property is an integer
 * (`additionalProperties`), which TypeBox's Static does not carry; this says it.
 */
export type ServerStatus = Omit<Static<typeof Status>, "counts"> & { counts: Record<string, number> };
/** GET /settings: the effective start-up settings by name (the route's schema, inline there). */
export interface Settings {
  items: Record<string, SettingValue>;
}

/**
 * The route types of analyze called number and the kinds of transition: routing-schemas.ts builds
 * its unions from these (its line, trunk and dial plan table schemas are typed as a plain TObject,
 * so their Statics name no fields: the tables' rows stay records in the UI).
 */
export type { RouteType, TransitionType } from "../../../src/routing/types";

/**
 * POST /dialplan/test. The schema gives `route` and each step as open objects (any properties);
 * TypeBox's Static makes those `object`, which has no properties to read, so this says "a record".
 */
export type RouteTestResult = Omit<Static<typeof DialPlanTestResult>, "route" | "steps"> & {
  route: Record<string, unknown>;
  steps: Array<Record<string, unknown>>;
};

/**
 * POST /session and GET /session. NOTE: src/api/routes/session.ts keeps its schemas (SignIn,
 * SessionCreated, SessionState) to itself, so the fields the UI uses are spelled here, once; they
 * become Statics as soon as the route exports them.
 */
export type SignIn = { password: string } | { token: string };
export interface SessionCreated {
  token: string;
  idleTimeout: number;
  expiresIn: number;
}
export interface SessionState {
  kind: "session" | "token";
  idleTimeout: number;
  expiresIn?: number;
}

/** Every error body: `{ error, message, errors? }` (src/api/errors.ts). */
export type ErrorBody = ErrorBodyType;
export type FieldError = NonNullable<ErrorBody["errors"]>[number];
