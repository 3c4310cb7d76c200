/**
 * Feature codes dialled during a call (park: `*70*5#`): the DTMF digits a side signals in SIP INFO
 * (RFC 6086; the "digit" detection point) are gathered per call and side; a `#` ends a code, which
 * is matched against the feature code table like a dialled number. Digits more than five seconds
 * apart start over, so stray key presses in a conversation do not add up to a code.
 */
import type { CallSubject } from "../../call/call-events.js";
import type { CallParty } from "../../call/types.js";
import type { FeatureCodeTable } from "../feature-codes.js";

const GAP_MS = 5_000;
/** Longer than any feature code with its argument. */
const MAX_DIGITS = 24;

export interface InCallCodesOptions {
  readonly features: FeatureCodeTable;
  /** The service whose codes count. */
  readonly service: string;
  readonly onCode: (call: CallSubject, by: CallParty, argument: string) => void;
  readonly now?: () => number;
}

export class InCallCodes {
  private readonly pending = new Map<string, { digits: string; at: number }>();

  constructor(private readonly o: InCallCodesOptions) {}

  digit({ call, by, digit }: { call: CallSubject; by: CallParty; digit: string }): void {
    const now = (this.o.now ?? Date.now)();
    const key = `${call.id}\n${by.domainId}:${by.user}`;
    const last = this.pending.get(key);
    const digits = (last !== undefined && now - last.at <= GAP_MS ? last.digits : "") + digit;
    if (digit !== "#") {
      if (digits.startsWith("*")) this.pending.set(key, { digits: digits.slice(-MAX_DIGITS), at: now });
      else this.pending.delete(key);
      return;
    }
    this.pending.delete(key);
    const match = this.o.features.match(digits);
    if (match?.service === this.o.service) this.o.onCode(call, by, match.argument);
  }

  /** The call ended: its digits are dropped. */
  forget(callId: string): void {
    for (const key of this.pending.keys()) if (key.startsWith(`${callId}\n`)) this.pending.delete(key);
  }
}
