/**
 * Form fields described as data: a path into the API object (`forwarding.busy.number`,
 * `followMe.destinations[0]`), a kind that says how the text typed becomes the API's value, and a
 * label key. Values are kept as typed (strings and booleans), so an API error never loses input.
 */
import type { MessageKey } from "../i18n/en";

export type FieldKind =
  | "text"
  | "password"
  | "int"
  | "nullableInt"
  | "bool"
  | "select"
  | "lines"
  | "csv"
  | "csvInt";

export interface FieldSpec {
  path: string;
  kind: FieldKind;
  label: MessageKey;
  labelParams?: Record<string, string | number>;
  hint?: MessageKey;
  hintParams?: Record<string, string | number>;
  /** select: values and their labels; `numeric` sends the value as a number. */
  options?: ReadonlyArray<{ value: string; label: MessageKey }>;
  numeric?: boolean;
  /** Shown only while another field has a value (e.g. maxDevices while multiDevice). */
  when?: (values: FormValues) => boolean;
  autoComplete?: string;
}

export type FormValues = Record<string, string | boolean>;

function segments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.split(".")) {
    const match = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      out.push(part);
      continue;
    }
    out.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

export function getPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const key of segments(path)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = segments(path);
  let current: Record<string | number, unknown> = object;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      current[key] = value;
      return;
    }
    const nextIsIndex = typeof keys[i + 1] === "number";
    current[key] ??= nextIsIndex ? [] : {};
    current = current[key] as Record<string | number, unknown>;
  });
}

/** The API object's values as the form shows them. */
export function toFormValues(object: unknown, specs: readonly FieldSpec[]): FormValues {
  const values: FormValues = {};
  for (const spec of specs) {
    const value = getPath(object, spec.path);
    if (spec.kind === "bool") values[spec.path] = value === true;
    else if (spec.kind === "password") values[spec.path] = "";
    else if (spec.kind === "lines") values[spec.path] = Array.isArray(value) ? value.join("\n") : "";
    else if (spec.kind === "csv" || spec.kind === "csvInt")
      values[spec.path] = Array.isArray(value) ? value.join(", ") : "";
    else values[spec.path] = value === undefined || value === null ? "" : String(value);
  }
  return values;
}

/**
 * The form's values as the API's body. A number field holding something that is not a number is
 * sent as typed, so the API's validator names the field (the UI keeps no second set of rules).
 */
export function toBody(
  values: FormValues,
  specs: readonly FieldSpec[],
  skip: (spec: FieldSpec, value: string | boolean) => boolean = () => false,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = values[spec.path];
    if (value === undefined || skip(spec, value)) continue;
    if (typeof value === "boolean") {
      setPath(body, spec.path, value);
      continue;
    }
    const text = value;
    let out: unknown = text;
    if (spec.kind === "int" || (spec.kind === "select" && spec.numeric)) out = integerOrText(text);
    else if (spec.kind === "nullableInt") out = text.trim() === "" ? null : integerOrText(text);
    else if (spec.kind === "lines")
      out = text
        .split("\n")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    else if (spec.kind === "csv" || spec.kind === "csvInt") {
      const items = text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      out = spec.kind === "csvInt" ? items.map(integerOrText) : items;
    }
    setPath(body, spec.path, out);
  }
  return body;
}

function integerOrText(text: string): number | string {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : text;
}

/** The form field an API error names: `ipAuthorization[1]` belongs to the `ipAuthorization` field. */
export function fieldOf(errorField: string, specs: readonly FieldSpec[]): string | undefined {
  if (specs.some((s) => s.path === errorField)) return errorField;
  const withoutIndex = errorField.replace(/\[\d+\]$/, "");
  if (specs.some((s) => s.path === withoutIndex)) return withoutIndex;
  // A whole object named (e.g. `forwarding.busy`): its first field.
  return specs.find((s) => s.path.startsWith(`${errorField}.`))?.path;
}
