/**
 * The typed events of calls (ARCHITECTURE.md, "the call lifecycle"): what the live view, the CDR
 * writer and (later) presence subscribe to. Each carries who and why, so a consumer never scans
 * every call to learn what changed.
 */
import type { NewCallRecord } from "../store/cdr-model.js";
import type { CalleeLeg, CallParty } from "./types.js";

/** What an event says of its call; a Call implements it. */
export interface CallSubject {
  readonly id: string;
  /** The party on the caller's side now. */
  readonly caller: CallParty;
  /** The party on the callee's side now (the target being rung, or the one answering). */
  readonly callee: CallParty;
  readonly dialed: string;
  readonly state: "ringing" | "answered" | "ending" | "ended";
}

export interface CallEvents {
  /** A call passed its stages and starts ringing its targets. */
  created: { readonly call: CallSubject };
  /** A callee leg reported ringing (180/183), or a leg changed state while the call rings. */
  ringing: { readonly call: CallSubject; readonly leg: CalleeLeg };
  /** A callee leg failed while the others go on (its status is in the leg). */
  legFailed: { readonly call: CallSubject; readonly leg: CalleeLeg };
  /** Rung again at other targets (a service at busy, no answer or unreachable). */
  retargeted: { readonly call: CallSubject; readonly before: CallParty; readonly after: CallParty };
  answered: { readonly call: CallSubject };
  /** RFC 3264 8.4 / RFC 6337 5.3: one side put the call on hold (`held`) or took it off. */
  held: { readonly call: CallSubject; readonly by: CallParty; readonly held: boolean };
  /** RFC 5589: one side of an answered call changed hands. */
  transferred: {
    readonly call: CallSubject;
    readonly before: CallParty;
    readonly after: CallParty;
    readonly side: "caller" | "callee";
  };
  /** The call is over; `record` is its CDR. */
  ended: { readonly call: CallSubject; readonly record: NewCallRecord };
}

export type CallEventName = keyof CallEvents;

/** Where a Call reports its events (the engine fans them out). */
export type CallEventSink = <K extends CallEventName>(name: K, event: CallEvents[K]) => void;

/** Every event name, for a consumer that follows them all (the admin UI's live view). */
export const CALL_EVENT_NAMES: readonly CallEventName[] = [
  "created",
  "ringing",
  "legFailed",
  "retargeted",
  "answered",
  "held",
  "transferred",
  "ended",
];
