/**
 * The feature codes a local user dials to change its own services (issue 15; FEATURES.md section
 * 6), with miniSIPServer's and Asterisk's defaults, and what each one does to the user: pure, so
 * the rules (the right, the number's syntax, the prompt heard) are tested without a call.
 *
 * Forwarding: `*93*number#` sets unconditional forwarding's number, `*93#` clears it; `*90` busy,
 * `*91` unreachable, `*92` no answer in the same forms. Do not disturb: `*78` on, `*79` off. The
 * final `#` may come raw, escaped as `%23` or not at all (FeatureCodeTable.match).
 */
import type { PromptName } from "../../media/prompts/catalogue.js";
import type { Forwarding, LocalUser, UserPatch } from "../../store/user-model.js";
import { validateUser } from "../../store/user-validation.js";

export type ForwardingKind = keyof Forwarding;

/** The forwarding codes: `<code>*number#` sets the number, `<code>#` clears it. */
export const FORWARDING_CODES: Readonly<Record<ForwardingKind, string>> = {
  unconditional: "*93",
  busy: "*90",
  unreachable: "*91",
  noAnswer: "*92",
};

export const DND_ON_CODE = "*78";
export const DND_OFF_CODE = "*79";

/** What a user code asks for. */
export type UserCodeAction =
  | { readonly kind: "forwarding"; readonly which: ForwardingKind }
  | { readonly kind: "dnd"; readonly on: boolean };

/** What the code does: the change to save (none when refused) and the prompt the caller hears. */
export interface UserCodeOutcome {
  readonly patch?: UserPatch;
  readonly prompt: PromptName;
}

/**
 * The outcome of `action` dialled by `user` with `argument` (the number after `*9X*`, "" for
 * `*9X#`). A forwarding the user has no right to (its `enabled` is off) changes nothing, set or
 * cleared: the caller hears why (issue 15: "a user without the service right hears why and
 * nothing changes"). The number is checked by the same validation as the API's.
 */
export function userCodeOutcome(action: UserCodeAction, user: LocalUser, argument: string): UserCodeOutcome {
  if (action.kind === "dnd")
    return { patch: { doNotDisturb: action.on }, prompt: action.on ? "dnd-on" : "dnd-off" };
  if (!user.forwarding[action.which].enabled) return { prompt: "restricted" };
  const checked = validateUser({ forwarding: { [action.which]: { number: argument } } }, "update");
  if (!checked.ok) return { prompt: "invalid-number" };
  return { patch: checked.value, prompt: argument === "" ? "forwarding-off" : "forwarding-on" };
}
