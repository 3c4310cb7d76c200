/**
 * Call waiting (FEATURES.md section 6: "a second call to a busy user with the right rings as
 * waiting"; issue 15). A call reaching a user who is already talking rings that user's devices
 * when the user has the call-waiting right (the phone plays its own waiting tone and offers to
 * switch); without the right it takes the busy path: forwarding on busy, voicemail on busy, or
 * 486 Busy Here. The user's concurrency limits still hold (the engine checks them when it
 * resolves the callee's devices).
 *
 * Parley also plays the call-waiting tone of the tone plan in the media path, when the talking
 * call's media passes through Parley's relay: at once and every 10 s while the waiting call rings,
 * for phones that play no tone of their own (many analogue adapters, some softphones).
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import { takeBusyPath } from "../busy-path.js";

/** After unconditional forwarding (10) and do not disturb (20). */
export const CALL_WAITING_ORDER = 30;

export interface CallWaitingDeps {
  /** Whether the user is in a call now (answered, talking). */
  readonly talking: (domainId: number, user: string) => boolean;
  /** Plays the waiting tone to the user in its answered call; false when its media is not relayed. */
  readonly waitingTone?: (domainId: number, user: string) => boolean;
  /** Whether a call to the user still rings (the waiting call). */
  readonly ringing?: (domainId: number, user: string) => boolean;
}

/** How often the tone repeats while the waiting call rings (what Asterisk and most phones do). */
export const WAITING_TONE_EVERY_MS = 10_000;

export function registerCallWaiting(points: DetectionPointTable, deps: CallWaitingDeps): () => void {
  return points.decide(
    "reachesCallee",
    "call-waiting",
    async (context: PointContext): Promise<Verdict | undefined> => {
      const user = context.calleeUser;
      if (user === undefined || !deps.talking(user.domainId, user.name)) return undefined;
      if (!user.callWaiting) return takeBusyPath(points, context);
      waitingTone(deps, user.domainId, user.name);
      return undefined;
    },
    CALL_WAITING_ORDER,
  );
}

/** The tone now, then every 10 s while the waiting call rings and the user's call is relayed. */
function waitingTone(deps: CallWaitingDeps, domainId: number, user: string): void {
  const play = deps.waitingTone;
  const ringing = deps.ringing;
  if (play === undefined || ringing === undefined || !play(domainId, user)) return;
  const timer = setInterval(() => {
    if (!ringing(domainId, user) || !deps.talking(domainId, user) || !play(domainId, user))
      clearInterval(timer);
  }, WAITING_TONE_EVERY_MS);
  timer.unref();
}
