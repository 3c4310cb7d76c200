/**
 * Script triggers (issue 18; FEATURES.md section 6, "Service scripts"): records that run a Lua
 * service script at a detection point of the call lifecycle, for calls of a dial plan to a
 * called-number prefix, in order. The record as the API, the CLI, the web UI and the script
 * service see it, and its validation, which names the field of every error.
 */
import type { FieldError } from "./errors.js";

/** The call lifecycle's detection points a script can be triggered at (docs/call-lifecycle.md). */
export const TRIGGER_POINTS = [
  "attempted",
  "reachesCallee",
  "busy",
  "noAnswer",
  "unreachable",
  "answered",
  "ended",
] as const;
export type TriggerPoint = (typeof TRIGGER_POINTS)[number];

export interface ScriptTrigger {
  id: number;
  domainId: number;
  point: TriggerPoint;
  dialPlan: string /* "" = any dial plan */;
  prefix: string /* called-number prefix, "" = any */;
  script: string /* script name, SCRIPT_NAME pattern */;
  order: number;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type NewScriptTrigger = Pick<ScriptTrigger, "point" | "script"> &
  Partial<Pick<ScriptTrigger, "dialPlan" | "prefix" | "order" | "enabled">>;
export type ScriptTriggerPatch = Partial<NewScriptTrigger>;

export const SCRIPT_TRIGGER_DEFAULTS = { dialPlan: "", prefix: "", order: 0, enabled: true };

/**
 * A script's name: the same pattern as src/scripting/script-files.ts's SCRIPT_NAME (the store may
 * not import the scripting layer; test/store/script-triggers.test.ts checks the two agree).
 */
export const SCRIPT_NAME_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const MAX_TRIGGER_ORDER = 9999;
/** A dialable prefix: digits and `*`, `#`, `+` (as the dial plan's analyze records). */
const PREFIX = /^[0-9*#+]{0,32}$/;
/** A dial plan's name (routing-model.ts), or "" for any. */
const DIAL_PLAN = /^([A-Za-z0-9._-]{1,64})?$/;

export function isTriggerPoint(value: unknown): value is TriggerPoint {
  return typeof value === "string" && (TRIGGER_POINTS as readonly string[]).includes(value);
}

/** Checks a whole trigger (as created, or as a patch leaves it); an empty list means valid. */
export function validateScriptTrigger(input: NewScriptTrigger): FieldError[] {
  const t = { ...SCRIPT_TRIGGER_DEFAULTS, ...definedFields(input) };
  const errors: FieldError[] = [];
  if (!isTriggerPoint(t.point))
    errors.push({ field: "point", message: `must be one of ${TRIGGER_POINTS.join(", ")}` });
  if (typeof t.script !== "string" || !SCRIPT_NAME_PATTERN.test(t.script))
    errors.push({ field: "script", message: "must be a script name: 1-64 of a-z, 0-9, _ and -" });
  if (typeof t.dialPlan !== "string" || !DIAL_PLAN.test(t.dialPlan))
    errors.push({ field: "dialPlan", message: 'must be a dial plan\'s name ("" = any dial plan)' });
  if (typeof t.prefix !== "string" || !PREFIX.test(t.prefix))
    errors.push({ field: "prefix", message: 'must be 0-32 of digits, *, #, + ("" = any number)' });
  if (!(Number.isInteger(t.order) && t.order >= 0 && t.order <= MAX_TRIGGER_ORDER))
    errors.push({ field: "order", message: `must be a whole number from 0 to ${MAX_TRIGGER_ORDER}` });
  if (typeof t.enabled !== "boolean") errors.push({ field: "enabled", message: "must be true or false" });
  return errors;
}

/** Orders triggers as they run: by detection point (lifecycle order), then order, then id. */
export function compareTriggers(a: ScriptTrigger, b: ScriptTrigger): number {
  return (
    TRIGGER_POINTS.indexOf(a.point) - TRIGGER_POINTS.indexOf(b.point) || a.order - b.order || a.id - b.id
  );
}

function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
