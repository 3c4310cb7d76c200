/**
 * Presence and busy lamps from Parley's live state (issue 19): the presence (RFC 3856) and dialog
 * (RFC 4235) packages, and what tells their subscribers of a change: every call event (a call
 * created, ringing, answered, transferred, ended) for each party it names, and a user going
 * online or offline. A NOTIFY follows at once (the subscription core sends one at a time per
 * subscriber, with the latest state, so a burst of changes never queues stale bodies).
 */
import type { CallControl, UserDialog } from "../call/call-control.js";
import type { CallEvents } from "../call/call-events.js";
import type { CallParty } from "../call/types.js";
import type { LocalUser } from "../store/index.js";
import type { Clock } from "../util/clock.js";
import { DIALOG, dialogPackage } from "./dialog-package.js";
import type { EventPackage } from "./event-package.js";
import { presenceAdmission } from "./presence-admission.js";
import {
  type ComposedPresence,
  compose,
  PRESENCE,
  type PresenceSettings,
  type PresenceState,
  presencePackage,
} from "./presence-package.js";
import { Publications } from "./publications.js";
import { ALL_USERS, withResourceList } from "./resource-list.js";

export interface PresenceEventsOptions {
  readonly host: string;
  readonly lookup: (domainId: number, name: string) => Promise<{ readonly user: LocalUser } | undefined>;
  readonly calls: Pick<CallControl, "dialogsOf">;
  readonly userState: (domainId: number, user: string) => PresenceState;
  /** The park slot a resource names (`*70*5`, as the feature code table reads it), if any. */
  readonly parkSlotOf?: (resource: string) => number | undefined;
  /** The call parked in a slot: a park key's lamp is lit (confirmed) while one is. */
  readonly parkedIn?: (domainId: number, slot: number) => UserDialog | undefined;
  /** The clock of the publications' expiry. */
  readonly clock: Clock;
  /** Every user of a domain (the `*all` resource list, RFC 4662). */
  readonly listUsers?: (domainId: number) => Promise<readonly LocalUser[]>;
  /** A device's publication changed or expired (the admin UI's live view shows presence too). */
  readonly onPresenceChange?: () => void;
}

export interface PresenceEvents {
  /** The packages for the SUBSCRIBE handler (message-waiting.ts serves them). */
  readonly packages: readonly EventPackage[];
  /** What users' devices PUBLISH (publish-handler.ts keeps them here). */
  readonly publications: Publications;
  /** Where changes go: the subscription core's notify. */
  attach(
    notify: (packageName: string, domainId: number, resource: string) => void,
    notifyWhere: (packageName: string, domainId: number, test: (resource: string) => boolean) => void,
  ): void;
  /** A call event: each party it names may have changed. */
  callEvent(event: CallEvents[keyof CallEvents]): void;
  /** A user's registration or settings changed (online, offline, do-not-disturb). */
  userChanged(domainId: number, user: string): void;
  /** A park slot was taken or freed. */
  parkChanged(domainId: number, slot: number): void;
  /** What a watcher of the user sees now (the admin UI's dashboard shows it too). */
  presenceOf(domainId: number, user: string): Promise<ComposedPresence>;
}

export function presenceEvents(o: PresenceEventsOptions): PresenceEvents {
  const parkSlotOf = o.parkSlotOf ?? (() => undefined);
  const admit = presenceAdmission({ lookup: o.lookup, isParkSlot: (r) => parkSlotOf(r) !== undefined });
  let notify: (packageName: string, domainId: number, resource: string) => void = () => {};
  const publications = new Publications({
    clock: o.clock,
    onChange: (domainId, user) => {
      notify(PRESENCE, domainId, user);
      notify(PRESENCE, domainId, ALL_USERS);
      o.onPresenceChange?.();
    },
  });
  let notifyWhere: (packageName: string, domainId: number, test: (resource: string) => boolean) => void =
    () => {};
  const dialogsOf = (domainId: number, resource: string): readonly UserDialog[] => {
    const slot = parkSlotOf(resource);
    if (slot === undefined) return o.calls.dialogsOf(domainId, resource);
    const parked = o.parkedIn?.(domainId, slot);
    return parked === undefined ? [] : [parked];
  };
  const changed = (party: CallParty | undefined): void => {
    if (party === undefined) return;
    for (const pkg of [DIALOG, PRESENCE]) {
      notify(pkg, party.domainId, party.user);
      // Operator consoles' lists (RFC 4662) hold every user: each change re-sends theirs.
      notify(pkg, party.domainId, ALL_USERS);
    }
  };
  const visibleUsers = async (domainId: number, watcher: string): Promise<string[]> => {
    const by = (await o.lookup(domainId, watcher))?.user;
    if (by === undefined || o.listUsers === undefined) return [];
    const all = await o.listUsers(domainId);
    const seesAll = by.subscribeAllPresence || by.presenceGroup === 0;
    return all.filter((u) => seesAll || u.presenceGroup === by.presenceGroup).map((u) => u.name);
  };
  const lists = {
    host: o.host,
    visibleUsers,
    isUser: async (domainId: number, name: string) => (await o.lookup(domainId, name)) !== undefined,
  };
  return {
    packages: [
      withResourceList(
        presencePackage({
          host: o.host,
          admit,
          userState: o.userState,
          settings: (domainId, user) => presenceSettings(o, domainId, user),
          published: (domainId, user) => publications.stateOf(domainId, user),
        }),
        lists,
      ),
      withResourceList(dialogPackage({ host: o.host, admit, dialogsOf }), lists),
    ],
    publications,
    attach: (fn, fnWhere) => {
      notify = fn;
      notifyWhere = fnWhere;
    },
    callEvent: (event) => {
      changed(event.call.caller);
      changed(event.call.callee);
      if ("before" in event) changed(event.before);
      if ("leg" in event) changed(event.leg.party);
    },
    userChanged: (domainId, user) => changed({ domainId, user, displayName: "" }),
    presenceOf: async (domainId, user) =>
      compose(
        o.userState(domainId, user),
        await presenceSettings(o, domainId, user),
        publications.stateOf(domainId, user),
      ),
    parkChanged: (domainId, slot) =>
      notifyWhere(DIALOG, domainId, (resource) => parkSlotOf(resource) === slot),
  };
}

/** The settings presence honours, from the user's record (none for an unknown user). */
async function presenceSettings(
  o: PresenceEventsOptions,
  domainId: number,
  name: string,
): Promise<PresenceSettings> {
  const user = (await o.lookup(domainId, name))?.user;
  if (user === undefined) return { dnd: false };
  const forward = user.forwarding.unconditional;
  const forwarding = forward.enabled && forward.number !== "";
  return { dnd: user.doNotDisturb, ...(forwarding ? { forwardedTo: forward.number } : {}) };
}
