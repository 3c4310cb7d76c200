/**
 * One caller's way into a conference room (issue 17), as the script of its media endpoint:
 * - an ad-hoc room (a number not configured): straight into the mixer, as before rooms were
 *   configured (FEATURES.md: `*6*room#`; a `*password` is ignored);
 * - a configured room: a locked room says "conference-locked"; a full one "conference-full"
 *   (the caller over `maxMembers` is refused, miniSIPServer's default 5); a room with a PIN asks
 *   for it ("conference-pin", unless `*6*room*PIN#` carried it) and after three wrong tries says
 *   "invalid", "goodbye" and hangs up; the moderator PIN makes the caller the moderator; then
 *   "conference-joined", and "conference-only-participant" when nobody else is in the mixer; a room
 *   that waits for its moderator plays music on hold to members until one is in.
 * Everyone in the mixer hears the join and leave tones (the mixer's, `conference(room, {tones})`).
 */
import type { MediaServer, Speech } from "../../media/media-server.js";
import type { MediaScriptContext } from "../../media/sip-media-endpoint.js";
import type { ConferenceRoom } from "../../store/conference-room-model.js";
import type { ConferenceMember, LiveConferences } from "./conference-live.js";

/** Wrong PINs before the caller is let go ("a wrong PIN three times (hung up politely)"). */
export const PIN_TRIES = 3;
/** How long the caller has to start and to go on typing its PIN. */
const FIRST_DIGIT_MS = 10_000;
const INTER_DIGIT_MS = 5_000;

export interface JoinRequest {
  readonly domainId: number;
  readonly number: string;
  /** The room's configuration; undefined: an ad-hoc room. */
  readonly room: ConferenceRoom | undefined;
  /** The PIN the dialled string carried (`*6*room*PIN#`), if any. */
  readonly pin: string | undefined;
  readonly who: { readonly user: string; readonly displayName: string };
}

export interface MemberDeps {
  readonly media: MediaServer;
  readonly live: LiveConferences;
  readonly now: () => number;
}

type Role = "member" | "moderator";

/** The endpoint's script: the caller's whole stay, from arrival to its leaving the room. */
export async function conferenceMember(
  deps: MemberDeps,
  request: JoinRequest,
  context: MediaScriptContext,
): Promise<void> {
  if (context.ended) return;
  const { live } = deps;
  const { domainId, number } = request;
  const member = live.arrive(
    domainId,
    number,
    request.who,
    context.endpoint,
    () => context.hangup(),
    deps.now(),
  );
  try {
    const room = request.room;
    if (room !== undefined) {
      const role = await admit(deps, room, request, context);
      if (role === undefined) return;
      member.moderator = role === "moderator";
      await greet(deps, room, request, context, member);
    }
    if (context.ended) return;
    const inRoom = context.endpoint.conference(keyOf(request), { muted: member.muted });
    live.joined(domainId, number, member);
    await inRoom;
  } finally {
    live.leave(domainId, number, member);
  }
}

function keyOf(request: JoinRequest): string {
  return `${request.domainId}:${request.number}`;
}

async function say(deps: MemberDeps, context: MediaScriptContext, speech: Speech[]): Promise<void> {
  await context.endpoint.play(deps.media.speech(speech));
}

/** Locked, full, the PIN: the caller's role, or undefined when it is refused (and was told why). */
async function admit(
  deps: MemberDeps,
  room: ConferenceRoom,
  request: JoinRequest,
  context: MediaScriptContext,
): Promise<Role | undefined> {
  if (room.locked) {
    await say(deps, context, [{ prompt: "conference-locked" }, { silenceMs: 300 }]);
    return undefined;
  }
  // The caller counts itself: one over the maximum is refused before it types anything.
  if (deps.live.count(request.domainId, request.number) > room.maxMembers) {
    await say(deps, context, [{ prompt: "conference-full" }, { silenceMs: 300 }]);
    return undefined;
  }
  const given = request.pin ?? "";
  const check = (pin: string): Role | undefined => {
    if (room.moderatorPin !== "" && pin === room.moderatorPin) return "moderator";
    if (room.pin === "" || pin === room.pin) return "member";
    return undefined;
  };
  // No PIN asked: a room without one lets everyone in (a moderator says its PIN in the dial string).
  if (room.pin === "") return check(given);
  let tries = 0;
  if (given !== "") {
    const role = check(given);
    if (role !== undefined) return role;
    tries = 1;
    await say(deps, context, [{ prompt: "invalid" }]);
  }
  while (tries < PIN_TRIES && !context.ended) {
    const prompt = context.endpoint.play(deps.media.speech([{ prompt: "conference-pin" }]), {
      interruptDigits: "0123456789*#",
    });
    await prompt;
    const typed = await context.endpoint.collect({
      max: 16,
      terminators: "#",
      firstDigitMs: FIRST_DIGIT_MS,
      interDigitMs: INTER_DIGIT_MS,
    });
    if (typed.reason === "hangup" || context.ended) return undefined;
    const role = check(typed.digits ?? "");
    if (role !== undefined) return role;
    tries++;
    await say(deps, context, [{ prompt: "invalid" }]);
  }
  if (!context.ended) await say(deps, context, [{ prompt: "goodbye" }, { silenceMs: 300 }]);
  return undefined;
}

/** "Joined", "the only participant", and the wait for a moderator when the room asks for one. */
async function greet(
  deps: MemberDeps,
  room: ConferenceRoom,
  request: JoinRequest,
  context: MediaScriptContext,
  member: ConferenceMember,
): Promise<void> {
  const { live } = deps;
  const alone = live.joinedCount(request.domainId, request.number) === 0;
  await say(
    deps,
    context,
    alone
      ? [{ prompt: "conference-joined" }, { prompt: "conference-only-participant" }]
      : [{ prompt: "conference-joined" }],
  );
  if (!room.waitForModerator || member.moderator || context.ended) return;
  const wait = live.untilModerator(request.domainId, request.number);
  const music = context.endpoint.play(deps.media.speech([{ music: "default" }]), { loop: true });
  await Promise.race([wait.promise, music.result]);
  wait.cancel();
  music.stop();
  await music;
}
