/**
 * One call to voicemail by phone (issue 15), after Asterisk's VoiceMailMain (FreePBX *97/*98),
 * simplified:
 * - login: the caller's own mailbox (*97) asks its PIN only when the user set one (the phone is
 *   already authenticated by digest); any mailbox (*98) asks the mailbox number, then its PIN, and
 *   a mailbox with no PIN cannot be reached that way. Three tries, each failure "login incorrect"
 *   whether or not the mailbox exists; then goodbye.
 * - "You have two new messages and one old message."
 * - the main menu: 1 listen, 5 record the greeting (beep, at most 60 s, # ends), 6 delete it
 *   (offered when there is one: callers hear the system greeting again), * or # goodbye.
 * - the messages, new ones first, then old ones, oldest first within each: "First message.
 *   Message received on <date and time> from <caller>", the recording, then the message menu:
 *   7 delete, 9 save (to old), 4 or 5 again, 6 or # next, * back to the main menu. After the last,
 *   "no more messages" and the main menu.
 * Any key stops the prompt or recording being played; a menu's key pressed then counts (the media
 * endpoint keeps it as type-ahead for the collection that follows). A menu met by silence is
 * repeated, three times at most, then goodbye. A new message that was heard (its recording
 * started) moves to old when the caller moves on, goes back to the menu or hangs up, as in
 * Asterisk. Every change goes through Mailboxes, so MWI and the admin UI hear of it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { unlink } from "node:fs/promises";
import type { OpResult, PlayItem } from "../../media/endpoint/endpoint-protocol.js";
import type { CollectOptions, RecordOptions } from "../../media/endpoint-handle.js";
import type { Speech } from "../../media/media-server.js";
import type { PromptLanguage } from "../../media/prompts/catalogue.js";
import type { VoicemailMessage } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import { countsSpeech, envelopeSpeech, mainMenuSpeech, playbackOrder } from "./access-speech.js";
import type { Mailboxes } from "./mailboxes.js";

/** Tries at the login, and silent menus before goodbye. */
export const TRIES = 3;
/** How long a menu waits for its key after the prompt. */
export const KEY_WAIT_MS = 5000;
/** A PIN or mailbox number: the first digit, then each next one. */
const ENTRY_FIRST_MS = 10_000;
const ENTRY_NEXT_MS = 5000;
/** The store keeps PINs of up to 16 digits (migration 005). */
const PIN_MAX = 16;
const MAILBOX_MAX = 32;
export const GREETING_MAX_MS = 60_000;
/** A shorter greeting (a # pressed at once) is not saved. */
export const GREETING_MIN_MS = 1000;
const ANY_KEY = "0123456789*#";

/** What the session needs of a media endpoint (EndpointHandle has it). */
export interface AccessEndpoint {
  play(items: readonly PlayItem[], options?: { interruptDigits?: string }): PromiseLike<OpResult>;
  collect(options: CollectOptions): PromiseLike<OpResult>;
  record(options: RecordOptions): PromiseLike<OpResult>;
}

export type AccessMailboxes = Pick<
  Mailboxes,
  | "list"
  | "counts"
  | "audioPath"
  | "setFolder"
  | "delete"
  | "hasGreeting"
  | "saveGreeting"
  | "deleteGreeting"
  | "temporaryFile"
>;

export interface MailboxOwner {
  readonly domainId: number;
  /** The user's name, which is the mailbox's. */
  readonly name: string;
  /** "" = none. */
  readonly pin: string;
}

export type AccessLogin =
  /** *97: the caller's own mailbox. */
  | { readonly kind: "own"; readonly owner: MailboxOwner }
  /** *98: a mailbox by number (asked unless the code carried it) and PIN. */
  | {
      readonly kind: "any";
      readonly mailbox: string | undefined;
      readonly find: (mailbox: string) => Promise<MailboxOwner | undefined>;
    };

export interface AccessSessionOptions {
  readonly endpoint: AccessEndpoint;
  /** MediaServer.speech in the system's language. */
  readonly speak: (parts: readonly Speech[]) => PlayItem[];
  readonly language: PromptLanguage;
  readonly mailboxes: AccessMailboxes;
  readonly login: AccessLogin;
  /** Who called, for the log. */
  readonly caller: string;
  readonly logger: Pick<Logger, "info" | "warn">;
  readonly now?: () => number;
}

/** What the caller did when asked: keys, nothing in time, or hung up. */
type Answer =
  | { readonly kind: "keys"; readonly keys: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "hangup" };
/** How a prompt ended, as the menus see it. */
type Said = "completed" | "interrupted" | "hangup";
const HANGUP = { kind: "hangup" } as const;

/** Compares in constant time (hashes have one length), so timing tells nothing of the PIN. */
function pinMatches(pin: string, entered: string): boolean {
  const hash = (s: string) => createHash("sha256").update(s).digest();
  return pin !== "" && timingSafeEqual(hash(pin), hash(entered));
}

