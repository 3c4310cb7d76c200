/**
 * Voicemail access by phone (issue 15): two feature codes whose verdict connects the caller to a
 * media endpoint running an access session (access-session.ts has the menus and keys).
 * - `*97` (setting voicemailCode): the caller's own mailbox. Only a local user has one: an
 *   outside caller (a trunk's or a line's) gets 403. The PIN is asked only when the user set one.
 * - `*98` (setting voicemailAnyCode): any mailbox of the caller's domain, by its number and PIN,
 *   from any phone, an outside one included (reaching your mailbox from your mobile is what it is
 *   for); `*98<mailbox>` names the mailbox in the code, so only the PIN is asked. A mailbox whose
 *   user set no PIN cannot be reached this way. The PIN is the only guard: three tries a call,
 *   each failure logged as a warning.
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { MediaServer } from "../../media/media-server.js";
import type { LocalUser } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import type { FeatureCodeTable } from "../feature-codes.js";
import { type AccessLogin, type MailboxOwner, VoicemailAccessSession } from "./access-session.js";
import type { Mailboxes } from "./mailboxes.js";

export interface VoicemailAccessOptions {
  readonly points: DetectionPointTable;
  readonly features: FeatureCodeTable;
  readonly media: MediaServer;
  readonly mailboxes: Mailboxes;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  /** The feature codes; "" turns one off. */
  readonly codes: { readonly own: string; readonly any: string };
  readonly logger: Logger;
}

const OWN = "voicemail-access.own";
const ANY = "voicemail-access.any";

const ownerOf = (user: LocalUser): MailboxOwner => ({
  domainId: user.domainId,
  name: user.name,
  pin: user.voicemailPin,
});

/** The access codes alone (feature-code-catalogue.ts lists them with no media). */
export function addVoicemailAccessCodes(
  features: FeatureCodeTable,
  codes: VoicemailAccessOptions["codes"],
): Array<() => void> {
  return [
    features.add(codes.own, OWN, { description: "Voicemail: your own mailbox" }),
    features.add(codes.any, ANY, { description: "Voicemail: any mailbox, by its number and PIN" }),
    features.add(codes.any, ANY, { argument: true }),
  ];
}

export function registerVoicemailAccess(o: VoicemailAccessOptions): () => void {
  const { media, logger } = o;
  const connect = (context: PointContext & { number: string }, login: AccessLogin): Verdict => ({
    kind: "endpoint",
    target: {
      party: { domainId: context.caller.domainId, user: context.number, displayName: "Voicemail" },
      endpoint: media.sipEndpoint("parley:voicemail-access", async ({ endpoint }) => {
        const session = new VoicemailAccessSession({
          endpoint,
          speak: (parts) => media.speech(parts),
          language: media.language,
          mailboxes: o.mailboxes,
          login,
          caller: context.caller.user,
          logger,
        });
        await session.run();
      }),
    },
  });

  const removals = [
    o.points.service(OWN, (context) => {
      const user = context.callerUser;
      if (user === undefined || context.inbound !== undefined)
        return { kind: "refuse", code: "feature-code-forbidden" };
      return connect(context, { kind: "own", owner: ownerOf(user) });
    }),
    o.points.service(ANY, (context) => {
      const domainId = context.caller.domainId;
      return connect(context, {
        kind: "any",
        mailbox: context.argument === "" ? undefined : context.argument,
        find: async (mailbox) => {
          const found = await o.users.lookup(domainId, mailbox);
          return found === undefined ? undefined : ownerOf(found.user);
        },
      });
    }),
    ...addVoicemailAccessCodes(o.features, o.codes),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}
