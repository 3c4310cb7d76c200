/**
 * Ringing group (FEATURES.md sections 2 and 6; issue 16): local users with the same ringing group
 * ID ring together when any member's number is called. Every member's devices ring at once for
 * the called member's no-answer time; the first to answer wins and the others are cancelled with
 * RFC 3326 Reason "Call completed elsewhere" (the fork, src/call/fork.ts). A member with "suppress
 * ring group on direct call" rings alone when its own number is called; members in do-not-disturb
 * or busy (talking without call waiting) are skipped. When nobody answers, the call goes on as an
 * unanswered call to the called member (its forwarding on no answer, its voicemail).
 *
 * A dial plan route of type ringing-group makes a number the group's own: a call to it rings
 * every member, for the system's no-answer time (src/trunks names this service for such a route).
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import { RINGING_GROUP_SERVICE } from "../../routing/types.js";
import type { LocalUser } from "../../store/user-model.js";
import type { UserRepository } from "../../store/user-repository.js";
import { type Available, groupMembers, ringGroupMembers } from "./members.js";

/**
 * After unconditional forwarding (10): a member that sends every call elsewhere is not rung. Before
 * do not disturb (20) and call waiting (30): a called member in DND or busy is skipped while the
 * rest of its group still rings, instead of the whole call taking that member's busy path.
 */
export const RING_GROUP_ORDER = 15;

/** Users read per page when the group's members are collected. */
const PAGE = 1000;

export interface RingGroupDeps {
  readonly users: Pick<UserRepository, "list">;
  /** Whether a user is in an answered call now. */
  readonly talking: (domainId: number, user: string) => boolean;
  /** The system's no-answer time in seconds, for a called member without its own. */
  readonly systemNoAnswerSeconds: number;
}

/** Every user of a domain whose ringing group is `groupId`. */
export async function usersInGroup(
  users: RingGroupDeps["users"],
  domainId: number,
  groupId: number,
): Promise<LocalUser[]> {
  const found: LocalUser[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await users.list({ domainId, offset, limit: PAGE });
    for (const user of page.items) if (user.ringingGroupId === groupId) found.push(user);
    if (page.items.length < PAGE || offset + PAGE >= page.total) return found;
  }
}

/** A user is available unless it is talking and has no call waiting. */
export function availability(talking: RingGroupDeps["talking"]): Available {
  return (user) => user.callWaiting || !talking(user.domainId, user.name);
}

export function registerRingGroup(points: DetectionPointTable, deps: RingGroupDeps): () => void {
  const available = availability(deps.talking);
  const removeService = points.service(RINGING_GROUP_SERVICE, async (context): Promise<Verdict> => {
    const domainId = context.caller.domainId;
    const groupId = Number(context.argument);
    const users = await usersInGroup(deps.users, domainId, groupId);
    const { members, busy } = groupMembers(groupId, users, available);
    if (members.length === 0) return { kind: "refuse", code: busy ? "busy" : "unavailable" };
    return {
      kind: "group",
      callee: { domainId, user: context.number, displayName: "" },
      members,
      mode: "parallel",
      attemptMs: 0,
      noAnswerMs: deps.systemNoAnswerSeconds * 1000,
    };
  });
  const removeDecision = points.decide(
    "reachesCallee",
    "ringing-group",
    async (context: PointContext): Promise<Verdict | undefined> => {
      const called = context.calleeUser;
      if (called === undefined || called.ringingGroupId === 0 || called.suppressRingGroupOnDirectCall)
        return undefined;
      const users = await usersInGroup(deps.users, called.domainId, called.ringingGroupId);
      const members = ringGroupMembers(called, users, available);
      if (members === undefined || context.callee === undefined) return undefined;
      const seconds = called.noAnswerTime > 0 ? called.noAnswerTime : deps.systemNoAnswerSeconds;
      return {
        kind: "group",
        callee: context.callee,
        members,
        mode: "parallel",
        attemptMs: 0,
        noAnswerMs: seconds * 1000,
      };
    },
    RING_GROUP_ORDER,
  );
  return () => {
    removeService();
    removeDecision();
  };
}
