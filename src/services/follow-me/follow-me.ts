/**
 * Follow-me (FEATURES.md sections 2 and 6; miniSIPServer's follow-me document; issue 15): a call
 * to a user with follow-me destinations (A, B, C: local numbers, the user's own number, or
 * outside numbers, routed with the user's call right) rings them by the user's strategy:
 * - 0: all at once, for the user's no-answer time;
 * - 1: one after another, the next when the current fails or rings the user's no-answer time out;
 * - 2: one after another, the next after the interval.
 * When every destination failed, the call goes on as an unanswered call to the user (the
 * services at "noAnswer"/"unreachable": forwarding, later voicemail).
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { LocalUser } from "../../store/user-model.js";

/** After unconditional forwarding (10), do not disturb (20) and call waiting (30). */
export const FOLLOW_ME_ORDER = 40;

/** The follow-me verdict of a user, or undefined when it has no destination. */
export function followMeVerdict(user: LocalUser, systemNoAnswerSeconds: number): Verdict | undefined {
  const numbers = user.followMe.destinations.map((d) => d.trim()).filter((d) => d !== "");
  if (numbers.length === 0) return undefined;
  const ringMs = (user.noAnswerTime > 0 ? user.noAnswerTime : systemNoAnswerSeconds) * 1000;
  const { strategy, interval } = user.followMe;
  if (strategy === 0)
    return {
      kind: "destinations",
      numbers,
      asUser: user.name,
      mode: "parallel",
      attemptMs: 0,
      noAnswerMs: ringMs,
    };
  const attemptMs = strategy === 2 ? Math.max(1, interval) * 1000 : ringMs;
  return { kind: "destinations", numbers, asUser: user.name, mode: "sequential", attemptMs, noAnswerMs: 0 };
}

/** `systemNoAnswerSeconds` may be a function: read at each call (the setting changes at run time). */
export function registerFollowMe(
  points: DetectionPointTable,
  systemNoAnswerSeconds: number | (() => number),
): () => void {
  return points.decide(
    "reachesCallee",
    "follow-me",
    (context: PointContext) =>
      context.calleeUser === undefined
        ? undefined
        : followMeVerdict(
            context.calleeUser,
            typeof systemNoAnswerSeconds === "function" ? systemNoAnswerSeconds() : systemNoAnswerSeconds,
          ),
    FOLLOW_ME_ORDER,
  );
}
