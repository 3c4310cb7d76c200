/**
 * Configured conference rooms (issue 17; FEATURES.md section 6, "Conference room"), per domain:
 * the record as the API, the CLI and the conference service see it, and its validation, which
 * names the field of every error. A room number not configured here still works as an ad-hoc
 * room (`*6*room#`, no PIN, no limit): configuring a number adds a PIN, a member limit and a
 * moderator to it.
 */
import type { FieldError } from "./errors.js";

/** A conference room. (domain, number) is unique. */
export interface ConferenceRoom {
  id: number;
  domainId: number;
  /** 1-10 digits: `*6*<number>#` joins the room, and so does dialling the number itself. */
  number: string;
  name: string;
  /** Digits a member must enter to join ("" = none). */
  pin: string;
  /** At most this many members at once (miniSIPServer's default 5); the next is refused. */
  maxMembers: number;
  /** Digits that join as the room's moderator ("" = no moderator). */
  moderatorPin: string;
  /** Members wait with music until a moderator is in the room (needs a moderator PIN). */
  waitForModerator: boolean;
  /** Nobody new may join ("conference-locked"). */
  locked: boolean;
  createdAt: number;
  updatedAt: number;
}

export type NewConferenceRoom = Pick<ConferenceRoom, "number"> &
  Partial<
    Pick<ConferenceRoom, "name" | "pin" | "maxMembers" | "moderatorPin" | "waitForModerator" | "locked">
  >;
export type ConferenceRoomPatch = Partial<NewConferenceRoom>;

export const CONFERENCE_DEFAULTS = {
  name: "",
  pin: "",
  maxMembers: 5,
  moderatorPin: "",
  waitForModerator: false,
  locked: false,
};

export const MAX_CONFERENCE_MEMBERS = 100;
/** A room number: what follows `*6*` (roomOf() in the service takes the same). */
export const ROOM_NUMBER = /^[0-9]{1,10}$/;
const PIN = /^[0-9]{0,16}$/;

/** Checks a whole room (as created, or as a patch leaves it); an empty list means valid. */
export function validateConferenceRoom(input: NewConferenceRoom): FieldError[] {
  const r = { ...CONFERENCE_DEFAULTS, ...definedFields(input) };
  const errors: FieldError[] = [];
  if (typeof r.number !== "string" || !ROOM_NUMBER.test(r.number))
    errors.push({ field: "number", message: "must be 1-10 digits" });
  if (typeof r.name !== "string" || r.name.length > 64)
    errors.push({ field: "name", message: "must be a string of at most 64 characters" });
  if (typeof r.pin !== "string" || !PIN.test(r.pin))
    errors.push({ field: "pin", message: 'must be up to 16 digits ("" = no PIN)' });
  if (!(Number.isInteger(r.maxMembers) && r.maxMembers >= 1 && r.maxMembers <= MAX_CONFERENCE_MEMBERS))
    errors.push({
      field: "maxMembers",
      message: `must be a whole number from 1 to ${MAX_CONFERENCE_MEMBERS}`,
    });
  if (typeof r.moderatorPin !== "string" || !PIN.test(r.moderatorPin))
    errors.push({ field: "moderatorPin", message: 'must be up to 16 digits ("" = no moderator)' });
  // The PIN a caller enters decides whether it joins as a member or as the moderator.
  else if (r.moderatorPin !== "" && r.moderatorPin === r.pin)
    errors.push({ field: "moderatorPin", message: "must differ from the room's PIN" });
  if (typeof r.waitForModerator !== "boolean")
    errors.push({ field: "waitForModerator", message: "must be true or false" });
  else if (r.waitForModerator && r.moderatorPin === "")
    errors.push({ field: "waitForModerator", message: "needs a moderator PIN" });
  if (typeof r.locked !== "boolean") errors.push({ field: "locked", message: "must be true or false" });
  return errors;
}

function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
