/**
 * The message-summary event package (RFC 3842): message-waiting indication for a user's voice
 * mailbox. A user may watch its own mailbox only.
 */
import type { MessageCounts } from "../store/index.js";
import type { Admission, EventPackage, SubscriptionTarget } from "./event-package.js";

/** RFC 3842 section 4: the package name. */
export const MESSAGE_SUMMARY = "message-summary";
/** RFC 3842 section 5: the body's media type. */
export const SIMPLE_MESSAGE_SUMMARY = "application/simple-message-summary";
/** The subscription duration when a SUBSCRIBE names none, seconds (the registrar's default too). */
const DEFAULT_EXPIRES = 3600;

/** The account URI of a mailbox: sip:<user>@<host>. */
export function mailboxUri(user: string, host: string): string {
  return `sip:${user}@${host}`;
}

/**
 * The body (RFC 3842 5.2): the status line "Messages-Waiting: yes" when there are new messages
 * ("no" otherwise), the Message-Account, and one summary line for the voice-message context class
 * (RFC 3458) as new/old with the urgent counts in parentheses (Parley has no urgent messages).
 */
export function messageSummaryBody(account: string, counts: MessageCounts): string {
  return (
    `Messages-Waiting: ${counts.new > 0 ? "yes" : "no"}\r\n` +
    `Message-Account: ${account}\r\n` +
    `Voice-Message: ${counts.new}/${counts.old} (0/0)\r\n`
  );
}

export interface MessageSummaryOptions {
  /** A mailbox's counts (the voicemail store). */
  readonly counts: (domainId: number, user: string) => Promise<MessageCounts>;
  /** The host of the Message-Account URIs: Parley's domain or address. */
  readonly host: string;
}

const OWN_MAILBOX_ONLY: Admission = {
  ok: false,
  status: 403,
  reason: "Only Your Own Mailbox May Be Watched",
};
const ADMITTED: Admission = { ok: true };

export function messageSummaryPackage(o: MessageSummaryOptions): EventPackage {
  return {
    name: MESSAGE_SUMMARY,
    contentType: SIMPLE_MESSAGE_SUMMARY,
    defaultExpires: DEFAULT_EXPIRES,
    // RFC 3842 section 7 (security): the summary is the mailbox owner's business only.
    admit: (target: SubscriptionTarget) => (target.resource === target.watcher ? ADMITTED : OWN_MAILBOX_ONLY),
    body: async (target: SubscriptionTarget) =>
      messageSummaryBody(
        mailboxUri(target.resource, o.host),
        await o.counts(target.domainId, target.resource),
      ),
  };
}
