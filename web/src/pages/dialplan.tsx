/**
 * The dial plan (FEATURES.md section 5): analyze called number, transitions, refine called number,
 * the dial plans themselves, and the dry-run route tester that shows each step.
 */
import { useState } from "react";
import type { FieldGroup } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { PageHeader } from "../components/ui";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import type { RouteType, TransitionType } from "../lib/api-types";
import { EmergencyNumbers } from "./emergency-numbers";
import { RouteTester } from "./route-tester";

const ROUTE_TYPES = [
  "local-user",
  "external-line",
  "sip-trunk",
  "ringing-group",
  "auto-attendant",
  "script",
  "reject",
] as const satisfies RouteType[];
const TRANSITION_TYPES = ["delete", "replace", "insert"] as const satisfies TransitionType[];

const ANALYZE_GROUPS: FieldGroup[] = [
  {
    title: "group.record",
    fields: [
      { path: "dialPlan", kind: "text", label: "col.dialPlan" },
      { path: "prefix", kind: "text", label: "col.prefix" },
      {
        path: "routeType",
        kind: "select",
        label: "col.routeType",
        options: ROUTE_TYPES.map((r) => ({ value: r, label: `opt.routeType.${r}` as MessageKey })),
      },
      {
        path: "externalLine",
        kind: "text",
        label: "col.externalLine",
        when: (v) => v.routeType === "external-line",
      },
      {
        path: "outgoingGroupId",
        kind: "int",
        label: "col.outgoingGroupId",
        when: (v) => v.routeType === "external-line",
      },
      { path: "sipTrunk", kind: "text", label: "col.sipTrunk", when: (v) => v.routeType === "sip-trunk" },
      {
        path: "ringingGroupId",
        kind: "int",
        label: "col.ringingGroupId",
        when: (v) => v.routeType === "ringing-group",
      },
      { path: "script", kind: "text", label: "col.script", when: (v) => v.routeType === "script" },
      { path: "rejectStatus", kind: "int", label: "col.rejectStatus", when: (v) => v.routeType === "reject" },
      { path: "changeNumber", kind: "bool", label: "col.changeNumber" },
      { path: "transitionId", kind: "int", label: "col.transitionId" },
      { path: "reanalyze", kind: "bool", label: "col.reanalyze" },
      { path: "callRight", kind: "int", label: "col.callRight" },
    ],
  },
];
const ANALYZE_DEFAULTS: Row = {
  dialPlan: "default",
  prefix: "",
  routeType: "local-user",
  externalLine: "",
  outgoingGroupId: 0,
  sipTrunk: "",
  ringingGroupId: 0,
  script: "",
  rejectStatus: 0,
  changeNumber: false,
  transitionId: 0,
  reanalyze: false,
  callRight: 0,
};

const TRANSITION_GROUPS: FieldGroup[] = [
  {
    title: "group.record",
    fields: [
      { path: "id", kind: "int", label: "col.id" },
      {
        path: "type",
        kind: "select",
        label: "col.type",
        options: TRANSITION_TYPES.map((r) => ({ value: r, label: `opt.transition.${r}` as MessageKey })),
      },
      { path: "start", kind: "int", label: "col.start" },
      { path: "length", kind: "int", label: "col.length" },
      { path: "text", kind: "text", label: "col.text" },
    ],
  },
];

const REFINE_GROUPS: FieldGroup[] = [
  {
    title: "group.record",
    fields: [
      { path: "outgoingGroupId", kind: "int", label: "col.outgoingGroupId" },
      { path: "prefix", kind: "text", label: "col.prefix" },
      { path: "transitionId", kind: "int", label: "col.transitionId" },
    ],
  },
];

const PLAN_GROUPS: FieldGroup[] = [
  {
    title: "group.record",
    fields: [
      { path: "name", kind: "text", label: "col.name" },
      { path: "users", kind: "csv", label: "col.users" },
    ],
  },
];

const TABS = ["analyze", "transitions", "refine", "plans", "emergency", "tester"] as const;
type Tab = (typeof TABS)[number];

export function DialPlanPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>("analyze");
  return (
    <section data-testid="page-dialplan">
      <PageHeader title={t("dp.title")} />
      <div className="tabs" role="tablist">
        {TABS.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            className={tab === name ? "active" : undefined}
            onClick={() => setTab(name)}
            data-testid={`tab-${name}`}
          >
            {t(`dp.${name}` as MessageKey)}
          </button>
        ))}
      </div>
      {tab === "analyze" ? (
        <TableEditor
          path="/dialplan/analyze"
          keyOf={(row) => String(row.id)}
          columns={[
            textColumn("col.dialPlan", "dialPlan", t),
            textColumn("col.prefix", "prefix", t),
            {
              label: "col.routeType",
              cell: (row) => t(`opt.routeType.${String(row.routeType)}` as MessageKey),
            },
            {
              label: "dp.route",
              cell: (row) => String(row.externalLine || row.sipTrunk || row.script || row.rejectStatus || ""),
            },
            textColumn("col.transitionId", "transitionId", t),
            textColumn("col.reanalyze", "reanalyze", t),
            textColumn("col.callRight", "callRight", t),
          ]}
          groups={ANALYZE_GROUPS}
          defaults={ANALYZE_DEFAULTS}
          newLabel="dp.newRecord"
          deleteWhat="dp.deleteWhat"
          featureName={t("dp.analyze")}
          testId="analyze"
        />
      ) : null}
      {tab === "transitions" ? (
        <TableEditor
          path="/dialplan/transitions"
          keyOf={(row) => String(row.id)}
          columns={[
            textColumn("col.id", "id", t),
            { label: "col.type", cell: (row) => t(`opt.transition.${String(row.type)}` as MessageKey) },
            textColumn("col.start", "start", t),
            textColumn("col.length", "length", t),
            textColumn("col.text", "text", t),
          ]}
          groups={TRANSITION_GROUPS}
          defaults={{ id: "", type: "delete", start: 0, length: 0, text: "" }}
          newLabel="dp.newRecord"
          deleteWhat="dp.deleteWhat"
          featureName={t("dp.transitions")}
          testId="transitions"
        />
      ) : null}
      {tab === "refine" ? (
        <TableEditor
          path="/dialplan/refine"
          keyOf={(row) => String(row.id)}
          columns={[
            textColumn("col.outgoingGroupId", "outgoingGroupId", t),
            textColumn("col.prefix", "prefix", t),
            textColumn("col.transitionId", "transitionId", t),
          ]}
          groups={REFINE_GROUPS}
          defaults={{ outgoingGroupId: 1, prefix: "", transitionId: 1 }}
          newLabel="dp.newRecord"
          deleteWhat="dp.deleteWhat"
          featureName={t("dp.refine")}
          testId="refine"
        />
      ) : null}
      {tab === "plans" ? (
        <TableEditor
          path="/dialplans"
          keyOf={(row) => String(row.name)}
          columns={[textColumn("col.name", "name", t), textColumn("col.users", "users", t)]}
          groups={PLAN_GROUPS}
          defaults={{ name: "", users: [] }}
          newLabel="dp.newRecord"
          deleteWhat="dp.deleteWhat"
          featureName={t("dp.plans")}
          testId="plans"
        />
      ) : null}
      {tab === "emergency" ? <EmergencyNumbers /> : null}
      {tab === "tester" ? <RouteTester /> : null}
    </section>
  );
}
