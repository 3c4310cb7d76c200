/**
 * What an overloaded Parley still takes (issue 22; RFC 3261 21.5.4, RFC 7339's ideas): requests
 * that finish work already under way — anything within a dialog, ACK, CANCEL, BYE, PRACK — and
 * whatever its registered phones send from where they registered: a REGISTER keeping a binding,
 * and a new call, subscription or message of the binding's user (so a flood of strangers does not
 * cut an office off). New work from anyone else (an unknown device's REGISTER, a stranger's
 * INVITE or OPTIONS) gets 503 with Retry-After, sent once and kept nowhere: an answer, never
 * silence, while Parley can still send.
 */
import type { SipRequest } from "../sip/types.js";

/** Always let through, overloaded or not. */
const FINISHING = new Set(["ACK", "CANCEL", "BYE", "PRACK", "UPDATE", "INFO", "NOTIFY"]);

export interface OverloadGateOptions {
  /** Overloaded now? */
  readonly overloaded: () => boolean;
  /** Is there a binding of `user` registered from this source address? */
  readonly knownDevice: (user: string, sourceAddress: string) => boolean;
  /** Seconds a refused client is asked to wait: a random value in [min, max] spreads the retries. */
  readonly retryAfter?: readonly [number, number];
  readonly random?: () => number;
}

export class OverloadGate {
  /** New requests refused with 503 since start. */
  refused = 0;

  constructor(private readonly o: OverloadGateOptions) {}

  /** The Retry-After seconds to refuse `request` with, or undefined to let it through. */
  check(request: SipRequest, inDialog: boolean, sourceAddress: string): number | undefined {
    if (!this.o.overloaded()) return undefined;
    if (inDialog || FINISHING.has(request.method)) return undefined;
    // A REGISTER names its user in To (the address-of-record); anything else in From.
    const user = (request.method === "REGISTER" ? request.to : request.from)?.uri.user;
    if (user !== undefined && this.o.knownDevice(user, sourceAddress)) return undefined;
    this.refused++;
    const [min, max] = this.o.retryAfter ?? [5, 15];
    return min + Math.floor((this.o.random ?? Math.random)() * (max - min + 1));
  }
}
