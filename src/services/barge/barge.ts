/**
 * Joining a call in progress (issue 16; FEATURES.md sections 2 and 6):
 * - Operator break-in, `*81*<extension>#`: a user with the break-in right joins the extension's
 *   call as a third party; all three hear each other through the mixer.
 * - Operator overstep, `*82*<extension>#`: a user with the overstep right takes the call over;
 *   the extension is released (BYE) and the operator talks with the other party.
 * - One number, multi-devices join, `*74`: a second device of a user with the multi-device right
 *   joins that user's own call as a three-way conference.
 * Both sides of the answered call are re-INVITEd onto endpoints of one mixer room (side-legs.ts),
 * and the newcomer's call is answered by another. A party that hangs up leaves the others talking;
 * the last one left alone is released. Without the right, for an unknown extension, one not on a
 * call, or a call Parley cannot take over (not bridged by Parley), a prompt says so.
 */
import type { CallControl, CallSide, ControlledCall } from "../../call/call-control.js";
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { CallParty } from "../../call/types.js";
import type { MediaServer } from "../../media/media-server.js";
import type { PromptName } from "../../media/prompts/catalogue.js";
import type { LocalUser } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import type { FeatureCodeTable } from "../feature-codes.js";
import { SharedRoom } from "../rooms/shared-room.js";

export const BREAK_IN_CODE = "*81";
export const OVERSTEP_CODE = "*82";
export const JOIN_CODE = "*74";

type Mode = "break-in" | "overstep" | "join";

export interface BargeOptions {
  readonly points: DetectionPointTable;
  readonly features: FeatureCodeTable;
  readonly media: MediaServer;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly calls: CallControl;
  readonly logger: Logger;
}

/** The codes alone (feature-code-catalogue.ts lists them with no media). */
export function addBargeCodes(features: FeatureCodeTable): Array<() => void> {
  return [
    features.add(BREAK_IN_CODE, "operator.break-in", {
      argument: true,
      suffix: "*",
      description: "Operator break-in: *extension# joins that extension's call as a third party",
    }),
    features.add(OVERSTEP_CODE, "operator.overstep", {
      argument: true,
      suffix: "*",
      description: "Operator overstep: *extension# takes that extension's call over",
    }),
    features.add(JOIN_CODE, "multi-device.join", {
      description: "Join your own call from another of your devices (three-way)",
    }),
  ];
}

const RIGHT: Readonly<Record<Mode, (user: LocalUser) => boolean>> = {
  "break-in": (u) => u.operatorBreakIn,
  overstep: (u) => u.operatorOverstep,
  join: (u) => u.multiDevice,
};

export function registerBarge(o: BargeOptions): () => void {
  /** The mixer rooms of the calls joined so far, by call id. */
  const rooms = new Map<string, SharedRoom>();

  const announce = (context: PointContext, prompt: PromptName): Verdict => ({
    kind: "endpoint",
    target: {
      party: { domainId: context.caller.domainId, user: context.dialed, displayName: "Operator" },
      endpoint: o.media.sipEndpoint("parley:break-in", async ({ endpoint }) => {
        await endpoint.play(o.media.speech([{ prompt }, { silenceMs: 300 }]));
      }),
    },
  });

  /** The room of `call`, its sides moved into it (re-INVITEs) the first time. */
  const roomOf = async (
    call: ControlledCall,
    released: CallSide | undefined,
  ): Promise<SharedRoom | undefined> => {
    const existing = rooms.get(call.id);
    if (existing !== undefined) {
      if (released !== undefined)
        existing.hangUp(partyKey(released === "caller" ? call.caller : call.callee));
      return existing;
    }
    const room = new SharedRoom(`barge:${call.id}`, o.media, () => rooms.delete(call.id));
    rooms.set(call.id, room);
    const fate = (side: CallSide) =>
      side === released
        ? ({ kind: "hangup" } as const)
        : ({
            kind: "endpoint",
            endpoint: room.endpoint(
              "parley:break-in",
              partyKey(side === "caller" ? call.caller : call.callee),
            ),
          } as const);
    if (!(await call.moveSides({ caller: fate("caller"), callee: fate("callee") }))) {
      rooms.delete(call.id);
      return undefined;
    }
    return room;
  };

  const join = async (context: PointContext & { argument: string }, mode: Mode): Promise<Verdict> => {
    const newcomer = context.callerUser;
    if (newcomer === undefined || context.inbound !== undefined || !RIGHT[mode](newcomer))
      return announce(context, "restricted");
    const domainId = context.caller.domainId;
    const target = mode === "join" ? newcomer.name : context.argument;
    if (target !== newcomer.name && (await o.users.lookup(domainId, target)) === undefined)
      return announce(context, "number-not-exist");
    const talking = o.calls.talkingCall(domainId, target);
    if (talking === undefined) return announce(context, "not-in-call");
    const { call, side } = talking;
    const other: CallParty = side === "caller" ? call.callee : call.caller;
    const room = await roomOf(call, mode === "overstep" ? side : undefined);
    if (room === undefined) return announce(context, "call-cannot-be-completed");
    // Overstep: the operator takes the extension's place in the call (and its record).
    if (mode === "overstep") call.replaceParty(side, context.caller);
    o.logger.info({ call: call.id, mode, by: newcomer.name, target }, "joined a call in progress");
    return {
      kind: "endpoint",
      target: {
        party: { ...(mode === "overstep" ? other : side === "caller" ? call.caller : call.callee) },
        endpoint: room.endpoint("parley:break-in", partyKey(context.caller)),
      },
    };
  };

  const removals = [
    o.points.service("operator.break-in", (context) => join(context, "break-in")),
    o.points.service("operator.overstep", (context) => join(context, "overstep")),
    o.points.service("multi-device.join", (context) => join(context, "join")),
    o.points.notify("ended", "barge", ({ call }) => {
      rooms.get(call.id)?.close();
      rooms.delete(call.id);
    }),
    ...addBargeCodes(o.features),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}

function partyKey(party: CallParty): string {
  return `${party.domainId}:${party.user}`;
}
