/**
 * Emergency numbers (issue 23): numbers any local user may dial, with or without the out-group
 * prefix, whatever its call right, that leave on the number's configured line first, then on the
 * lines the out-group prefix would take. Pure, like the rest of routing/: the table comes in with
 * the snapshot (the store's emergency_numbers rows satisfy EmergencyNumber).
 *
 * Classification, for a number as dialled:
 * - it is an emergency number: it leaves as dialled (999 stays 999, even with prefix 9);
 * - else it is the out-group prefix followed by an emergency number: it leaves without the prefix
 *   (9999 with prefix 9 leaves as 999, 9112 as 112).
 * The refine table is not applied: an emergency number leaves exactly as the table holds it.
 */
import type { RoutableLine, RoutableTrunk } from "./outbound-candidates.js";
import { type Candidate, type CarrierSkip, lineChoice } from "./route-explainer.js";
import type { Attempt, Caller, PlanInput, PlanResult } from "./routing-plan.js";
import type { RoutingStep } from "./types.js";

const OFFLINE: CarrierSkip = { code: "line-offline" };

/** One row of the emergency numbers table, as routing reads it. */
export interface EmergencyNumber {
  readonly number: string;
  /** The external line's account the number leaves on first; "" = the normal outbound routing. */
  readonly line: string;
}

/** The defaults every domain gets (migration 011). */
export const DEFAULT_EMERGENCY_NUMBERS = ["112", "911", "999"] as const;
/** Added when the prompt language is Chinese: police, fire, ambulance. */
export const CHINESE_EMERGENCY_NUMBERS = ["110", "119", "120"] as const;

/** The emergency number a dialled number stands for, or undefined when it is none. */
export function classifyEmergency(
  table: readonly EmergencyNumber[],
  dialed: string,
  outGroupPrefix: string,
): EmergencyNumber | undefined {
  const exact = table.find((e) => e.number === dialed);
  if (exact !== undefined) return exact;
  if (outGroupPrefix === "" || !dialed.startsWith(outGroupPrefix)) return undefined;
  const rest = dialed.slice(outGroupPrefix.length);
  return table.find((e) => e.number === rest);
}

/**
 * The plan of a local user's call to an emergency number, or undefined when the number is none
 * (or the caller is a line or trunk: emergency handling is for the local users' calls).
 * Attempts: the number's line (then its chain), then the caller's specific line or the lines open
 * to all users, each line once. No call right is checked.
 */
export function emergencyPlan<L extends RoutableLine, T extends RoutableTrunk>(
  snapshot: { readonly lines: readonly L[]; readonly emergencyNumbers?: readonly EmergencyNumber[] },
  caller: Caller<L, T>,
  dialed: string,
  dialPlan: string,
  input: PlanInput<L, T>,
): PlanResult<L, T> | undefined {
  if (caller.origin !== "user" || snapshot.emergencyNumbers === undefined) return undefined;
  const emergency = classifyEmergency(snapshot.emergencyNumbers, dialed, input.outGroupPrefix);
  if (emergency === undefined) return undefined;
  const number = emergency.number;
  const step: RoutingStep = {
    step: "default",
    rule: `emergency number ${number} (emergency numbers table): no call right, never blocked${
      emergency.line === "" ? "" : `, line "${emergency.line}" first`
    }`,
    number,
  };
  const request = {
    outgoingGroupId: 0,
    callerLine: caller.user.specificExternalLine,
    cursor: input.cursor("0"),
  };
  // The route explainer's choice (route-explainer.ts): the lines tried, and why each other is not.
  const check = input.checkLine ?? ((l: L) => (input.usableLine(l) ? undefined : OFFLINE));
  const lines: L[] = [];
  const candidates: Candidate[] = [{ kind: "route", id: "emergency", via: "default", tried: true, number }];
  const choices = [
    ...(emergency.line === ""
      ? []
      : [lineChoice(snapshot.lines, { ...request, line: emergency.line }, check)]),
    lineChoice(snapshot.lines, { ...request, line: "" }, check),
  ];
  for (const choice of choices) {
    for (const line of choice.tried) if (!lines.includes(line)) lines.push(line);
    for (const c of choice.candidates)
      if (!candidates.some((seen) => seen.kind === "line" && seen.id === c.id))
        candidates.push(c.tried ? { ...c, number } : c);
  }
  const attempts: Array<Attempt<L, T>> = lines.map((line) => ({
    carrier: { kind: "line", line },
    number,
    refine: { step: "refine", outgoingGroupId: 0, record: undefined, before: number, after: number },
  }));
  return {
    plan: {
      dialed,
      dialPlan,
      route: { kind: "external-line", number, line: emergency.line, outgoingGroupId: 0 },
      steps: [step],
      attempts,
      candidates,
    },
  };
}
