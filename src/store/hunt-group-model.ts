/**
 * Hunt groups (multi-line hunting; issue 16, FEATURES.md sections 5 and 6) and their detection
 * table, per domain: the records as the API, the CLI and the service see them, and their
 * validation, which names the field of every error.
 */
import type { FieldError } from "./errors.js";

/** linear: members in order; circular: starting after the member that answered last; parallel: all at once. */
export const HUNT_STRATEGIES = ["linear", "circular", "parallel"] as const;
export type HuntStrategy = (typeof HUNT_STRATEGIES)[number];

/** When nobody answers: 486 Busy Here, the voicemail of a user, or another number (dial plan). */
export const HUNT_NO_ANSWER_ACTIONS = ["busy", "voicemail", "number"] as const;
export type HuntNoAnswerAction = (typeof HUNT_NO_ANSWER_ACTIONS)[number];

/** A hunt group. (domain, number) is unique. */
export interface HuntGroup {
  id: number;
  domainId: number;
  /** The group's own number: calling it rings the group. */
  number: string;
  name: string;
  /** Local user names, in hunting order. */
  members: string[];
  strategy: HuntStrategy;
  /** Seconds each member rings (linear, circular), or the whole group (parallel). */
  ringTime: number;
  noAnswer: HuntNoAnswerAction;
  /** voicemail: the user whose mailbox answers; number: the number routed; busy: "". */
  noAnswerTarget: string;
  createdAt: number;
  updatedAt: number;
}

export type NewHuntGroup = Pick<HuntGroup, "number"> &
  Partial<Pick<HuntGroup, "name" | "members" | "strategy" | "ringTime" | "noAnswer" | "noAnswerTarget">>;
export type HuntGroupPatch = Partial<NewHuntGroup>;

/** One detection record: calls to `calledNumber` under dial plan `dialPlan` ring hunt group `huntGroup`. */
export interface HuntDetection {
  id: number;
  domainId: number;
  dialPlan: string;
  calledNumber: string;
  /** The hunt group's number. */
  huntGroup: string;
  createdAt: number;
  updatedAt: number;
}

export type NewHuntDetection = Pick<HuntDetection, "calledNumber" | "huntGroup"> & { dialPlan?: string };
export type HuntDetectionPatch = Partial<NewHuntDetection>;

export const HUNT_DEFAULTS = {
  name: "",
  members: [] as string[],
  strategy: "linear" as HuntStrategy,
  ringTime: 20,
  noAnswer: "busy" as HuntNoAnswerAction,
  noAnswerTarget: "",
};

export const MAX_HUNT_MEMBERS = 64;
const NUMBER = /^[0-9*#+]{1,32}$/;
const USER_NAME = /^[A-Za-z0-9._-]{1,32}$/;
const NUMBER_MESSAGE = "must be 1-32 of the keys 0-9, *, # and +";
const USER_MESSAGE = "must be a user name (1-32 of letters, digits, '.', '_', '-')";

function numberError(field: string, value: unknown): FieldError | undefined {
  if (typeof value === "string" && NUMBER.test(value)) return undefined;
  return { field, message: NUMBER_MESSAGE };
}

function membersErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value) || value.length > MAX_HUNT_MEMBERS)
    return [{ field: "members", message: `must be a list of at most ${MAX_HUNT_MEMBERS} user names` }];
  const errors: FieldError[] = [];
  value.forEach((member, i) => {
    if (typeof member !== "string" || !USER_NAME.test(member))
      errors.push({ field: `members[${i}]`, message: USER_MESSAGE });
    else if (value.indexOf(member) !== i)
      errors.push({ field: `members[${i}]`, message: "is already a member" });
  });
  return errors;
}

/** Checks a whole hunt group (as created, or as a patch leaves it); an empty list means valid. */
export function validateHuntGroup(input: NewHuntGroup): FieldError[] {
  const g = { ...HUNT_DEFAULTS, ...definedOnly(input) };
  const errors: FieldError[] = [];
  const numberFault = numberError("number", g.number);
  if (numberFault) errors.push(numberFault);
  if (typeof g.name !== "string" || g.name.length > 64)
    errors.push({ field: "name", message: "must be a string of at most 64 characters" });
  errors.push(...membersErrors(g.members));
  if (!HUNT_STRATEGIES.includes(g.strategy))
    errors.push({ field: "strategy", message: `must be one of ${HUNT_STRATEGIES.join(", ")}` });
  if (!(Number.isInteger(g.ringTime) && g.ringTime >= 1 && g.ringTime <= 600))
    errors.push({ field: "ringTime", message: "must be a whole number of seconds from 1 to 600" });
  if (!HUNT_NO_ANSWER_ACTIONS.includes(g.noAnswer))
    errors.push({ field: "noAnswer", message: `must be one of ${HUNT_NO_ANSWER_ACTIONS.join(", ")}` });
  else if (
    g.noAnswer === "voicemail" &&
    !(typeof g.noAnswerTarget === "string" && USER_NAME.test(g.noAnswerTarget))
  )
    errors.push({ field: "noAnswerTarget", message: `${USER_MESSAGE} (whose voicemail answers)` });
  else if (g.noAnswer === "number") {
    const fault = numberError("noAnswerTarget", g.noAnswerTarget);
    if (fault) errors.push(fault);
  } else if (g.noAnswer === "busy" && g.noAnswerTarget !== "")
    errors.push({ field: "noAnswerTarget", message: 'must be "" when noAnswer is busy' });
  return errors;
}

/** Checks a whole detection record; an empty list means valid (the group's existence is the repository's). */
export function validateHuntDetection(input: NewHuntDetection): FieldError[] {
  const errors: FieldError[] = [];
  const dialPlan = input.dialPlan ?? "default";
  if (typeof dialPlan !== "string" || !USER_NAME.test(dialPlan))
    errors.push({
      field: "dialPlan",
      message: "must be a dial plan name (1-32 of letters, digits, '.', '_', '-')",
    });
  const called = numberError("calledNumber", input.calledNumber);
  if (called) errors.push(called);
  const group = numberError("huntGroup", input.huntGroup);
  if (group) errors.push(group);
  return errors;
}

/** A patch's fields that are set (an explicit undefined changes nothing). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