export class VoicemailAccessSession {
  private readonly now: () => number;

  constructor(private readonly o: AccessSessionOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The whole call; resolves when Parley should hang up (or the caller did). */
  async run(): Promise<void> {
    const owner = await this.login();
    if (owner === undefined) return;
    const counts = await this.o.mailboxes.counts(owner.domainId, owner.name);
    const said = await this.say(countsSpeech(counts, this.o.language));
    if (said !== "hangup") await this.mainMenu(owner, said);
  }

  private async login(): Promise<MailboxOwner | undefined> {
    const { login, logger, caller } = this.o;
    if (login.kind === "own" && login.owner.pin === "") {
      logger.info({ mailbox: login.owner.name, caller }, "voicemail login");
      return login.owner;
    }
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      let mailbox = login.kind === "own" ? login.owner.name : login.mailbox;
      if (mailbox === undefined) {
        const entered = await this.ask([{ prompt: "enter-mailbox" }], MAILBOX_MAX, "#", ENTRY_FIRST_MS);
        if (entered.kind === "hangup") return undefined;
        mailbox = entered.kind === "keys" ? entered.keys : "";
      }
      const pin = await this.ask([{ prompt: "enter-pin" }], PIN_MAX, "#", ENTRY_FIRST_MS);
      if (pin.kind === "hangup") return undefined;
      // The PIN is asked before the mailbox is looked up: no hint whether it exists.
      const owner =
        login.kind === "own" ? login.owner : mailbox === "" ? undefined : await login.find(mailbox);
      if (owner !== undefined && pin.kind === "keys" && pinMatches(owner.pin, pin.keys)) {
        logger.info({ mailbox: owner.name, caller }, "voicemail login");
        return owner;
      }
      logger.warn({ mailbox, caller, attempt }, "voicemail login failed");
      const last = attempt === TRIES;
      const said = await this.say(
        last
          ? [{ prompt: "login-incorrect" }, { prompt: "goodbye" }, { silenceMs: 300 }]
          : [{ prompt: "login-incorrect" }],
        "",
      );
      if (said === "hangup") return undefined;
    }
    return undefined;
  }

  /** `said`: how the prompt before the menu ended (a key that stopped it answers the menu). */
  private async mainMenu(owner: MailboxOwner, said: Said): Promise<void> {
    const { mailboxes, logger } = this.o;
    let silent = 0;
    for (;;) {
      const greeting = await mailboxes.hasGreeting(owner.domainId, owner.name);
      if (said === "completed") said = await this.say(mainMenuSpeech(greeting));
      const answer = said === "hangup" ? HANGUP : await this.keys(1, "", KEY_WAIT_MS);
      if (answer.kind === "hangup") return;
      said = "completed";
      if (answer.kind === "timeout") {
        silent++;
        if (silent >= TRIES) return this.goodbye();
        continue;
      }
      silent = 0;
      if (answer.keys === "1") said = await this.listen(owner);
      else if (answer.keys === "5") said = await this.recordGreeting(owner);
      else if (answer.keys === "6" && greeting) {
        await mailboxes.deleteGreeting(owner.domainId, owner.name);
        logger.info({ mailbox: owner.name }, "voicemail greeting deleted by phone");
        said = await this.say([{ prompt: "greeting-deleted" }]);
      } else if (answer.keys === "*" || answer.keys === "#") return this.goodbye();
      else said = await this.say([{ prompt: "invalid" }]);
    }
  }

  /** Every message in turn; resolves to how its last prompt ended (the main menu follows). */
  private async listen(owner: MailboxOwner): Promise<Said> {
    const messages = playbackOrder(await this.o.mailboxes.list(owner.domainId, owner.name));
    if (messages.length === 0) return this.say([{ prompt: "no-messages" }]);
    for (const [index, message] of messages.entries()) {
      const next = await this.message(message, index);
      if (next === "hangup") return "hangup";
      if (next === "menu") return "completed";
    }
    return this.say([{ prompt: "no-more-messages" }]);
  }

