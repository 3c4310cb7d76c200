/**
 * What voicemail access by phone says (issue 15), as speech for the media server, and the order
 * it plays the messages in. Pure, so the wording is tested without a call.
 */
import type { Speech } from "../../media/media-server.js";
import type { PromptLanguage } from "../../media/prompts/catalogue.js";
import { sayCount } from "../../media/prompts/say.js";
import type { MessageCounts, VoicemailMessage } from "../../store/index.js";
import { localTime, sayDateTime } from "./say-date.js";

/** New messages first, then old ones; oldest first within each (Asterisk's order). */
export function playbackOrder(messages: readonly VoicemailMessage[]): VoicemailMessage[] {
  const byAge = (a: VoicemailMessage, b: VoicemailMessage) => a.receivedAt - b.receivedAt || a.id - b.id;
  return [
    ...messages.filter((m) => m.folder === "new").sort(byAge),
    ...messages.filter((m) => m.folder === "old").sort(byAge),
  ];
}

/**
 * "You have two new messages and one old message." / 您有两条新留言，一条旧留言。 A folder with
 * nothing in it is left out; an empty mailbox is "You have no messages."
 */
export function countsSpeech(counts: MessageCounts, lang: PromptLanguage): Speech[] {
  if (counts.new === 0 && counts.old === 0) return [{ prompt: "no-messages" }];
  const parts: Speech[] = [{ prompt: "you-have" }];
  const say = (n: number, noun: "new-message" | "old-message") => {
    for (const prompt of sayCount(n, noun, lang)) parts.push({ prompt });
  };
  if (counts.new > 0) say(counts.new, "new-message");
  // English joins the two with "and"; Chinese lists them (the catalogue has no zh "and").
  if (counts.new > 0 && counts.old > 0 && lang === "en") parts.push({ prompt: "word-and" });
  if (counts.old > 0) say(counts.old, "old-message");
  return parts;
}

/**
 * The envelope of a message: "Message received on Monday, December seventh, at three forty five
 * P M, from one zero one." The caller's number is read digit by digit; a caller that is not a
 * number (anonymous, a name) is "an unknown caller".
 */
export function envelopeSpeech(message: VoicemailMessage, lang: PromptLanguage, now: number): Speech[] {
  const parts: Speech[] = [{ prompt: "vm-received-on" }];
  const when = sayDateTime(localTime(message.receivedAt), lang, localTime(now).year);
  for (const prompt of when) parts.push({ prompt });
  if (/^\+?[0-9*#]+$/.test(message.caller)) parts.push({ prompt: "vm-from" }, { digits: message.caller });
  else parts.push({ prompt: "vm-from-unknown-caller" });
  return parts;
}

/** The main menu; deleting the greeting is offered only when the user recorded one. */
export function mainMenuSpeech(hasGreeting: boolean): Speech[] {
  return hasGreeting
    ? [{ prompt: "voicemail-menu" }, { prompt: "vm-delete-greeting-option" }]
    : [{ prompt: "voicemail-menu" }];
}
