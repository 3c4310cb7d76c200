/**
 * Who a hunt group call rings, and in what order (issue 16; FEATURES.md section 6, "members
 * tried in order (linear, circular, all)"). Pure: the group, the member that answered last and
 * who is available in; the members to ring out.
 */
import type { HuntGroup } from "../../store/hunt-group-model.js";
import type { LocalUser } from "../../store/user-model.js";

/** The member that answered the group's last call, and where it stood in the list then. */
export interface LastAnswered {
  readonly member: string;
  readonly index: number;
}

/**
 * The members in hunting order: linear and parallel as listed; circular starting after the member
 * that answered last. That member may have been deleted since: the hunt then starts at the member
 * that took its place in the list, so the rotation goes on rather than restarting at the top.
 */
export function huntOrder(group: Pick<HuntGroup, "members" | "strategy">, last?: LastAnswered): string[] {
  const members = group.members;
  if (group.strategy !== "circular" || last === undefined || members.length === 0) return [...members];
  const at = members.indexOf(last.member);
  const start = (at >= 0 ? at + 1 : last.index) % members.length;
  return [...members.slice(start), ...members.slice(0, start)];
}

/**
 * The members that ring: in hunting order, leaving out users deleted since the group was saved
 * (`users` has no entry for them), in do-not-disturb, or busy (talking without call waiting).
 */
export function availableMembers(
  order: readonly string[],
  users: ReadonlyMap<string, LocalUser>,
  talking: (user: LocalUser) => boolean,
): string[] {
  return order.filter((name) => {
    const user = users.get(name);
    return user !== undefined && !user.doNotDisturb && (user.callWaiting || !talking(user));
  });
}
