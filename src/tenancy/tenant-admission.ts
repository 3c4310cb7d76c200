/**
 * What a tenant's state and limits let in (issue 21), asked by the SIP core before a request's
 * handler: a suspended tenant refuses everything new with 403 (its phones see at once why they
 * are out of service); a tenant at its concurrent-call limit refuses a new call with 503, the
 * answer RFC 3261 21.5.4 gives for "temporarily unable to process", so a phone may try again.
 * Requests inside a dialog (a BYE, a re-INVITE) always pass: a call under way ends cleanly.
 */
import type { Admission } from "../core/sip-core.js";
import type { Domain } from "../store/domain-repository.js";

export function admission(domain: () => Domain, activeCalls: () => number): Admission {
  return (request, inDialog) => {
    if (inDialog) return undefined;
    const d = domain();
    if (d.state !== "active") return { status: 403, reason: "Tenant Suspended" };
    const max = d.limits.calls;
    if (request.method === "INVITE" && max !== undefined && activeCalls() >= max)
      return { status: 503, reason: "Tenant Call Limit Reached" };
    return undefined;
  };
}
