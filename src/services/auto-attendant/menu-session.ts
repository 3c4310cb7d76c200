/**
 * One caller in the auto-attendant (issue 17), after FreePBX's IVR and miniSIPServer's
 * auto-attendant:
 * - the menu's greeting plays (the uploaded one in the system's language, else its prompts); any
 *   key stops it and counts (the endpoint keeps it as type-ahead);
 * - the first key is awaited `firstDigitTimeout` seconds. With direct dialling on, a digit may
 *   begin an extension number: the next digits are collected, each within `interDigitTimeout`,
 *   until # or `maxDigits`. One key alone (nothing followed it in time) is that key's action;
 *   several digits are an extension, rung when it is a local user or one of Parley's own numbers
 *   (a hunt group's, a conference room's); never a number through the dial plan (no calls out
 *   from a direct dial); anything else is an invalid entry;
 * - silence repeats the menu; after `tries` silences the timeout action runs. A key without an
 *   action, or an unknown extension, says "invalid, try again"; after `tries` of them the invalid
 *   action runs;
 * - an action rings a user, a number (dial plan), a group, the operator, or a user's voicemail:
 *   the caller hears ring-back while it rings, and is handed on when it answers. A user deleted
 *   since the menu was saved is "the number you dialled does not exist" and the menu repeats; a
 *   failed call ("busy", "no answer", ...) says so and the menu repeats too. A sub-menu starts
 *   over there; "back" returns to the menu the caller came from; "hangup" says goodbye.
 */
import type { FinalStatus } from "../../call/media-endpoint.js";
import type { OpResult, PlayItem } from "../../media/endpoint/endpoint-protocol.js";
import type { CollectOptions } from "../../media/endpoint-handle.js";
import type { Speech } from "../../media/media-server.js";
import type { PromptName } from "../../media/prompts/catalogue.js";
import type { AutoAttendantMenu, MenuAction, MenuKey } from "../../store/auto-attendant-model.js";
import type { Logger } from "../../util/logger.js";

/** What the session needs of a media endpoint (EndpointHandle has it). */
export interface AttendantEndpoint {
  play(
    items: readonly PlayItem[],
    options?: { interruptDigits?: string; loop?: boolean },
  ): PromiseLike<OpResult> & { stop(): void };
  collect(options: CollectOptions): PromiseLike<OpResult>;
}

/** Where an action sends the caller, and why (for the CDR: which menu, which key). */
export interface Connection {
  readonly action: MenuAction;
  readonly menu: string;
  /** The key pressed, the extension dialled, or "timeout" / "invalid". */
  readonly key: string;
}

export interface MenuSessionOptions {
  readonly endpoint: AttendantEndpoint;
  /** MediaServer.speech in the system's language. */
  readonly speak: (parts: readonly Speech[]) => PlayItem[];
  /** A menu by name; undefined when it was deleted since. */
  readonly menu: (name: string) => Promise<AutoAttendantMenu | undefined>;
  /** The uploaded greeting of a menu in the system's language, if any. */
  readonly greeting: (menu: string) => string | undefined;
  readonly userExists: (name: string) => Promise<boolean>;
  /** Whether a number dialled directly is a group's (a hunt group, a conference room), not a user's. */
  readonly groupExists: (number: string) => Promise<boolean>;
  /** Hands the caller on: 200 once connected (the session is over), else why not. */
  readonly connect: (to: Connection) => Promise<FinalStatus>;
  /** Who called, for the log. */
  readonly caller: string;
  readonly logger: Pick<Logger, "info" | "warn">;
}

const ANY_KEY = "0123456789*#";
type Said = "completed" | "interrupted" | "hangup";
type Entry = { kind: "keys"; keys: string } | { kind: "timeout" } | { kind: "hangup" };
/** What the menu loop does next. */
type Next = { kind: "menu"; menu: AutoAttendantMenu; said?: Said } | { kind: "done" };

