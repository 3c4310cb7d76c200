/**
 * Call pick-up (issue 16; FEATURES.md section 6): a local user answers a call ringing elsewhere.
 * - `*40*<extension>#` (directed): the oldest call ringing at that extension;
 * - `*50` (also `*50*`, `*50#`): the oldest call ringing at any other member of the picker's
 *   pick-up group (the user's `pickupGroupId`, 0 = none).
 * The ringing devices get CANCEL with `Reason: SIP;cause=200;text="Call completed elsewhere"`
 * (RFC 3326) and stop ringing; the caller is answered by Parley and talks with the picker through
 * a two-party room of the media server (each hears the other; no join tones), so the two calls'
 * codecs need not match. When either hangs up, the other call ends too. The picked-up call's
 * record names the picker as its callee. Nothing to pick up, or no local caller: a prompt says so.
 */
import type { CallSubject } from "../../call/call-events.js";
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { EndpointTarget } from "../../call/media-endpoint.js";
import type { CallParty } from "../../call/types.js";
import type { MediaServer } from "../../media/media-server.js";
import type { LocalUser } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import type { FeatureCodeTable } from "../feature-codes.js";

export const DIRECTED_PICK_UP_CODE = "*40";
export const GROUP_PICK_UP_CODE = "*50";

/** A ringing call as pick-up sees it (the engine's Call). */
export interface PickableCall extends CallSubject {
  pickUp(target: EndpointTarget): boolean;
}

export interface PickUpOptions {
  readonly points: DetectionPointTable;
  readonly features: FeatureCodeTable;
  readonly media: MediaServer;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly calls: {
    ringingTo(domainId: number, user: string): readonly PickableCall[];
    ringing(): readonly PickableCall[];
    /** The users a ringing call rings now (its callee; the members of a group call). */
    partiesOf(call: PickableCall): readonly CallParty[];
  };
  readonly logger: Logger;
}

/** The pick-up codes alone (feature-code-catalogue.ts lists them with no media). */
export function addPickUpCodes(features: FeatureCodeTable): Array<() => void> {
  return [
    features.add(DIRECTED_PICK_UP_CODE, "pick-up.directed", {
      argument: true,
      suffix: "*",
      description: "Directed pick-up: *extension# answers the call ringing there",
    }),
    features.add(GROUP_PICK_UP_CODE, "pick-up.group", {
      description: "Group pick-up: answers a call ringing in your pick-up group",
    }),
    // `*50*` as FEATURES.md writes it: the same service.
    features.add(GROUP_PICK_UP_CODE, "pick-up.group", { suffix: "*" }),
  ];
}

export function registerPickUp(o: PickUpOptions): () => void {
  /** The verdict of a pick-up: the picker joins the picked call's caller, or hears why not. */
  const pickUp = (context: PointContext & { number: string }, call: PickableCall | undefined): Verdict => {
    const picker = context.caller;
    if (call === undefined) return announce(context, "no-call-to-pick-up");
    const room = `pick-up:${call.id}`;
    const hangups: { caller?: () => void; picker?: () => void } = {};
    const side = (which: "caller" | "picker") =>
      o.media.sipEndpoint(
        "parley:pick-up",
        async ({ endpoint, hangup }) => {
          hangups[which] = () => hangup();
          await endpoint.conference(room, { tones: false });
          // This side hung up: the other's call ends too.
          hangups[which === "caller" ? "picker" : "caller"]?.();
        },
        { room },
      );
    if (!call.pickUp({ party: picker, endpoint: side("caller") })) {
      return announce(context, "no-call-to-pick-up");
    }
    o.logger.info({ call: call.id, picker: picker.user, callee: call.callee.user }, "call picked up");
    return {
      kind: "endpoint",
      target: { party: { ...call.caller, displayName: call.caller.displayName }, endpoint: side("picker") },
    };
  };

  const announce = (
    context: PointContext & { number: string },
    prompt: "no-call-to-pick-up" | "restricted",
  ): Verdict => ({
    kind: "endpoint",
    target: {
      party: { domainId: context.caller.domainId, user: context.number, displayName: "Pick-up" },
      endpoint: o.media.sipEndpoint("parley:pick-up", async ({ endpoint }) => {
        await endpoint.play(o.media.speech([{ prompt }, { silenceMs: 300 }]));
      }),
    },
  });

  const removals = [
    o.points.service("pick-up.directed", (context) => {
      if (context.callerUser === undefined || context.inbound !== undefined)
        return announce(context, "restricted");
      const target = context.argument;
      const call = o.calls
        .ringingTo(context.caller.domainId, target)
        .find((c) => c.caller.user !== context.caller.user);
      return pickUp(context, call);
    }),
    o.points.service("pick-up.group", async (context) => {
      const picker = context.callerUser;
      if (picker === undefined || context.inbound !== undefined || picker.pickupGroupId === 0)
        return announce(context, "restricted");
      for (const call of o.calls.ringing()) {
        if (call.caller.user === picker.name) continue;
        for (const rung of o.calls.partiesOf(call)) {
          if (rung.domainId !== picker.domainId || rung.user === picker.name) continue;
          const member = (await o.users.lookup(rung.domainId, rung.user))?.user;
          if (member?.pickupGroupId === picker.pickupGroupId) return pickUp(context, call);
        }
      }
      return pickUp(context, undefined);
    }),
    ...addPickUpCodes(o.features),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}
