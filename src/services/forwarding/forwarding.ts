/**
 * Call forwarding (FEATURES.md sections 2 and 6; issue 15): unconditional, on busy, on no answer
 * (after the user's no-answer time) and when unreachable (no binding, or every device failed).
 * Each is a right plus a number on the local user; forwarding is active when both are set. The
 * verdict routes the number as the forwarding user dialled it, so the dial plan applies that
 * user's call right and limits, never the caller's (no toll fraud through forwarding), and names
 * the diversion: the caller gets 181, the new callee's INVITE carries Diversion (RFC 5806) and
 * History-Info (RFC 7044). The engine ends a chain that visits a user twice or passes five hops
 * with 482 Loop Detected.
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { CallParty, DiversionReason } from "../../call/types.js";
import type { ForwardingRule, LocalUser } from "../../store/user-model.js";

export interface ForwardingUsers {
  lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
}

/** Unconditional forwarding is decided before anything else reaches the callee. */
export const UNCONDITIONAL_ORDER = 10;
/** After a failure, forwarding comes before voicemail (which attaches later). */
export const FAILURE_ORDER = 50;

/** The active rule's number, or undefined (no right, or no number). */
export function forwardTo(rule: ForwardingRule | undefined): string | undefined {
  return rule?.enabled === true && rule.number.trim() !== "" ? rule.number.trim() : undefined;
}

function verdict(user: LocalUser, party: CallParty, number: string, reason: DiversionReason): Verdict {
  return { kind: "route", number, asUser: user.name, diversion: { from: party, reason } };
}

export function registerForwarding(points: DetectionPointTable, users: ForwardingUsers): () => void {
  /** The callee's user for a point: given at reachesCallee, looked up after a failed fork. */
  const calleeUser = async (context: PointContext): Promise<LocalUser | undefined> =>
    context.calleeUser ??
    (context.callee === undefined
      ? undefined
      : (await users.lookup(context.callee.domainId, context.callee.user))?.user);

  const onFailure =
    (key: "busy" | "noAnswer" | "unreachable", reason: DiversionReason) =>
    async (context: PointContext): Promise<Verdict | undefined> => {
      const user = await calleeUser(context);
      const number = forwardTo(user?.forwarding[key]);
      if (user === undefined || number === undefined || context.callee === undefined) return undefined;
      return verdict(user, context.callee, number, reason);
    };

  const removals = [
    points.decide(
      "reachesCallee",
      "forwarding.unconditional",
      (context) => {
        const user = context.calleeUser;
        const number = forwardTo(user?.forwarding.unconditional);
        if (user === undefined || number === undefined || context.callee === undefined) return undefined;
        return verdict(user, context.callee, number, "unconditional");
      },
      UNCONDITIONAL_ORDER,
    ),
    points.decide("busy", "forwarding.busy", onFailure("busy", "user-busy"), FAILURE_ORDER),
    points.decide("noAnswer", "forwarding.noAnswer", onFailure("noAnswer", "no-answer"), FAILURE_ORDER),
    points.decide(
      "unreachable",
      "forwarding.unreachable",
      onFailure("unreachable", "unavailable"),
      FAILURE_ORDER,
    ),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}
