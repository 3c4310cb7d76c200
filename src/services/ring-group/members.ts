/**
 * Who a ringing group call rings (FEATURES.md section 2, local user "ringing group ID" and
 * "suppress ring group on direct call"; issue 16). Pure: users in, member names out.
 */
import type { LocalUser } from "../../store/user-model.js";

/** Whether a user can take a call now (not talking, or talking with call waiting). */
export type Available = (user: LocalUser) => boolean;

/**
 * The members a call to `called` rings: every user of its ringing group, `called` first, the
 * others by name; members in do-not-disturb or busy (talking without call waiting) are skipped.
 * Undefined when the call should ring `called` alone as usual: no group, the member suppresses
 * its group on a direct call, or nobody else of the group can ring.
 */
export function ringGroupMembers(
  called: LocalUser,
  users: readonly LocalUser[],
  available: Available,
): string[] | undefined {
  if (called.ringingGroupId === 0 || called.suppressRingGroupOnDirectCall) return undefined;
  const others = users.filter((u) => u.ringingGroupId === called.ringingGroupId && u.name !== called.name);
  const members = [called, ...others.sort((a, b) => a.name.localeCompare(b.name))].filter(
    (u) => !u.doNotDisturb && available(u),
  );
  if (members.length === 0 || (members.length === 1 && members[0] === called)) return undefined;
  return members.map((u) => u.name);
}

/**
 * The members a call to ringing group `groupId`'s own number rings (a dial plan route of type
 * ringing-group): every user of the group by name, DND and busy ones skipped. `busy` tells a group
 * whose users all could not ring (486) from a group with no users at all (480).
 */
export function groupMembers(
  groupId: number,
  users: readonly LocalUser[],
  available: Available,
): { readonly members: string[]; readonly busy: boolean } {
  const all = users.filter((u) => groupId !== 0 && u.ringingGroupId === groupId);
  const members = all
    .filter((u) => !u.doNotDisturb && available(u))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((u) => u.name);
  return { members, busy: all.length > 0 };
}
