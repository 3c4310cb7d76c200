/**
 * The auto-attendant's actions as form fields (a kind select and its target), shared by the menu
 * and office-hours editors (auto-attendant.tsx, auto-attendant-times.tsx).
 */
import type { Static } from "typebox";
import type { MenuAction } from "../../../src/api/routes/auto-attendant";
import type { FieldSpec, FormValues } from "../components/fields";
import type { MessageKey } from "../i18n/en";

export type Action = Static<typeof MenuAction>;

export const ACTION_KINDS = [
  "user",
  "number",
  "group",
  "menu",
  "voicemail",
  "repeat",
  "back",
  "operator",
  "hangup",
] as const satisfies Action["kind"][];
/** The kinds whose target names something (the others send target ""). */
export const TARGETED: readonly string[] = ["user", "number", "group", "menu", "voicemail"];

export const kindOptions = (kinds: readonly string[], none?: MessageKey) => [
  ...(none === undefined ? [] : [{ value: "", label: none }]),
  ...kinds.map((k) => ({ value: k, label: `opt.aa.${k}` as MessageKey })),
];

/** A kind select and its target, shown while the kind needs one. */
export function actionFields(
  path: string,
  label: MessageKey,
  target: MessageKey,
  kinds: readonly string[],
  none?: MessageKey,
  params?: Record<string, string>,
): FieldSpec[] {
  return [
    {
      path: `${path}.kind`,
      kind: "select",
      label,
      options: kindOptions(kinds, none),
      ...(params ? { labelParams: params } : {}),
    },
    {
      path: `${path}.target`,
      kind: "text",
      label: target,
      ...(params ? { labelParams: params } : {}),
      when: (v) => TARGETED.includes(String(v[`${path}.kind`] ?? "")),
    },
  ];
}

/** An action from the form, whole (kind and target go together), or undefined for none. */
export function actionOf(values: FormValues, path: string): Action | undefined {
  const kind = String(values[`${path}.kind`] ?? "");
  if (kind === "") return undefined;
  const target = TARGETED.includes(kind) ? String(values[`${path}.target`] ?? "").trim() : "";
  return { kind: kind as Action["kind"], target };
}
