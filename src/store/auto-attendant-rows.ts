/**
 * The auto-attendant's rows (migration 009) as records and back: a menu's and a time condition's
 * settings are one JSON document, read over the defaults (a row written by hand with a field
 * missing still reads as a whole record).
 */
import type { Selectable } from "kysely";
import type { AutoAttendantTables } from "./auto-attendant-migration.js";
import {
  type AutoAttendantEntry,
  type AutoAttendantMenu,
  type Destination,
  type EntryKind,
  MENU_DEFAULTS,
  type MenuFields,
  TIME_CONDITION_DEFAULTS,
  type TimeCondition,
  type TimeConditionFields,
} from "./auto-attendant-model.js";

function parse(data: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    // A row written by hand with broken JSON: the defaults, still listed and editable.
    return {};
  }
}

export function toMenu(r: Selectable<AutoAttendantTables["auto_attendant_menus"]>): AutoAttendantMenu {
  return {
    ...MENU_DEFAULTS,
    ...(parse(r.data) as Partial<MenuFields>),
    id: Number(r.id),
    domainId: Number(r.domain_id),
    name: r.name,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toTimeCondition(
  r: Selectable<AutoAttendantTables["auto_attendant_time_conditions"]>,
): TimeCondition {
  const hangup: Destination = { kind: "hangup", target: "" };
  return {
    inHours: hangup,
    outOfHours: hangup,
    ...TIME_CONDITION_DEFAULTS,
    ...(parse(r.data) as Partial<TimeConditionFields>),
    id: Number(r.id),
    domainId: Number(r.domain_id),
    name: r.name,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toEntry(r: Selectable<AutoAttendantTables["auto_attendant_entries"]>): AutoAttendantEntry {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    kind: r.kind as EntryKind,
    key: r.entry_key,
    menu: r.menu,
    timeCondition: r.time_condition,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** A patch's fields that are set (an explicit undefined changes nothing). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The record's own fields, without id, domain and times: what `data` holds (name apart). */
export function document<T extends { name: string }>(fields: T): string {
  const { name: _name, ...rest } = fields as T & Record<string, unknown>;
  for (const key of ["id", "domainId", "createdAt", "updatedAt"]) delete rest[key];
  return JSON.stringify(rest);
}
