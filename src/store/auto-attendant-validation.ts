/**
 * Checks of the auto-attendant's records (auto-attendant-model.ts): each error names its field
 * in the API's vocabulary (`keys[1].target`, `schedule[0].from`). What only the store can tell
 * (the user, menu or time condition a record names exists) is the repository's.
 */
import {
  DESTINATION_KINDS,
  ENTRY_KINDS,
  MENU_ACTION_KINDS,
  MENU_KEYS,
  type MenuAction,
  type MenuFields,
  type NewEntry,
  TARGETED_KINDS,
  type TimeConditionFields,
  WEEKDAYS,
} from "./auto-attendant-model.js";
import type { FieldError } from "./errors.js";

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const NAME_MESSAGE = "must be 1-64 of letters, digits, '.', '_', '-'";
const USER = /^[A-Za-z0-9._-]{1,32}$/;
const USER_MESSAGE = "must be a user name (1-32 of letters, digits, '.', '_', '-')";
const NUMBER = /^[0-9*#+]{1,32}$/;
const NUMBER_MESSAGE = "must be 1-32 of the keys 0-9, *, # and +";
const PROMPT = /^[a-z0-9-]{1,64}$/;
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;
const DATE = /^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

/** A key's field as the API's schema errors name it: `keys[1]` for a digit, `keys.*` otherwise. */
export function keyField(key: string): string {
  return /^\d+$/.test(key) ? `keys[${key}]` : `keys.${key}`;
}

export function nameError(field: string, value: unknown): FieldError | undefined {
  return typeof value === "string" && NAME.test(value) ? undefined : { field, message: NAME_MESSAGE };
}

function int(field: string, value: unknown, min: number, max: number, what = ""): FieldError | undefined {
  if (Number.isInteger(value) && (value as number) >= min && (value as number) <= max) return undefined;
  return { field, message: `must be a whole number${what} from ${min} to ${max}` };
}

/** An action's kind and target; `allowed` narrows the kinds (a time condition has no operator). */
export function actionErrors(
  field: string,
  value: unknown,
  allowed: readonly string[] = MENU_ACTION_KINDS,
): FieldError[] {
  if (typeof value !== "object" || value === null)
    return [{ field, message: "must be an object with kind and target" }];
  const a = value as Partial<MenuAction>;
  if (typeof a.kind !== "string" || !allowed.includes(a.kind))
    return [{ field: `${field}.kind`, message: `must be one of ${allowed.join(", ")}` }];
  const target = a.target ?? "";
  const at = `${field}.target`;
  if (typeof target !== "string") return [{ field: at, message: "must be a string" }];
  if (!TARGETED_KINDS.includes(a.kind))
    return target === "" ? [] : [{ field: at, message: `must be "" for ${a.kind}` }];
  if ((a.kind === "user" || a.kind === "voicemail") && !USER.test(target))
    return [{ field: at, message: USER_MESSAGE }];
  if ((a.kind === "number" || a.kind === "group") && !NUMBER.test(target))
    return [{ field: at, message: NUMBER_MESSAGE }];
  if (a.kind === "menu" && !NAME.test(target)) return [{ field: at, message: `${NAME_MESSAGE} (a menu)` }];
  return [];
}

/** A whole menu (as created, or as a patch leaves it); an empty list means valid. */
export function validateMenu(m: MenuFields): FieldError[] {
  const errors: FieldError[] = [];
  const push = (e: FieldError | undefined) => {
    if (e !== undefined) errors.push(e);
  };
  push(nameError("name", m.name));
  if (typeof m.description !== "string" || m.description.length > 200)
    errors.push({ field: "description", message: "must be a string of at most 200 characters" });
  if (!Array.isArray(m.greeting) || m.greeting.length > 10)
    errors.push({ field: "greeting", message: "must be a list of at most 10 prompt names" });
  else
    m.greeting.forEach((p, i) => {
      if (typeof p !== "string" || !PROMPT.test(p))
        errors.push({ field: `greeting[${i}]`, message: "must be a prompt name" });
    });
  if (typeof m.keys !== "object" || m.keys === null || Array.isArray(m.keys))
    errors.push({ field: "keys", message: "must be an object from keys (0-9, *, #) to actions" });
  else
    for (const [key, action] of Object.entries(m.keys)) {
      if (!(MENU_KEYS as readonly string[]).includes(key))
        errors.push({ field: keyField(key), message: "must be one of the keys 0-9, *, #" });
      else errors.push(...actionErrors(keyField(key), action));
    }
  if (typeof m.directDial !== "boolean")
    errors.push({ field: "directDial", message: "must be true or false" });
  push(int("firstDigitTimeout", m.firstDigitTimeout, 1, 60, " of seconds"));
  push(int("interDigitTimeout", m.interDigitTimeout, 1, 30, " of seconds"));
  push(int("maxDigits", m.maxDigits, 1, 32));
  push(int("tries", m.tries, 1, 10));
  errors.push(...actionErrors("timeoutAction", m.timeoutAction));
  errors.push(...actionErrors("invalidAction", m.invalidAction));
  if (typeof m.operator !== "string" || (m.operator !== "" && !NUMBER.test(m.operator)))
    errors.push({ field: "operator", message: `must be "" or ${NUMBER_MESSAGE.slice(5)}` });
  const usesOperator = [...Object.values(m.keys ?? {}), m.timeoutAction, m.invalidAction].some(
    (a) => a?.kind === "operator",
  );
  if (usesOperator && m.operator === "")
    errors.push({ field: "operator", message: "must be set: an action is operator" });
  return errors;
}

/** Whether an IANA time zone name is one Intl knows (Node ships the full ICU data). */
export function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== "string" || zone === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A whole time condition; an empty list means valid. */
export function validateTimeCondition(t: TimeConditionFields): FieldError[] {
  const errors: FieldError[] = [];
  const n = nameError("name", t.name);
  if (n) errors.push(n);
  if (!isTimeZone(t.timeZone))
    errors.push({ field: "timeZone", message: 'must be an IANA time zone name, e.g. "Europe/Paris"' });
  if (!Array.isArray(t.schedule) || t.schedule.length > 32)
    errors.push({ field: "schedule", message: "must be a list of at most 32 office hours" });
  else
    t.schedule.forEach((h, i) => {
      const at = `schedule[${i}]`;
      if (typeof h !== "object" || h === null) {
        errors.push({ field: at, message: "must be an object with days, from and to" });
        return;
      }
      if (
        !Array.isArray(h.days) ||
        h.days.length === 0 ||
        h.days.some((d) => !(WEEKDAYS as readonly string[]).includes(d))
      )
        errors.push({ field: `${at}.days`, message: `must be a non-empty list of ${WEEKDAYS.join(", ")}` });
      const from = typeof h.from === "string" && HHMM.test(h.from) && h.from !== "24:00";
      if (!from) errors.push({ field: `${at}.from`, message: "must be a time HH:MM (00:00-23:59)" });
      if (typeof h.to !== "string" || !HHMM.test(h.to))
        errors.push({ field: `${at}.to`, message: "must be a time HH:MM (00:01-24:00)" });
      else if (from && h.to <= h.from) errors.push({ field: `${at}.to`, message: "must be later than from" });
    });
  if (!Array.isArray(t.holidays) || t.holidays.length > 366)
    errors.push({ field: "holidays", message: "must be a list of at most 366 dates" });
  else
    t.holidays.forEach((d, i) => {
      if (typeof d !== "string" || !DATE.test(d))
        errors.push({
          field: `holidays[${i}]`,
          message: "must be a date YYYY-MM-DD, or MM-DD for every year",
        });
    });
  errors.push(...actionErrors("inHours", t.inHours, DESTINATION_KINDS));
  errors.push(...actionErrors("outOfHours", t.outOfHours, DESTINATION_KINDS));
  if (t.holiday !== null) errors.push(...actionErrors("holiday", t.holiday, DESTINATION_KINDS));
  return errors;
}

/** An entry point; an empty list means valid. */
export function validateEntry(e: Required<NewEntry>): FieldError[] {
  const errors: FieldError[] = [];
  if (!(ENTRY_KINDS as readonly string[]).includes(e.kind))
    return [{ field: "kind", message: `must be one of ${ENTRY_KINDS.join(", ")}` }];
  const keyOk =
    typeof e.key === "string" &&
    (e.kind === "number" ? NUMBER.test(e.key) : /^[A-Za-z0-9._+*#-]{1,64}$/.test(e.key));
  if (!keyOk)
    errors.push({
      field: "key",
      message: e.kind === "number" ? NUMBER_MESSAGE : "must be a line's account or a user's name",
    });
  const menu = e.menu ?? "";
  const time = e.timeCondition ?? "";
  if ((menu === "") === (time === ""))
    errors.push({ field: "menu", message: "exactly one of menu and timeCondition must be set" });
  else if (menu !== "") {
    const m = nameError("menu", menu);
    if (m) errors.push(m);
  } else {
    const t = nameError("timeCondition", time);
    if (t) errors.push(t);
  }
  return errors;
}
