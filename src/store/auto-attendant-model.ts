/**
 * The auto-attendant (IVR; issue 17, FEATURES.md section 6) as data, per domain: menus (a
 * greeting, an action per key, direct dialling of extensions, timeouts and tries), time
 * conditions (office hours: a weekly schedule, holiday dates and a time zone choosing what
 * answers) and entry points (which menu or time condition answers an external line, a local
 * user flagged "automatic attendant", or a number). The API, the CLI and the service see these
 * records; auto-attendant-validation.ts checks them, naming the field of every error.
 */

/** The keys of a telephone keypad a menu can give an action. */
export const MENU_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"] as const;
export type MenuKey = (typeof MENU_KEYS)[number];

/**
 * What a key (or a timeout, or too many invalid entries) does:
 * - user: rings a local user (target: its name);
 * - number: routes a number through the dial plan, with the caller's rights (target: the number);
 * - group: rings a ringing group or hunt group by its number (target: the number);
 * - menu: goes to another menu (target: its name), a sub-menu;
 * - voicemail: the voicemail of a user (target: its name);
 * - repeat: plays the menu again; back: the menu the caller came from (repeat at the top);
 * - operator: the menu's operator number; hangup: "goodbye" and the call ends.
 */
export const MENU_ACTION_KINDS = [
  "user",
  "number",
  "group",
  "menu",
  "voicemail",
  "repeat",
  "back",
  "operator",
  "hangup",
] as const;
export type MenuActionKind = (typeof MENU_ACTION_KINDS)[number];

/** The kinds whose target names something (the others have target ""). */
export const TARGETED_KINDS: readonly MenuActionKind[] = ["user", "number", "group", "menu", "voicemail"];

export interface MenuAction {
  kind: MenuActionKind;
  target: string;
}

/** A menu. (domain, name) is unique. */
export interface AutoAttendantMenu {
  id: number;
  domainId: number;
  /** The menu's name, its key in URLs and CLI arguments. */
  name: string;
  description: string;
  /**
   * The system prompts played in turn as the greeting, by catalogue name; an uploaded greeting
   * in the caller's language (the media server's language) plays instead when there is one.
   */
  greeting: string[];
  /** The action of each key that has one. */
  keys: Partial<Record<MenuKey, MenuAction>>;
  /** An extension number may be dialled at any time (its digits end by the inter-digit timeout or #). */
  directDial: boolean;
  /** Seconds to wait for the first key after the greeting. */
  firstDigitTimeout: number;
  /** Seconds to wait for each next digit of an extension number. */
  interDigitTimeout: number;
  /** The longest extension number dialled. */
  maxDigits: number;
  /** Timeouts (and, separately, invalid entries) tolerated before their action. */
  tries: number;
  /** What happens after `tries` timeouts in a row. */
  timeoutAction: MenuAction;
  /** What happens after `tries` invalid entries. */
  invalidAction: MenuAction;
  /** The number the "operator" action routes; "" = none. */
  operator: string;
  createdAt: number;
  updatedAt: number;
}

export type MenuFields = Omit<AutoAttendantMenu, "id" | "domainId" | "createdAt" | "updatedAt">;
export type NewMenu = Pick<MenuFields, "name"> & Partial<Omit<MenuFields, "name">>;
export type MenuPatch = Partial<MenuFields>;

/** The menu every domain has: miniSIPServer's "welcome, please enter the extension number". */
export const DEFAULT_MENU_NAME = "default";
export const DEFAULT_MENU_DESCRIPTION = "Welcome, please enter the extension number.";

export const MENU_DEFAULTS: Omit<MenuFields, "name"> = {
  description: "",
  greeting: ["welcome", "enter-extension"],
  keys: {},
  directDial: true,
  firstDigitTimeout: 5,
  interDigitTimeout: 3,
  maxDigits: 8,
  tries: 3,
  timeoutAction: { kind: "hangup", target: "" },
  invalidAction: { kind: "hangup", target: "" },
  operator: "",
};

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One stretch of office hours: on these days, from `from` until `to` (HH:MM, local time). */
export interface OfficeHours {
  days: Weekday[];
  from: string;
  to: string;
}

/** The kinds a time condition may send a call to: a menu, at once a user, number, group or voicemail, or goodbye. */
export const DESTINATION_KINDS = ["menu", "user", "number", "group", "voicemail", "hangup"] as const;

/** A time condition's destination. */
export interface Destination {
  kind: (typeof DESTINATION_KINDS)[number];
  target: string;
}

/** A time condition. (domain, name) is unique. */
export interface TimeCondition {
  id: number;
  domainId: number;
  name: string;
  /** IANA time zone the schedule and holidays are read in, e.g. "Asia/Shanghai". */
  timeZone: string;
  /** In hours when "now" falls in one of these (and is no holiday). */
  schedule: OfficeHours[];
  /** Closed all day: "YYYY-MM-DD" (that date) or "MM-DD" (every year). */
  holidays: string[];
  inHours: Destination;
  outOfHours: Destination;
  /** On a holiday; null = as out of hours. */
  holiday: Destination | null;
  createdAt: number;
  updatedAt: number;
}

export type TimeConditionFields = Omit<TimeCondition, "id" | "domainId" | "createdAt" | "updatedAt">;
export type NewTimeCondition = Pick<TimeConditionFields, "name" | "inHours" | "outOfHours"> &
  Partial<Omit<TimeConditionFields, "name" | "inHours" | "outOfHours">>;
export type TimeConditionPatch = Partial<TimeConditionFields>;

export const TIME_CONDITION_DEFAULTS = {
  timeZone: "UTC",
  schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" }] as OfficeHours[],
  holidays: [] as string[],
  holiday: null as Destination | null,
};

/**
 * Where calls enter the auto-attendant: an external line's incoming calls (its transferTo is
 * "auto-attendant"; key: the line's account), a local user flagged "automatic attendant" (key:
 * its name), or a number dialled (key: the number; FEATURES.md's dial plan route). Without an
 * entry, a line or user goes to the default menu.
 */
export const ENTRY_KINDS = ["line", "user", "number"] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface AutoAttendantEntry {
  id: number;
  domainId: number;
  kind: EntryKind;
  key: string;
  /** The menu that answers, or "" when a time condition chooses. */
  menu: string;
  /** The time condition that chooses, or "". Exactly one of menu and timeCondition is set. */
  timeCondition: string;
  createdAt: number;
  updatedAt: number;
}

export type NewEntry = Pick<AutoAttendantEntry, "kind" | "key"> &
  Partial<Pick<AutoAttendantEntry, "menu" | "timeCondition">>;
export type EntryPatch = Partial<Pick<AutoAttendantEntry, "menu" | "timeCondition">>;
