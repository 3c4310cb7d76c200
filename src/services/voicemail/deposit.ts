/**
 * Leaving a voice message (FEATURES.md sections 2 and 6; issue 15). When a user with the right
 * (`voicemailOnUnreachableOrNoAnswer`) is unreachable or does not answer — also after an
 * unanswered follow-me, which ends at the same points — or is busy and chose voicemail on busy
 * (`voicemailOnBusy`; do not disturb and a talking user without call waiting take the busy path
 * too), Parley answers the call itself:
 * 1. the user's recorded greeting, or the system's: "The person at extension 1 0 0 is not
 *    available. Please leave a message after the tone." (`#` skips it);
 * 2. a beep;
 * 3. the recording: at most `maxMs` (120 s by default), ended by `#`, by silence (trimmed) or by
 *    hanging up (what was said is kept); shorter than `minMs` is discarded;
 * 4. the one deposit path (mailboxes.ts): stored, mailed, MWI.
 * Forwarding on the same failure comes first (order 50 in src/services/forwarding): a user who
 * forwards busy calls elsewhere has them forwarded, as in miniSIPServer.
 */
import { unlink } from "node:fs/promises";
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { MediaServer, Speech } from "../../media/media-server.js";
import type { LocalUser } from "../../store/index.js";
import type { Mailboxes } from "./mailboxes.js";

/** The named service that deposits into the mailbox its argument names (a hunt group's no-answer action). */
export const VOICEMAIL_DEPOSIT_SERVICE = "voicemail-deposit";

/** After forwarding on failure (50). */
export const VOICEMAIL_ORDER = 60;

export interface DepositOptions {
  readonly points: DetectionPointTable;
  readonly media: MediaServer;
  readonly mailboxes: Mailboxes;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly maxMs: number;
  readonly minMs: number;
  /** 0 = silence never ends a message. */
  readonly silenceMs: number;
  readonly onError: (error: unknown, context: string) => void;
  readonly onDeposit?: (mailbox: string, durationMs: number) => void;
  /** The tenant's storage is full (issue 21): no message is taken, the call fails as it would. */
  readonly storageFull?: () => boolean;
}

type Failure = "busy" | "noAnswer" | "unreachable";

/**
 * Whether this user takes messages on this failure. A follow-me whose destinations all failed
 * (busy ones included) is an unanswered call to the user (MSS V3.1.6: voicemail after follow-me),
 * told apart from the user's own busy path (do not disturb, no call waiting), which is decided
 * before any call exists and so has no call id.
 */
export function takesMessages(user: LocalUser, failure: Failure, afterRinging: boolean): boolean {
  if (failure !== "busy") return user.voicemailOnUnreachableOrNoAnswer;
  const followMe = user.followMe.destinations.some((d) => d.trim() !== "");
  if (afterRinging && followMe) return user.voicemailOnUnreachableOrNoAnswer || user.voicemailOnBusy;
  return user.voicemailOnBusy;
}

export function registerVoicemailDeposit(o: DepositOptions): () => void {
  const calleeUser = async (context: PointContext): Promise<LocalUser | undefined> =>
    context.calleeUser ??
    (context.callee === undefined
      ? undefined
      : (await o.users.lookup(context.callee.domainId, context.callee.user))?.user);

  const onFailure =
    (failure: Failure) =>
    async (context: PointContext): Promise<Verdict | undefined> => {
      const user = await calleeUser(context);
      const afterRinging = context.callId !== undefined;
      if (user === undefined || context.callee === undefined || !takesMessages(user, failure, afterRinging)) {
        return undefined;
      }
      if (o.storageFull?.()) return undefined;
      return depositVerdict(o, context, user);
    };

  const removals = [
    o.points.decide("busy", "voicemail.busy", onFailure("busy"), VOICEMAIL_ORDER),
    o.points.decide("noAnswer", "voicemail.noAnswer", onFailure("noAnswer"), VOICEMAIL_ORDER),
    o.points.decide("unreachable", "voicemail.unreachable", onFailure("unreachable"), VOICEMAIL_ORDER),
    o.points.service(VOICEMAIL_DEPOSIT_SERVICE, async (context): Promise<Verdict> => {
      const user = (await o.users.lookup(context.caller.domainId, context.argument))?.user;
      if (user === undefined) return { kind: "refuse", code: "not-found" };
      return o.storageFull?.() ? { kind: "refuse", code: "busy" } : depositVerdict(o, context, user);
    }),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}

function depositVerdict(o: DepositOptions, context: PointContext, user: LocalUser): Verdict {
  const domainId = user.domainId;
  const mailbox = user.name;
  const caller = context.caller;
  return {
    kind: "endpoint",
    target: {
      party: { domainId, user: mailbox, displayName: "Voicemail" },
      endpoint: o.media.sipEndpoint("parley:voicemail", async ({ endpoint }) => {
        const greeting: Speech[] = (await o.mailboxes.hasGreeting(domainId, mailbox))
          ? [{ file: o.mailboxes.greetingPath(domainId, mailbox) }]
          : [
              { prompt: "vm-person-at-extension" },
              { digits: mailbox },
              { prompt: "vm-is-unavailable" },
              { prompt: "leave-message" },
            ];
        const intro = await endpoint.play(o.media.speech(greeting), { interruptDigits: "#" });
        if (intro.reason === "hangup") return;
        const beep = await endpoint.play(o.media.speech([{ tone: "beep" }]));
        if (beep.reason === "hangup") return;
        const file = await o.mailboxes.temporaryFile();
        const recorded = await endpoint.record({
          file,
          maxMs: o.maxMs,
          minMs: o.minMs,
          silenceMs: o.silenceMs,
          endDigits: "#",
        });
        if (recorded.saved !== true) {
          await unlink(file).catch(() => {});
          if (recorded.reason !== "hangup") {
            await endpoint.play(o.media.speech([{ prompt: "goodbye" }, { silenceMs: 300 }]));
          }
          return;
        }
        const durationMs = recorded.durationMs ?? 0;
        try {
          await o.mailboxes.deposit({
            domainId,
            mailbox,
            caller: caller.user,
            callerName: caller.displayName,
            callId: context.callId ?? "",
            file,
            durationMs,
          });
          o.onDeposit?.(mailbox, durationMs);
        } catch (error) {
          o.onError(error, "voicemail deposit");
          await unlink(file).catch(() => {});
          return;
        }
        if (recorded.reason !== "hangup") {
          await endpoint.play(
            o.media.speech([{ prompt: "message-saved" }, { prompt: "goodbye" }, { silenceMs: 300 }]),
          );
        }
      }),
    },
  };
}
