/**
 * RFC 3261 16.7 step 6, the response a forking element passes back when every branch failed:
 * "If there are any 6xx responses, the proxy SHOULD choose the lowest-numbered 6xx response ...
 * Otherwise, the proxy SHOULD choose the lowest-numbered non-6xx response" by class, with 4xx
 * preferred to 5xx; 401 and 407 are not relayed as is (Parley's legs authenticate nothing for the
 * caller: a callee's challenge becomes a 503 rather than a second, foreign challenge).
 */
import { callStatus } from "../core/status-catalogue.js";

export interface FinalFailure {
  readonly status: number;
  readonly reason: string;
}

/** Sorting rank: lower is better. */
function rank(status: number): number {
  const cls = Math.floor(status / 100);
  // RFC 3261 16.7: a 6xx wins outright; then the lowest class (4xx, 5xx, 3xx last for a B2BUA
  // that does not recurse on redirections), lowest code within a class.
  const order = cls === 6 ? 0 : cls === 4 ? 1 : cls === 5 ? 2 : 3;
  return order * 1000 + status;
}

/** The failure the caller receives; 480 when there is none (no branch could be tried). */
export function bestResponse(failures: readonly FinalFailure[]): FinalFailure {
  let best: FinalFailure | undefined;
  for (const f of failures) {
    const candidate: FinalFailure = f.status === 401 || f.status === 407 ? callStatus("leg-failed") : f;
    if (best === undefined || rank(candidate.status) < rank(best.status)) best = candidate;
  }
  return best ?? callStatus("unavailable");
}
