/**
 * Who may watch whom, for presence and dialog state (FEATURES.md section 2, "advanced"): a user
 * watches itself; a user with "subscribe all users' presence / dialog info" (an operator
 * console) watches everyone; otherwise a user in presence group 0 sees every user, and a user in
 * group N only the users of group N. An unknown user is 404, another group's user 403.
 */
import type { LocalUser } from "../store/index.js";
import type { Admission, SubscriptionTarget } from "./event-package.js";

export interface PresenceAdmissionOptions {
  readonly lookup: (domainId: number, name: string) => Promise<{ readonly user: LocalUser } | undefined>;
  /** A resource that names a park slot (a BLF key on `*70*5`): any local user may watch it. */
  readonly isParkSlot?: (resource: string) => boolean;
}

const ADMITTED: Admission = { ok: true };
const UNKNOWN: Admission = { ok: false, status: 404, reason: "Not Found" };
const OTHER_GROUP: Admission = { ok: false, status: 403, reason: "Forbidden (another presence group)" };

export function presenceAdmission(
  o: PresenceAdmissionOptions,
): (target: SubscriptionTarget) => Promise<Admission> {
  return async ({ domainId, watcher, resource }) => {
    if (o.isParkSlot?.(resource) === true)
      return (await o.lookup(domainId, watcher)) === undefined ? OTHER_GROUP : ADMITTED;
    const watched = (await o.lookup(domainId, resource))?.user;
    if (watched === undefined) return UNKNOWN;
    if (watcher === resource) return ADMITTED;
    const by = (await o.lookup(domainId, watcher))?.user;
    if (by === undefined) return OTHER_GROUP;
    if (by.subscribeAllPresence || by.presenceGroup === 0) return ADMITTED;
    return by.presenceGroup === watched.presenceGroup ? ADMITTED : OTHER_GROUP;
  };
}
