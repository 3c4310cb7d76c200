/**
 * Validation of lines, trunks and dial plan rows: each field by its schema (routing-model.ts),
 * then the references between them, so nothing points at a line, trunk, dial plan or transition
 * that does not exist. Errors name the field as the API spells it; nothing here throws.
 */
import type { z } from "zod";
import { DEFAULT_DIAL_PLAN } from "../routing/types.js";
import type { EmergencyNumberRecord } from "./emergency-repository.js";
import type { FieldError } from "./errors.js";
import type {
  DialPlan,
  ExternalLine,
  SipTrunk,
  StoredAnalyzeRecord,
  StoredRefineRecord,
  StoredTransition,
} from "./routing-model.js";
import { fieldPath, type Validation } from "./user-validation.js";

/** Every routing row of a domain: what reference checks look through. */
export interface RoutingSnapshot {
  lines: ExternalLine[];
  trunks: SipTrunk[];
  dialPlans: DialPlan[];
  analyze: StoredAnalyzeRecord[];
  transitions: StoredTransition[];
  refine: StoredRefineRecord[];
  /** The emergency numbers (emergency-repository.ts): not a routing_config kind, read with them. */
  emergencyNumbers?: EmergencyNumberRecord[];
}

/** Parses `input` with `schema` (defaults filled), errors named by path. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Validation<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        errors.push({ field: fieldPath([...issue.path, key]), message: "unknown field" });
    } else if (issue.code === "invalid_type" && !present(input, issue.path)) {
      errors.push({ field: fieldPath(issue.path), message: "is required" });
    } else {
      errors.push({ field: fieldPath(issue.path), message: issue.message });
    }
  }
  return { ok: false, errors };
}

function present(input: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = input;
  for (const part of path) {
    if (typeof node !== "object" || node === null) return false;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node !== undefined;
}

const planExists = (s: RoutingSnapshot, name: string) =>
  name === DEFAULT_DIAL_PLAN || s.dialPlans.some((p) => p.name === name);
const lineExists = (s: RoutingSnapshot, account: string) => s.lines.some((l) => l.account === account);
const trunkExists = (s: RoutingSnapshot, id: string) => s.trunks.some((t) => t.trunkId === id);
const transitionExists = (s: RoutingSnapshot, id: number) => s.transitions.some((t) => t.id === id);

export function lineReferences(s: RoutingSnapshot, line: ExternalLine): FieldError[] {
  const errors: FieldError[] = [];
  if (line.type === 0 && line.server === "" && !line.outboundProxy.enabled)
    errors.push({ field: "server", message: "is required for a type 0 line (Parley registers to it)" });
  if (line.outboundProxy.enabled && line.outboundProxy.address === "")
    errors.push({
      field: "outboundProxy.address",
      message: "is required when the outbound proxy is enabled",
    });
  if (line.chainTo !== "") {
    if (line.chainTo === line.account) errors.push({ field: "chainTo", message: "must name another line" });
    else if (!lineExists(s, line.chainTo))
      errors.push({ field: "chainTo", message: `no external line "${line.chainTo}"` });
  }
  if (!planExists(s, line.dialPlan))
    errors.push({ field: "dialPlan", message: `no dial plan "${line.dialPlan}"` });
  return errors;
}

export function trunkReferences(s: RoutingSnapshot, trunk: SipTrunk): FieldError[] {
  const errors: FieldError[] = [];
  if (trunk.failoverTrunk !== "") {
    if (trunk.failoverTrunk === trunk.trunkId)
      errors.push({ field: "failoverTrunk", message: "must name another trunk" });
    else if (!trunkExists(s, trunk.failoverTrunk))
      errors.push({ field: "failoverTrunk", message: `no SIP trunk "${trunk.failoverTrunk}"` });
  }
  if (!planExists(s, trunk.dialPlan))
    errors.push({ field: "dialPlan", message: `no dial plan "${trunk.dialPlan}"` });
  return errors;
}

export function dialPlanReferences(s: RoutingSnapshot, plan: DialPlan): FieldError[] {
  const errors: FieldError[] = [];
  plan.users.forEach((user, i) => {
    const other = s.dialPlans.find((p) => p.name !== plan.name && p.users.includes(user));
    if (other !== undefined)
      errors.push({ field: `users[${i}]`, message: `already in dial plan "${other.name}"` });
  });
  return errors;
}

export function analyzeReferences(s: RoutingSnapshot, r: Omit<StoredAnalyzeRecord, "id">): FieldError[] {
  const errors: FieldError[] = [];
  if (!planExists(s, r.dialPlan)) errors.push({ field: "dialPlan", message: `no dial plan "${r.dialPlan}"` });
  if (r.routeType === "external-line" && r.externalLine !== "" && !lineExists(s, r.externalLine))
    errors.push({ field: "externalLine", message: `no external line "${r.externalLine}"` });
  if (r.routeType === "sip-trunk") {
    if (r.sipTrunk === "")
      errors.push({ field: "sipTrunk", message: "is required for route type sip-trunk" });
    else if (!trunkExists(s, r.sipTrunk))
      errors.push({ field: "sipTrunk", message: `no SIP trunk "${r.sipTrunk}"` });
  }
  if (r.routeType === "ringing-group" && (r.ringingGroupId ?? 0) === 0)
    errors.push({
      field: "ringingGroupId",
      message: "must be a ringing group ID 1-65535 for route type ringing-group",
    });
  if (r.routeType === "script" && (r.script ?? "") === "")
    errors.push({ field: "script", message: "is required for route type script (a script's name)" });
  if (r.routeType === "reject" && (r.rejectStatus < 400 || r.rejectStatus > 699))
    errors.push({ field: "rejectStatus", message: "must be a SIP status 400-699 for route type reject" });
  if (r.changeNumber && !transitionExists(s, r.transitionId))
    errors.push({ field: "transitionId", message: `no transition ${r.transitionId}` });
  if (r.reanalyze && !r.changeNumber)
    errors.push({ field: "reanalyze", message: "needs changeNumber (re-analysis follows a transition)" });
  return errors;
}

export function refineReferences(s: RoutingSnapshot, r: Omit<StoredRefineRecord, "id">): FieldError[] {
  return transitionExists(s, r.transitionId)
    ? []
    : [{ field: "transitionId", message: `no transition ${r.transitionId}` }];
}

/** What still refers to a row about to be deleted: each a sentence for the 400's field error. */
export function usersOf(
  s: RoutingSnapshot,
  target: { line: string } | { trunk: string } | { dialPlan: string } | { transition: number },
): string[] {
  const out: string[] = [];
  if ("line" in target) {
    for (const l of s.lines)
      if (l.chainTo === target.line) out.push(`external line "${l.account}" chains to it`);
    for (const r of s.analyze)
      if (r.routeType === "external-line" && r.externalLine === target.line)
        out.push(`analyze record ${r.id} routes to it`);
  } else if ("trunk" in target) {
    for (const t of s.trunks)
      if (t.failoverTrunk === target.trunk) out.push(`SIP trunk "${t.trunkId}" fails over to it`);
    for (const r of s.analyze)
      if (r.routeType === "sip-trunk" && r.sipTrunk === target.trunk)
        out.push(`analyze record ${r.id} routes to it`);
  } else if ("dialPlan" in target) {
    for (const r of s.analyze)
      if (r.dialPlan === target.dialPlan) out.push(`analyze record ${r.id} belongs to it`);
    for (const l of s.lines)
      if (l.dialPlan === target.dialPlan) out.push(`external line "${l.account}" uses it`);
    for (const t of s.trunks)
      if (t.dialPlan === target.dialPlan) out.push(`SIP trunk "${t.trunkId}" uses it`);
  } else {
    for (const r of s.analyze)
      if (r.changeNumber && r.transitionId === target.transition)
        out.push(`analyze record ${r.id} applies it`);
    for (const r of s.refine)
      if (r.transitionId === target.transition) out.push(`refine record ${r.id} applies it`);
  }
  return out;
}

export type { Validation };
