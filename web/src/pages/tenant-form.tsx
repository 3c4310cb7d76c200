/**
 * The Tenants page's form (issue 21): a new tenant (name, SIP domain, realm, administrator password,
 * its own ports, limits, preset users a line each) or a tenant's domain, ports and limits. A blank
 * port is none and a blank limit unlimited; an edit sends the ports and limits whole (the API
 * replaces them). Every field error the API names shows beside its field; a preset user's
 * (`users[2].password`) beside the users box, naming the line.
 */
import { useMemo, useState } from "react";
import { type FieldSpec, type FormValues, toBody, toFormValues } from "../components/fields";
import { type FieldGroup, GroupedForm } from "../components/form";
import { type Translate, useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { ApiFailure, api } from "../lib/api";
import type { Tenant } from "../lib/tenant";

const PORTS = ["udp", "tcp", "tls", "ws"] as const;
const LIMITS = ["users", "calls", "lines", "storageMb"] as const;

function groupsFor(create: boolean): FieldGroup[] {
  const basic: FieldSpec[] = [
    { path: "domain", kind: "text", label: "tenants.field.domain", hint: "tenants.hint.domain" },
  ];
  if (create)
    basic.unshift({ path: "name", kind: "text", label: "tenants.field.name", hint: "tenants.hint.name" });
  if (create)
    basic.push(
      { path: "realm", kind: "text", label: "tenants.field.realm", hint: "tenants.hint.realm" },
      {
        path: "admin.password",
        kind: "password",
        label: "tenants.field.adminPassword",
        hint: "tenants.hint.adminPassword",
      },
    );
  const groups: FieldGroup[] = [
    { title: "tenants.group.basic", fields: basic },
    {
      title: "tenants.group.ports",
      fields: PORTS.map((p) => ({
        path: `ports.${p}`,
        kind: "int",
        label: `tenants.field.${p}` as MessageKey,
        hint: "tenants.hint.port",
      })),
    },
    {
      title: "tenants.group.limits",
      fields: LIMITS.map((l) => ({
        path: `limits.${l}`,
        kind: "int",
        label: `tenants.field.${l}` as MessageKey,
        hint: "tenants.hint.limit",
      })),
    },
  ];
  if (create)
    groups.push({
      title: "tenants.group.users",
      fields: [
        {
          path: "users",
          kind: "lines",
          label: "tenants.field.presetUsers",
          hint: "tenants.hint.presetUsers",
        },
      ],
    });
  return groups;
}

interface PresetUser {
  name: string;
  password: string;
  displayName?: string;
}

/** The users box: `name,password[,display name]` a line (the display name may hold commas). */
export function presetUsers(text: string): { users: PresetUser[]; lineOf: number[] } {
  const users: PresetUser[] = [];
  const lineOf: number[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const m = /^([^,]*)(?:,([^,]*)(?:,(.*))?)?$/.exec(line);
    const [name, password, displayName] = [m?.[1], m?.[2], m?.[3]].map((c) => (c ?? "").trim());
    users.push({ name: name!, password: password!, ...(displayName ? { displayName } : {}) });
    lineOf.push(i + 1);
  }
  return { users, lineOf };
}

/** A preset user's error (`users[2].password`) as one of the users box, naming its line. */
function placeUserErrors(failure: unknown, lineOf: number[], t: Translate): unknown {
  if (!(failure instanceof ApiFailure)) return failure;
  const errors = failure.errors.map((e) => {
    const m = /^users\[(\d+)\]\.?(.*)$/.exec(e.field);
    if (!m) return e;
    const line = lineOf[Number(m[1])] ?? Number(m[1]) + 1;
    const where = m[2] ? t("tenants.userLineField", { line, field: m[2] }) : t("tenants.userLine", { line });
    return { field: "users", message: `${where} ${e.message}` };
  });
  return new ApiFailure(failure.status, failure.code, failure.message, errors);
}

export function TenantForm(props: {
  /** The tenant edited; none: a new one. */
  tenant?: Tenant;
  /** Saved: its name and, for a new tenant, its API token (shown once). */
  onSaved: (name: string, apiToken?: string) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const create = props.tenant === undefined;
  const groups = useMemo(() => groupsFor(create), [create]);
  const specs = useMemo(() => groups.flatMap((g) => g.fields), [groups]);
  const [values, setValues] = useState<FormValues>(() => toFormValues(props.tenant ?? {}, specs));
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    const { users, lineOf } = presetUsers(String(values.users ?? ""));
    try {
      const body = toBody(values, specs, (spec, value) => value === "" || spec.path === "users");
      if (props.tenant === undefined) {
        if (users.length > 0) body.users = users;
        const created = await api.request<{ tenant: Tenant; apiToken: string }>("POST", "/tenants", {
          body,
          home: true,
        });
        props.onSaved(created.tenant.name, created.apiToken);
      } else {
        const patch = { domain: body.domain, ports: body.ports ?? {}, limits: body.limits ?? {} };
        const name = props.tenant.name;
        await api.request("PATCH", `/tenants/${encodeURIComponent(name)}`, { body: patch, home: true });
        props.onSaved(name);
      }
    } catch (error) {
      setFailure(placeUserErrors(error, lineOf, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="editor" data-testid="tenant-editor">
      {props.tenant ? <h2>{t("tenants.editTitle", { name: props.tenant.name })}</h2> : null}
      <GroupedForm
        groups={groups}
        values={values}
        onChange={(path, value) => setValues({ ...values, [path]: value })}
        failure={failure}
        busy={busy}
        onSubmit={save}
        submitLabel={create ? "common.create" : "common.save"}
        extraActions={
          <button type="button" onClick={props.onCancel}>
            {t("common.cancel")}
          </button>
        }
        testId="tenant-form"
      />
    </div>
  );
}
