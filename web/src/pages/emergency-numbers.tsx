/**
 * The emergency numbers table (issue 23), a tab of the dial plan page: any local user may dial
 * these (with or without the out-group prefix, whatever its call right and the black list); each
 * leaves on its line first, then on the lines the out-group prefix uses. Errors name the field.
 */
import type { Static } from "typebox";
import type { EmergencyNumberItem } from "../../../src/api/routes/emergency-numbers";
import type { FieldGroup } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { useI18n } from "../i18n";

type EmergencyNumber = Static<typeof EmergencyNumberItem>;

const GROUPS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "number", kind: "text", label: "col.emergencyNumber", hint: "hint.emergencyNumber" },
      { path: "line", kind: "text", label: "col.emergencyLine", hint: "hint.emergencyLine" },
      { path: "description", kind: "text", label: "col.emergencyDescription" },
    ],
  },
];

const DEFAULTS: Row = { number: "", line: "", description: "" } satisfies Pick<
  EmergencyNumber,
  "number" | "line" | "description"
>;

export function EmergencyNumbers() {
  const { t } = useI18n();
  return (
    <div data-testid="emergency-numbers">
      <p className="muted">{t("emergency.help")}</p>
      <TableEditor
        path="/emergency-numbers"
        keyOf={(row) => String(row.number)}
        columns={[
          textColumn("col.emergencyNumber", "number", t),
          { label: "col.emergencyLine", cell: (row) => String(row.line || t("emergency.noLine")) },
          textColumn("col.emergencyDescription", "description", t),
        ]}
        groups={GROUPS}
        defaults={DEFAULTS}
        newLabel="emergency.new"
        deleteWhat="emergency.deleteWhat"
        featureName={t("emergency.title")}
        testId="emergency"
      />
    </div>
  );
}
