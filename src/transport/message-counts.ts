/**
 * SIP messages in and out, by method and, for responses, by status: plain numbers in typed arrays,
 * bumped once per message on the socket paths and read by the metrics at scrape time (issue 23).
 * A method outside RFC 3261 and its extensions counts as "other", so a scanner inventing methods
 * cannot grow the table; statuses are 100..699 (RFC 3261 7.2).
 */

import { KNOWN_METHODS } from "../sip/methods.js";

/** The methods counted by name (those Parley knows); any other is "other". */
export const COUNTED_METHODS = [...KNOWN_METHODS, "other"] as const;

export type CountedMethod = (typeof COUNTED_METHODS)[number];

const OTHER = COUNTED_METHODS.length - 1;
const STATUSES = 600;
const INDEX = new Map<string, number>(COUNTED_METHODS.map((m, i) => [m, i]));

/** The slot of a method, "other" for any not listed. */
export function methodSlot(method: string | undefined): number {
  return (method === undefined ? undefined : INDEX.get(method)) ?? OTHER;
}

/** The slot of a response: its CSeq method and its status; -1 for a status outside 100..699. */
export function responseSlot(method: string | undefined, status: number): number {
  if (!(status >= 100 && status <= 699)) return -1;
  return methodSlot(method) * STATUSES + (status - 100);
}

/** One direction's counts. */
export class DirectionCounts {
  /** Requests by method slot. */
  readonly requests = new Float64Array(COUNTED_METHODS.length);
  /** Responses by responseSlot(). */
  readonly responses = new Float64Array(COUNTED_METHODS.length * STATUSES);

  request(method: string): void {
    this.requests[methodSlot(method)]++;
  }

  /** A response by its slot (responseSlot(); -1 counts nothing). */
  response(slot: number): void {
    if (slot >= 0) this.responses[slot]++;
  }

  /** Every non-zero count, for the metrics. */
  *entries(): Generator<{ method: CountedMethod; status: number | undefined; count: number }> {
    for (let m = 0; m < COUNTED_METHODS.length; m++) {
      const count = this.requests[m]!;
      if (count > 0) yield { method: COUNTED_METHODS[m]!, status: undefined, count };
    }
    for (let i = 0; i < this.responses.length; i++) {
      const count = this.responses[i]!;
      if (count > 0)
        yield { method: COUNTED_METHODS[Math.floor(i / STATUSES)]!, status: 100 + (i % STATUSES), count };
    }
  }
}

/** The messages a transport received (parsed) and sent (handed to a socket without error). */
export class SipMessageCounts {
  readonly in = new DirectionCounts();
  readonly out = new DirectionCounts();
}