/** What the caller hears when a call from the menu fails, by its status (and 480's reason). */
export function failurePrompt({ status, reason }: FinalStatus): PromptName {
  if (status === 404 || status === 484 || status === 604) return "number-not-exist";
  if (status === 486 || status === 600) return "busy";
  // 480 is both "rang out" (the no-answer timer) and "no phone to ring".
  if (status === 408 || (status === 480 && reason === "No Answer")) return "no-answer";
  if (status === 480) return "not-available";
  if (status === 403) return "restricted";
  return "call-cannot-be-completed";
}

export class MenuSession {
  /** The menus the caller came through, for "back". */
  private readonly trail: string[] = [];

  constructor(private readonly o: MenuSessionOptions) {}

  /** The whole call, from `start`; resolves when the caller was handed on, hung up or was let go. */
  async run(start: AutoAttendantMenu): Promise<void> {
    let next: Next = { kind: "menu", menu: start };
    while (next.kind === "menu") next = await this.menuLoop(next.menu, next.said);
  }

  /** Runs an action outside a menu (a time condition's destination), then stops. */
  async runAction(action: MenuAction, from: AutoAttendantMenu): Promise<void> {
    const next = await this.act(from, action, "time-condition");
    if (next.kind === "menu") await this.run(next.menu);
  }

  private async menuLoop(menu: AutoAttendantMenu, first?: Said): Promise<Next> {
    let timeouts = 0;
    let invalids = 0;
    let said: Said = first ?? (await this.greet(menu));
    for (;;) {
      if (said === "hangup") return { kind: "done" };
      const entry = await this.entry(menu);
      if (entry.kind === "hangup") return { kind: "done" };
      let action: MenuAction | undefined;
      let key: string;
      if (entry.kind === "timeout") {
        timeouts++;
        if (timeouts < menu.tries) {
          said = await this.greet(menu);
          continue;
        }
        action = menu.timeoutAction;
        key = "timeout";
      } else {
        timeouts = 0;
        key = entry.keys;
        action = menu.keys[key as MenuKey] ?? (await this.extension(menu, key));
        if (action === undefined) {
          invalids++;
          this.o.logger.info(
            { caller: this.o.caller, menu: menu.name, entry: key },
            "auto-attendant: invalid entry",
          );
          if (invalids < menu.tries) {
            said = await this.say([{ prompt: "invalid" }, { prompt: "try-again" }]);
            if (said === "completed") said = await this.greet(menu);
            continue;
          }
          action = menu.invalidAction;
          key = "invalid";
        }
      }
      const next = await this.act(menu, action, key);
      if (next.kind === "done" || next.menu !== menu) return next;
      // The same menu again (repeat, a failed call): its counts start over.
      timeouts = 0;
      invalids = 0;
      // After what was said (a failure, "invalid"), the menu again, unless a key cut it short.
      said = next.said === "interrupted" || next.said === "hangup" ? next.said : await this.greet(menu);
    }
  }

  /** An extension dialled directly: a local user's number, else undefined (invalid). */
  private async extension(menu: AutoAttendantMenu, keys: string): Promise<MenuAction | undefined> {
    if (!menu.directDial || !/^[0-9]+$/.test(keys)) return undefined;
    if (await this.o.userExists(keys)) return { kind: "user", target: keys };
    // Only Parley's own numbers: direct dialling never reaches the dial plan (no calls out).
    if (await this.o.groupExists(keys)) return { kind: "group", target: keys };
    return undefined;
  }

