/** A form of grouped fields whose API errors show beside the field they name. */
import { type FormEvent, type ReactNode, useId, useRef } from "react";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure } from "../lib/api";
import type { FieldError } from "../lib/api-types";
import { type FieldSpec, type FormValues, fieldOf } from "./fields";
import { useFirstErrorInView } from "./first-error";

export interface FieldGroup {
  title: MessageKey;
  fields: FieldSpec[];
  /** "pairs": two fields a row (a right and its number, as forwarding rules are). */
  layout?: "pairs";
}

export function FieldInput(props: {
  spec: FieldSpec;
  value: string | boolean;
  onChange: (value: string | boolean) => void;
  errors: FieldError[];
}) {
  const { spec, value, onChange, errors } = props;
  const { t, fieldMessage } = useI18n();
  const id = useId();
  const label = t(spec.label, spec.labelParams);
  const invalid = errors.length > 0;
  const describedBy = invalid ? `${id}-error` : spec.hint ? `${id}-hint` : undefined;
  const common = {
    id,
    name: spec.path,
    "data-field": spec.path,
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy,
  };
  let control: ReactNode;
  if (spec.kind === "bool") {
    return (
      <div className={`field field-check${invalid ? " invalid" : ""}`}>
        <label htmlFor={id}>
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span>{label}</span>
        </label>
        <FieldErrors id={`${id}-error`} errors={errors} message={fieldMessage} />
      </div>
    );
  }
  const text = typeof value === "string" ? value : "";
  if (spec.kind === "select") {
    control = (
      <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
        {spec.options?.map((o) => (
          <option key={o.value} value={o.value}>
            {t(o.label)}
          </option>
        ))}
      </select>
    );
  } else if (spec.kind === "lines") {
    control = <textarea {...common} rows={3} value={text} onChange={(e) => onChange(e.target.value)} />;
  } else {
    control = (
      <input
        {...common}
        type={spec.kind === "password" ? "password" : "text"}
        inputMode={spec.kind === "int" || spec.kind === "nullableInt" ? "numeric" : undefined}
        autoComplete={spec.autoComplete ?? (spec.kind === "password" ? "new-password" : "off")}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className={`field${invalid ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      {spec.hint && !invalid ? (
        <small id={`${id}-hint`} className="hint">
          {t(spec.hint, spec.hintParams)}
        </small>
      ) : null}
      <FieldErrors id={`${id}-error`} errors={errors} message={fieldMessage} />
    </div>
  );
}

function FieldErrors(props: { id: string; errors: FieldError[]; message: (e: FieldError) => string }) {
  if (props.errors.length === 0) return null;
  return (
    <small id={props.id} className="field-error" role="alert" data-testid="field-error">
      {props.errors.map((e) => props.message(e)).join(" ")}
    </small>
  );
}

/**
 * The error banner above a form: a general message, and errors that name no field shown here. When
 * a failure arrives, the first field in error (else this banner) is scrolled into view and focused.
 */
export function FormFailure(props: { failure: unknown; specs?: readonly FieldSpec[] }) {
  const { t, fieldMessage } = useI18n();
  const banner = useRef<HTMLDivElement>(null);
  const { failure } = props;
  useFirstErrorInView(banner, failure);
  if (failure === undefined) return null;
  if (!(failure instanceof ApiFailure))
    return (
      <div className="banner error" ref={banner}>
        {String(failure)}
      </div>
    );
  if (failure.code === "network")
    return (
      <div className="banner error" ref={banner}>
        {t("common.networkError", { message: failure.message })}
      </div>
    );
  const specs = props.specs ?? [];
  const unplaced = failure.errors.filter((e) => fieldOf(e.field, specs) === undefined);
  const placed = failure.errors.length - unplaced.length;
  return (
    <div className="banner error" role="alert" data-testid="form-failure" ref={banner}>
      {placed > 0 ? <p>{t("common.fixErrors")}</p> : null}
      {placed === 0 && unplaced.length === 0 ? (
        <p>
          {failure.code === "conflict"
            ? t("error.conflict", { message: failure.message })
            : t("common.error", { message: failure.message })}
        </p>
      ) : null}
      {unplaced.length > 0 ? (
        <ul>
          {unplaced.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              {e.field ? <code>{e.field}</code> : null} {fieldMessage(e)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The errors of one field, out of a failure. */
export function errorsFor(failure: unknown, path: string, specs: readonly FieldSpec[]): FieldError[] {
  if (!(failure instanceof ApiFailure)) return [];
  return failure.errors.filter((e) => fieldOf(e.field, specs) === path);
}

export function GroupedForm(props: {
  groups: FieldGroup[];
  values: FormValues;
  onChange: (path: string, value: string | boolean) => void;
  failure: unknown;
  busy: boolean;
  onSubmit: () => void;
  submitLabel: MessageKey;
  extraActions?: ReactNode;
  testId?: string;
}) {
  const { t } = useI18n();
  const specs = props.groups.flatMap((g) => g.fields);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form className="grouped-form" onSubmit={submit} noValidate data-testid={props.testId}>
      <FormFailure failure={props.failure} specs={specs} />
      {props.groups.map((group) => (
        <fieldset key={group.title} className="card">
          <legend>{t(group.title)}</legend>
          <div className={group.layout === "pairs" ? "field-grid pairs" : "field-grid"}>
            {group.fields
              .filter((spec) => spec.when === undefined || spec.when(props.values))
              .map((spec) => (
                <FieldInput
                  key={spec.path}
                  spec={spec}
                  value={props.values[spec.path] ?? ""}
                  onChange={(v) => props.onChange(spec.path, v)}
                  errors={errorsFor(props.failure, spec.path, specs)}
                />
              ))}
          </div>
        </fieldset>
      ))}
      <div className="form-actions">
        {props.extraActions}
        <button type="submit" className="primary" disabled={props.busy} data-testid="submit">
          {props.busy ? t("common.saving") : t(props.submitLabel)}
        </button>
      </div>
    </form>
  );
}
