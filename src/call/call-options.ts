/** What a Call is given: its parties, its first hop, its timers and the engine's hooks. */
import type { Dialog, DialogManager, DialogRequestEvent, UasInvite } from "../dialog/index.js";
import type { Clock } from "../util/clock.js";
import type { Call } from "./call.js";
import type { CallEventSink } from "./call-events.js";
import type { ForkResult } from "./fork.js";
import type { HoldMusicProvider } from "./hold-music.js";
import type { LegAddressing } from "./leg-address.js";
import type { LegPolicy } from "./leg-policy.js";
import type { FinalStatus } from "./media-endpoint.js";
import type { CallParty, NextHop } from "./types.js";

/** A fork that failed: why, for the busy / no-answer / unreachable detection points. */
export type Unanswered = Extract<ForkResult, { kind: "failed" }>;

export interface CallOptions {
  readonly id: string;
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  /** Wall-clock epoch milliseconds, for the CDR and the API. */
  readonly now: () => number;
  readonly policy: LegPolicy;
  /** The Allow value Parley puts on its INVITEs and in-dialog OPTIONS answers. */
  readonly allow: string;
  readonly caller: CallParty;
  readonly dialed: string;
  /** The host of the From and To URIs Parley writes (its domain). */
  readonly host: string;
  readonly uas: UasInvite;
  /** What to do first: the targets to ring (the "resolve targets" stage's result) or an endpoint. */
  readonly first: NextHop;
  /** Longest answered duration; 0 = none. */
  readonly maxDurationMs: number;
  readonly events: CallEventSink;
  /**
   * The fork failed (busy, no answer, unreachable): other targets to ring or an endpoint instead
   * (a service at that detection point), or undefined for the failure to reach the caller.
   */
  readonly onUnanswered?: (
    call: Call,
    failure: Unanswered,
    /** A hand-off from an endpoint (endpoint-handoff.ts): who rang, and the number it routed. */
    handOff?: { readonly callee: CallParty; readonly dialed: string },
  ) => Promise<NextHop | FinalStatus | undefined>;
  /** A DTMF digit signalled by SIP INFO on a side of the answered call (the "digit" point). */
  readonly onDigit?: (call: Call, by: CallParty, digit: string) => void;
  /** A REFER on a bridged dialog (RFC 3515): `to` is the other side, the transferee. */
  readonly onRefer?: (call: Call, event: DialogRequestEvent, from: Dialog, to: Dialog) => void;
  /** Music on hold anchored in Parley (only for a call whose media flows phone to phone). */
  readonly holdMusic?: HoldMusicProvider;
  /** The sides left the bridge for Parley's media (side-legs.ts): the relay is not needed. */
  readonly onSidesMoved?: (call: Call) => void;
  /** Each leg's local address, for the SDP Parley writes on it (issue 23); none: the media default. */
  readonly addressing?: LegAddressing;
  readonly onError: (error: unknown) => void;
}
