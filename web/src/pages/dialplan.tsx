/**
 * The dial plan (FEATURES.md section 5): analyze called number, transitions, refine called number,
 * the dial plans themselves, and the dry-run route tester that shows each step.
 */
import { type FormEvent, useState } from "react";
import type { FieldSpec, FormValues } from "../components/fields";
import { errorsFor, type FieldGroup, FieldInput, FormFailure } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { PageHeader, Unavailable } from "../components/ui";
import { type Translate, useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import type { RouteTestResult, RouteType, TransitionType } from "../lib/api-types";

const ROUTE_TYPES = [
  "local-user",
  "external-line",
  "sip-trunk",
  "ringing-group",
  "auto-attendant",
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

const TABS = ["analyze", "transitions", "refine", "plans", "tester"] as const;
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
              cell: (row) => String(row.externalLine || row.sipTrunk || row.rejectStatus || ""),
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
      {tab === "tester" ? <RouteTester /> : null}
    </section>
  );
}

const TESTER_FIELDS: FieldSpec[] = [
  { path: "caller", kind: "text", label: "dp.caller" },
  { path: "number", kind: "text", label: "dp.number" },
  {
    path: "origin",
    kind: "select",
    label: "dp.origin",
    options: [
      { value: "user", label: "dp.origin.user" },
      { value: "line", label: "dp.origin.line" },
      { value: "trunk", label: "dp.origin.trunk" },
    ],
  },
];

function RouteTester() {
  const { t } = useI18n();
  const [values, setValues] = useState<FormValues>({ caller: "100", number: "", origin: "user" });
  const [result, setResult] = useState<RouteTestResult>();
  const [failure, setFailure] = useState<unknown>();
  const [unavailable, setUnavailable] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      setResult(await api.post<RouteTestResult>("/dialplan/test", values));
      setFailure(undefined);
    } catch (error) {
      if (
        error instanceof ApiFailure &&
        error.status === 404 &&
        error.code === "not_found" &&
        /route/.test(error.message)
      )
        setUnavailable(true);
      else setFailure(error);
    }
  };
  if (unavailable) return <Unavailable what={t("dp.tester")} />;
  return (
    <div className="card" data-testid="route-tester">
      <p className="muted">{t("dp.testerHint")}</p>
      <form onSubmit={submit} noValidate>
        <FormFailure failure={failure} specs={TESTER_FIELDS} />
        <div className="field-grid">
          {TESTER_FIELDS.map((spec) => (
            <FieldInput
              key={spec.path}
              spec={spec}
              value={values[spec.path] ?? ""}
              onChange={(v) => setValues({ ...values, [spec.path]: v })}
              errors={errorsFor(failure, spec.path, TESTER_FIELDS)}
            />
          ))}
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" data-testid="run-test">
            {t("dp.run")}
          </button>
        </div>
      </form>
      {result ? (
        <div className="test-result" data-testid="test-result">
          <h3>{t("dp.result")}</h3>
          <p className="route-summary" data-testid="test-route" data-kind={String(result.route.kind)}>
            {routeText(result.route, t)}
          </p>
          <h3>{t("dp.steps")}</h3>
          <ol className="steps" data-testid="test-steps">
            {result.steps.map((step, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the steps are an ordered, fixed list
              <li key={i} data-step={String(step.step)}>
                {stepText(step, t)}
              </li>
            ))}
          </ol>
          {result.attempts.length > 0 ? (
            <>
              <h3>{t("dp.attempts")}</h3>
              <ul className="plain">
                {result.attempts.map((a) => (
                  <li key={`${a.kind}:${a.id}`}>
                    {t(a.kind === "trunk" ? "opt.routeType.sip-trunk" : "opt.routeType.external-line")}{" "}
                    <strong>{a.id}</strong>: <span className="mono">{a.number}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function routeText(route: Record<string, unknown>, t: Translate): string {
  const kind = String(route.kind);
  const label = t(`opt.routeType.${kind}` as MessageKey);
  if (kind === "reject") return `${label}: ${String(route.status)} ${String(route.reason ?? "")}`;
  const target = route.line || route.trunk;
  return `${label}${target ? ` ${String(target)}` : ""} → ${String(route.number ?? "")}`;
}

function stepText(step: Record<string, unknown>, t: Translate): string {
  switch (step.step) {
    case "analyze": {
      const record = step.record as Record<string, unknown> | undefined;
      const match = record
        ? t("dp.step.match", {
            prefix: String(record.prefix),
            route: t(`opt.routeType.${String(record.routeType)}` as MessageKey),
          })
        : t("dp.step.noMatch");
      return t("dp.step.analyze", { number: String(step.number), plan: String(step.dialPlan), match });
    }
    case "transition":
      return t("dp.step.transition", {
        id: String(step.transitionId),
        before: String(step.before),
        after: String(step.after),
      });
    case "call-right":
      return t("dp.step.callRight", { caller: String(step.caller), required: String(step.required) });
    case "default":
      return t("dp.step.default", { rule: String(step.rule), number: String(step.number) });
    case "refine":
      return t("dp.step.refine", {
        group: String(step.outgoingGroupId),
        before: String(step.before),
        after: String(step.after),
      });
    default:
      return JSON.stringify(step);
  }
}