  /** Does what an action says; the menu to go on with, or done. */
  private async act(menu: AutoAttendantMenu, action: MenuAction, key: string): Promise<Next> {
    const o = this.o;
    switch (action.kind) {
      case "repeat":
        return { kind: "menu", menu };
      case "back": {
        const previous = this.trail.pop();
        const back = previous === undefined ? undefined : await o.menu(previous);
        return { kind: "menu", menu: back ?? menu };
      }
      case "menu": {
        const sub = await o.menu(action.target);
        if (sub === undefined) {
          o.logger.warn({ menu: menu.name, key, target: action.target }, "auto-attendant: sub-menu gone");
          return { kind: "menu", menu, said: await this.say([{ prompt: "invalid" }]) };
        }
        if (sub.name !== menu.name) this.trail.push(menu.name);
        return { kind: "menu", menu: sub };
      }
      case "hangup":
        await this.say([{ prompt: "goodbye" }, { silenceMs: 300 }], "");
        return { kind: "done" };
      case "operator":
        return this.call(menu, { kind: "number", target: menu.operator }, key);
      default:
        return this.call(menu, action, key);
    }
  }

  /** Rings what the action names with ring-back meanwhile; done when handed on, else the menu again. */
  private async call(menu: AutoAttendantMenu, action: MenuAction, key: string): Promise<Next> {
    const o = this.o;
    if (action.target === "") return { kind: "menu", menu, said: await this.say([{ prompt: "invalid" }]) };
    // A user deleted since the menu was saved: said plainly, and the menu repeats.
    if ((action.kind === "user" || action.kind === "voicemail") && !(await o.userExists(action.target))) {
      o.logger.warn(
        { menu: menu.name, key, user: action.target },
        "auto-attendant: the menu names a deleted user",
      );
      return { kind: "menu", menu, said: await this.say([{ prompt: "number-not-exist" }]) };
    }
    o.logger.info(
      { caller: o.caller, menu: menu.name, key, action: action.kind, target: action.target },
      "auto-attendant: transferring",
    );
    const ringing = o.endpoint.play(o.speak([{ tone: "ringback" }]), { loop: true });
    const result = await o.connect({ action, menu: menu.name, key }).finally(() => ringing.stop());
    if (result.status >= 200 && result.status < 300) return { kind: "done" };
    o.logger.info({ menu: menu.name, key, status: result.status }, "auto-attendant: transfer failed");
    // 481: the caller hung up meanwhile (or the call is gone); nobody is left to tell.
    if (result.status === 481 || result.status === 487) return { kind: "done" };
    return { kind: "menu", menu, said: await this.say([{ prompt: failurePrompt(result) }]) };
  }

  private greet(menu: AutoAttendantMenu): Promise<Said> {
    const file = this.o.greeting(menu.name);
    if (file !== undefined) return this.play([{ file }]);
    return this.say(menu.greeting.map((p) => ({ prompt: p as PromptName })));
  }

  /** The first key, then, with direct dialling, the rest of an extension number. */
  private async entry(menu: AutoAttendantMenu): Promise<Entry> {
    const first = await this.o.endpoint.collect({
      max: 1,
      firstDigitMs: menu.firstDigitTimeout * 1000,
      interDigitMs: menu.firstDigitTimeout * 1000,
    });
    if (first.reason === "hangup") return { kind: "hangup" };
    const key = first.digits ?? "";
    if (key === "") return { kind: "timeout" };
    if (!menu.directDial || !/^[0-9]$/.test(key) || menu.maxDigits <= 1) return { kind: "keys", keys: key };
    const wait = menu.interDigitTimeout * 1000;
    const rest = await this.o.endpoint.collect({
      max: menu.maxDigits - 1,
      terminators: "#",
      firstDigitMs: wait,
      interDigitMs: wait,
    });
    if (rest.reason === "hangup") return { kind: "hangup" };
    return { kind: "keys", keys: key + (rest.digits ?? "") };
  }

  private say(parts: readonly Speech[], interrupt = ANY_KEY): Promise<Said> {
    return this.play(this.o.speak(parts), interrupt);
  }

  private async play(items: readonly PlayItem[], interrupt = ANY_KEY): Promise<Said> {
    const result = await this.o.endpoint.play(items, { interruptDigits: interrupt });
    if (result.reason === "hangup") return "hangup";
    return result.reason === "interrupted" ? "interrupted" : "completed";
  }
}