  /** One message: its envelope, its recording, its menu. */
  private async message(message: VoicemailMessage, index: number): Promise<"next" | "menu" | "hangup"> {
    const { mailboxes, logger } = this.o;
    const { domainId, id, mailbox } = message;
    // Keys pressed before (during "message deleted") must not answer this message's menu.
    await this.discardTypeAhead();
    let heard = false;
    let fromTop = true;
    let silent = 0;
    /** Leaving a new message that was heard moves it to old. */
    const leave = async (): Promise<void> => {
      if (heard && message.folder === "new") await mailboxes.setFolder(domainId, id, "old");
    };
    /** How the last prompt ended: a key that stopped it answers the menu without hearing it. */
    let said: Said = "completed";
    for (;;) {
      if (fromTop) {
        said = await this.say([
          { prompt: index === 0 ? "first-message" : "next-message" },
          ...envelopeSpeech(message, this.o.language, this.now()),
        ]);
        if (said === "completed") {
          heard = true;
          said = await this.say([{ file: mailboxes.audioPath(message) }]);
        }
        fromTop = false;
      }
      if (said === "completed") said = await this.say([{ prompt: "message-menu" }]);
      const answer = said === "hangup" ? HANGUP : await this.keys(1, "", KEY_WAIT_MS);
      if (answer.kind === "hangup") {
        await leave();
        return "hangup";
      }
      said = "completed";
      if (answer.kind === "timeout") {
        silent++;
        if (silent < TRIES) continue;
        await leave();
        await this.goodbye();
        return "hangup";
      }
      silent = 0;
      switch (answer.keys) {
        case "7":
          await mailboxes.delete(domainId, id);
          logger.info({ mailbox, message: id }, "voice message deleted by phone");
          return this.next(await this.say([{ prompt: "message-deleted" }]));
        case "9":
          await mailboxes.setFolder(domainId, id, "old");
          logger.info({ mailbox, message: id }, "voice message saved by phone");
          return this.next(await this.say([{ prompt: "vm-message-kept" }]));
        case "4":
        case "5":
          fromTop = true;
          break;
        case "6":
        case "#":
          await leave();
          return "next";
        case "*":
          await leave();
          return "menu";
        default:
          said = await this.say([{ prompt: "invalid" }]);
          if (said === "hangup") {
            await leave();
            return "hangup";
          }
      }
    }
  }

  private async recordGreeting(owner: MailboxOwner): Promise<Said> {
    const { mailboxes, endpoint } = this.o;
    if ((await this.say([{ prompt: "record-greeting" }, { tone: "beep" }], "")) === "hangup") return "hangup";
    // A # pressed before the beep must not answer the menu after the greeting.
    await this.discardTypeAhead();
    const file = await mailboxes.temporaryFile();
    const recorded = await endpoint.record({
      file,
      maxMs: GREETING_MAX_MS,
      minMs: GREETING_MIN_MS,
      endDigits: "#",
    });
    // NOTE: a greeting cut short by hanging up is not kept: the user heard no "saved".
    if (recorded.saved !== true || recorded.reason === "hangup") {
      await unlink(file).catch(() => {});
      if (recorded.reason === "hangup") return "hangup";
      if (recorded.reason === "failed") throw new Error(`greeting not recorded: ${recorded.error}`);
      return this.say([{ prompt: "greeting-too-short" }]);
    }
    await mailboxes.saveGreeting(owner.domainId, owner.name, file);
    this.o.logger.info(
      { mailbox: owner.name, durationMs: recorded.durationMs },
      "voicemail greeting recorded by phone",
    );
    return this.say([{ prompt: "greeting-saved" }]);
  }

  /** Plays speech, stopped by any of `interrupt`; the stopping key stays as type-ahead. */
  private async say(parts: readonly Speech[], interrupt = ANY_KEY): Promise<Said> {
    const result = await this.o.endpoint.play(this.o.speak(parts), { interruptDigits: interrupt });
    if (result.reason === "hangup") return "hangup";
    return result.reason === "interrupted" ? "interrupted" : "completed";
  }

  /** Collects up to `max` keys (those typed ahead first) until a terminator or silence. */
  private async keys(max: number, terminators: string, firstMs: number): Promise<Answer> {
    const result = await this.o.endpoint.collect({
      max,
      terminators,
      firstDigitMs: firstMs,
      interDigitMs: max === 1 ? firstMs : ENTRY_NEXT_MS,
    });
    if (result.reason === "hangup") return HANGUP;
    const keys = result.digits ?? "";
    // A terminator alone is an (empty) answer; silence, or an operation that failed, is none.
    return result.reason === "completed" || keys !== "" ? { kind: "keys", keys } : { kind: "timeout" };
  }

  /** A prompt, then its answer (a key pressed during the prompt stops it and is the answer). */
  private async ask(parts: readonly Speech[], max: number, terminators: string, firstMs: number) {
    if ((await this.say(parts)) === "hangup") return HANGUP;
    return this.keys(max, terminators, firstMs);
  }

  /** Forgets the keys typed ahead: a collection without them that ends at its first frame. */
  private async discardTypeAhead(): Promise<void> {
    await this.o.endpoint.collect({ max: 1, firstDigitMs: 1, interDigitMs: 1, typeAhead: false });
  }

  private async goodbye(): Promise<void> {
    // The silence lets the last frames reach the phone before the BYE.
    await this.say([{ prompt: "goodbye" }, { silenceMs: 300 }], "");
  }

  private next(said: Said): "next" | "hangup" {
    return said === "hangup" ? "hangup" : "next";
  }
}
