/**
 * The dial plan page's route tester (dry run, issue 23's route explainer): POST /dialplan/test
 * shows the steps of the dial plan, every candidate (analyze record or default rule, line, trunk,
 * local user) tried or skipped and why, and the outcome the real call gets (the call engine decides
 * with the same code, src/routing/route-explainer.ts).
 */
import { type FormEvent, useState } from "react";
import type { FieldSpec, FormValues } from "../components/fields";
import { errorsFor, FieldInput, FormFailure } from "../components/form";
import { Unavailable } from "../components/ui";
import { type Translate, useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import type { RouteTestResult } from "../lib/api-types";

type Candidate = RouteTestResult["candidates"][number];

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

export function RouteTester() {
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
          <h3>{t("route.outcome")}</h3>
          <Outcome result={result} />
          <h3>{t("route.candidates")}</h3>
          <Candidates candidates={result.candidates} />
          {result.live ? null : (
            <p className="muted" data-testid="test-not-live">
              {t("route.notLive")}
            </p>
          )}
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

/** What the real call gets: refused with a status and why, or where it goes. */
function Outcome({ result }: { result: RouteTestResult }) {
  const { t } = useI18n();
  const o = result.outcome;
  let text: string;
  if (o.kind === "refuse")
    text = t("route.outcome.refuse", { status: o.status ?? 0, reason: o.reason ?? "" });
  else if (o.kind === "outbound")
    text = t("route.outcome.outbound", { number: o.number ?? "", carriers: (o.carriers ?? []).join(" → ") });
  else if (o.kind === "ringing-group")
    text = t("route.outcome.ringing-group", { number: o.number ?? "", group: o.groupId ?? 0 });
  else if (o.kind === "script")
    text = t("route.outcome.script", { number: o.number ?? "", script: o.script ?? "" });
  else text = t(`route.outcome.${o.kind}` as MessageKey, { number: o.number ?? "" });
  return (
    <div
      className={o.kind === "refuse" ? "route-outcome refused" : "route-outcome"}
      data-testid="test-outcome"
      data-kind={o.kind}
      data-status={o.status === undefined ? undefined : String(o.status)}
    >
      <strong>{text}</strong>
      {o.detail ? (
        <p className="mono" data-testid="test-outcome-detail">
          {o.detail}
        </p>
      ) : null}
    </div>
  );
}

function candidateName(c: Candidate, t: Translate): string {
  if (c.kind === "route") {
    if (c.via === "default") return t(`route.rule.${c.id}` as MessageKey);
    return c.id === "analyze" ? t("route.analyze") : t("route.record", { id: c.id });
  }
  return `${t(`route.kind.${c.kind}` as MessageKey)} ${c.id}`;
}

/** Every candidate looked at, in order: tried, or skipped with the reason. */
function Candidates({ candidates }: { candidates: Candidate[] }) {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table data-testid="test-candidates">
        <thead>
          <tr>
            <th>#</th>
            <th>{t("route.col.candidate")}</th>
            <th>{t("route.col.via")}</th>
            <th>{t("route.col.verdict")}</th>
          </tr>
        </thead>
        <tbody>
          {candidates.map((c, i) => (
            <tr
              // biome-ignore lint/suspicious/noArrayIndexKey: the candidates are an ordered, fixed list
              key={i}
              data-testid={`candidate-${c.kind}-${c.id}`}
              data-tried={String(c.tried)}
              data-skip={c.skip}
            >
              <td>{i + 1}</td>
              <td>{candidateName(c, t)}</td>
              <td>{t(`route.via.${c.via}` as MessageKey)}</td>
              <td>
                {c.tried ? (
                  <span className="badge state-online">
                    {t("route.tried")}
                    {c.number === undefined ? "" : ` ${c.number}`}
                  </span>
                ) : (
                  <>
                    <span className="badge state-ringing">
                      {t(`route.skip.${c.skip ?? "no-match"}` as MessageKey)}
                    </span>{" "}
                    <span className="muted" data-testid="candidate-reason">
                      {c.reason}
                    </span>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
