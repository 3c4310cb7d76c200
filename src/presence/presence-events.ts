/**
 * Presence and busy lamps from Parley's live state (issue 19): the presence (RFC 3856) and dialog
 * (RFC 4235) packages, and what tells their subscribers of a change: every call event (a call
 * created, ringing, answered, transferred, ended) for each party it names, and a user going
 * online or offline. A NOTIFY follows at once (the subscription core sends one at a time per
 * subscriber, with the latest state, so a burst of changes never queues stale bodies).
 */
import type { CallControl } from "../call/call-control.js";
import type { CallEvents } from "../call/call-events.js";
import type { CallParty } from "../call/types.js";
import type { LocalUser } from "../store/index.js";
import { DIALOG, dialogPackage } from "./dialog-package.js";
import type { EventPackage } from "./event-package.js";
import { presenceAdmission } from "./presence-admission.js";
import { PRESENCE, type PresenceState, presencePackage } from "./presence-package.js";

export interface PresenceEventsOptions {
  readonly host: string;
  readonly lookup: (domainId: number, name: string) => Promise<{ readonly user: LocalUser } | undefined>;
  readonly calls: Pick<CallControl, "dialogsOf">;
  readonly userState: (domainId: number, user: string) => PresenceState;
}

export interface PresenceEvents {
  /** The packages for the SUBSCRIBE handler (message-waiting.ts serves them). */
  readonly packages: readonly EventPackage[];
  /** Where changes go: the subscription core's notify. */
  attach(notify: (packageName: string, domainId: number, resource: string) => void): void;
  /** A call event: each party it names may have changed. */
  callEvent(event: CallEvents[keyof CallEvents]): void;
  /** A user's registration or settings changed (online, offline, do-not-disturb). */
  userChanged(domainId: number, user: string): void;
}

export function presenceEvents(o: PresenceEventsOptions): PresenceEvents {
  const admit = presenceAdmission({ lookup: o.lookup });
  let notify: (packageName: string, domainId: number, resource: string) => void = () => {};
  const changed = (party: CallParty | undefined): void => {
    if (party === undefined) return;
    notify(DIALOG, party.domainId, party.user);
    notify(PRESENCE, party.domainId, party.user);
  };
  return {
    packages: [
      presencePackage({
        host: o.host,
        admit,
        userState: o.userState,
        doNotDisturb: async (domainId, user) => (await o.lookup(domainId, user))?.user.doNotDisturb === true,
      }),
      dialogPackage({ host: o.host, admit, dialogsOf: (d, u) => o.calls.dialogsOf(d, u) }),
    ],
    attach: (fn) => {
      notify = fn;
    },
    callEvent: (event) => {
      changed(event.call.caller);
      changed(event.call.callee);
      if ("before" in event) changed(event.before);
      if ("leg" in event) changed(event.leg.party);
    },
    userChanged: (domainId, user) => changed({ domainId, user, displayName: "" }),
  };
}
