/**
 * The conference feature code (FEATURES.md section 6, "Conference room: `*6*room*password#`"):
 * `*6*<room>#` joins that room, `*6*<room>*<PIN>#` joins it with its PIN. A room that is not
 * configured is ad hoc: it exists while someone is in it and the PIN is ignored; configured rooms
 * (conference-service.ts) check it. Kept apart so the feature code catalogue lists the code with
 * no media.
 */
import type { FeatureCodeTable } from "../feature-codes.js";

/** `*6*room#`: the code, then `*` and the room. */
export const CONFERENCE_CODE = "*6";
export const CONFERENCE_SERVICE = "conference";

/** The room a dialled argument names and the PIN after it, if any: `7001*1234` → 7001, 1234. */
export function joinOf(argument: string): { room: string; pin: string | undefined } | undefined {
  const [room, pin] = argument.split("*");
  if (!/^[0-9]{1,10}$/.test(room)) return undefined;
  return { room, pin: pin === undefined ? undefined : pin };
}

/** The room a dialled argument names: the digits before an optional `*PIN`. */
export function roomOf(argument: string): string | undefined {
  return joinOf(argument)?.room;
}

/** The conference's feature code alone (feature-code-catalogue.ts lists it with no media). */
export function addConferenceCode(features: FeatureCodeTable, code = CONFERENCE_CODE): () => void {
  return features.add(code, CONFERENCE_SERVICE, {
    argument: true,
    suffix: "*",
    description: "Conference room: *room# or *room*PIN# (everyone who dials the same room talks together)",
  });
}
