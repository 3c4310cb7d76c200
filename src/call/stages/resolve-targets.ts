/**
 * Stage 5, resolve targets: the routed number becomes who to ring. A local user is looked up
 * (404 when there is none), then its registered devices are its targets, rung in parallel for its
 * no-answer time; a user at its concurrency limit is busy (486) and one with no device is
 * unreachable (480), each a detection point where a service may ring something else first. An
 * outside number's targets are the lines or trunks the dial plan chose, tried one after another.
 */
import type { LiveBinding } from "../../registrar/location-service.js";
import type { LocalUser } from "../../store/user-model.js";
import { bindingDestination } from "../caller-auth.js";
import type { PartyIndex } from "../party-index.js";
import { accept, type Refusal, refusalOf, refuse, type StageResult } from "../refusal.js";
import type { CallParty, CallTarget, TargetSet } from "../types.js";
import type { Route } from "./route.js";

export interface ResolveDeps {
  readonly domainId: number;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly location: { lookup(domainId: number, user: string): readonly LiveBinding[] };
  /** The system's no-answer time in seconds, for users without their own (a function: read per call). */
  readonly noAnswerTime: number | (() => number);
}

/** A local user as a callee. */
export interface LocalCallee {
  readonly party: CallParty;
  readonly user: LocalUser;
}

/** A local callee's targets, or why it cannot be rung (busy, unreachable) and the refusal if no service helps. */
export type UserTargets =
  | { readonly kind: "targets"; readonly set: TargetSet }
  | { readonly kind: "unreached"; readonly cause: "busy" | "unreachable"; readonly refusal: Refusal };

export async function findCallee(deps: ResolveDeps, number: string): Promise<StageResult<LocalCallee>> {
  const entry = number === "" ? undefined : await deps.users.lookup(deps.domainId, number);
  if (entry === undefined) return refuse("resolve", "not-found", { disposition: "failed" });
  const user = entry.user;
  return accept({ party: { domainId: deps.domainId, user: user.name, displayName: user.displayName }, user });
}

/** The devices of a local callee (every binding, RFC 3261 16.6 parallel search). */
export function userTargets(deps: ResolveDeps, index: PartyIndex, callee: LocalCallee): UserTargets {
  const { party, user } = callee;
  if (index.activeCount(party) >= user.maxConcurrentCalls) {
    const refusal = refusalOf("resolve", "busy", { callee: party.user, disposition: "busy" });
    return { kind: "unreached", cause: "busy", refusal };
  }
  const bindings = deps.location.lookup(deps.domainId, party.user);
  if (bindings.length === 0) {
    const refusal = refusalOf("resolve", "unavailable", { callee: party.user, disposition: "failed" });
    return { kind: "unreached", cause: "unreachable", refusal };
  }
  const system = typeof deps.noAnswerTime === "function" ? deps.noAnswerTime() : deps.noAnswerTime;
  const noAnswer = user.noAnswerTime > 0 ? user.noAnswerTime : system;
  return {
    kind: "targets",
    set: { callee: party, targets: bindings.map(targetOf), mode: "parallel", noAnswerMs: noAnswer * 1000 },
  };
}

/** An outside number's lines or trunks, tried in order (FEATURES.md section 3: chain on failure). */
export function outboundTargets(caller: CallParty, route: Extract<Route, { kind: "outbound" }>): TargetSet {
  return {
    callee: { domainId: caller.domainId, user: route.number, displayName: "" },
    targets: route.targets,
    mode: "sequential",
    noAnswerMs: route.noAnswerMs,
  };
}

/** A binding as a target: its Contact, sent to where the REGISTER came from (the NAT-observed address). */
export function targetOf(binding: LiveBinding): CallTarget {
  return {
    uri: binding.contactUri,
    destination: bindingDestination(binding),
    routes: binding.path,
  };
}
