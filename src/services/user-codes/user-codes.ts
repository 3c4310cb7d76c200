/**
 * The user codes service (issue 15): the feature codes with which a local user sets and clears
 * its forwarding numbers and switches do-not-disturb from the phone (codes.ts). The change is
 * saved through the store's user update, the path the REST API takes, so it shows at once in the
 * API, the web UI and the SIP path's user cache; the caller hears it confirmed ("call forwarding
 * is on"), or why nothing changed, then Parley hangs up. Only a local user has services to change:
 * an outside caller (a trunk's or a line's) gets 403.
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { MediaServer } from "../../media/media-server.js";
import type { PromptName } from "../../media/prompts/catalogue.js";
import type { LocalUser, UserPatch } from "../../store/user-model.js";
import type { Logger } from "../../util/logger.js";
import type { FeatureCodeTable } from "../feature-codes.js";
import {
  DND_OFF_CODE,
  DND_ON_CODE,
  FORWARDING_CODES,
  type ForwardingKind,
  type UserCodeAction,
  userCodeOutcome,
} from "./codes.js";

/** The store's user update (store.users), which validates the patch again. */
export interface UserUpdater {
  update(domainId: number, name: string, patch: UserPatch): Promise<LocalUser>;
}

export interface UserCodesOptions {
  readonly users: UserUpdater;
  readonly logger: Logger;
  /** Called after a change is saved (the admin UI's live view refreshes, like after an API write). */
  readonly onChange?: () => void;
}

const DISPLAY_NAMES: Record<UserCodeAction["kind"], string> = {
  forwarding: "Call forwarding",
  dnd: "Do not disturb",
};

const forwardingService = (which: ForwardingKind) => `user-codes.forwarding.${which}`;
const dndService = (on: boolean) => `user-codes.dnd.${on ? "on" : "off"}`;

const FORWARDING_DESCRIPTIONS: Record<ForwardingKind, string> = {
  unconditional: "Unconditional call forwarding: set (*number#) or clear (#)",
  busy: "Call forwarding on busy: set (*number#) or clear (#)",
  unreachable: "Call forwarding when unreachable: set (*number#) or clear (#)",
  noAnswer: "Call forwarding on no answer: set (*number#) or clear (#)",
};

/** The user codes' feature codes alone (feature-code-catalogue.ts lists them with no media). */
export function addUserCodeFeatures(features: FeatureCodeTable): Array<() => void> {
  const removals: Array<() => void> = [];
  for (const [which, code] of Object.entries(FORWARDING_CODES) as Array<[ForwardingKind, string]>) {
    const name = forwardingService(which);
    removals.push(
      // `*93*number#` sets; `*93#` (or `*93`) clears: the argument is then "".
      features.add(code, name, { argument: true, suffix: "*", description: FORWARDING_DESCRIPTIONS[which] }),
      features.add(code, name),
    );
  }
  for (const [code, on] of [
    [DND_ON_CODE, true],
    [DND_OFF_CODE, false],
  ] as const)
    removals.push(features.add(code, dndService(on), { description: `Do not disturb ${on ? "on" : "off"}` }));
  return removals;
}

export function registerUserCodes(
  points: DetectionPointTable,
  features: FeatureCodeTable,
  media: MediaServer,
  options: UserCodesOptions,
): () => void {
  const announce = (context: PointContext & { number: string }, action: UserCodeAction, prompt: PromptName) =>
    ({
      kind: "endpoint",
      target: {
        party: {
          domainId: context.caller.domainId,
          user: context.number,
          displayName: DISPLAY_NAMES[action.kind],
        },
        endpoint: media.sipEndpoint("parley:user-code", async ({ endpoint }) => {
          // The silence lets the last frames reach the phone before the BYE.
          await endpoint.play(media.speech([{ prompt }, { silenceMs: 300 }]));
        }),
      },
    }) satisfies Verdict;

  const service =
    (action: UserCodeAction) =>
    async (context: PointContext & { number: string; argument: string }): Promise<Verdict> => {
      const user = context.callerUser;
      if (user === undefined || context.inbound !== undefined)
        return { kind: "refuse", code: "feature-code-forbidden" };
      const outcome = userCodeOutcome(action, user, context.argument);
      if (outcome.patch === undefined) return announce(context, action, outcome.prompt);
      try {
        await options.users.update(user.domainId, user.name, outcome.patch);
      } catch (error) {
        options.logger.error({ err: error, user: user.name, code: context.number }, "user code not saved");
        return announce(context, action, "call-cannot-be-completed");
      }
      options.logger.info(
        { user: user.name, code: context.number, change: outcome.patch },
        "user code saved",
      );
      options.onChange?.();
      return announce(context, action, outcome.prompt);
    };

  const removals: Array<() => void> = addUserCodeFeatures(features);
  for (const which of Object.keys(FORWARDING_CODES) as ForwardingKind[])
    removals.push(points.service(forwardingService(which), service({ kind: "forwarding", which })));
  for (const on of [true, false]) removals.push(points.service(dndService(on), service({ kind: "dnd", on })));
  return () => {
    for (const remove of removals) remove();
  };
}
