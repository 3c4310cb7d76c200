/**
 * Call park and retrieve (issue 16; FEATURES.md section 6): `*70*n` (n 1-99).
 * - Park: a user with the park right transfers a call to `*70*n` (a blind REFER, as a phone's
 *   transfer key sends it; `*70` alone takes the lowest free slot), or dials `*70*n#` (`*70#`)
 *   during the call, signalled as DTMF in SIP INFO; the parker then hears where the call is
 *   parked and is released. The parked party hears music.
 * - Retrieve: a user with the retrieve right dials `*70*n` and talks with the parked party;
 *   `*70` alone takes the call the user parked last.
 * - Unretrieved after the park timeout (`--park-timeout`, 60 s) the call rings back its parker.
 * A taken slot, an empty one, a slot out of range or a missing right get a clear answer: a
 * prompt for a call, a failure status in the transferor's NOTIFY (RFC 3515 2.4.5).
 */
import type { CallControl, CallSide } from "../../call/call-control.js";
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { FinalStatus } from "../../call/media-endpoint.js";
import type { CallParty } from "../../call/types.js";
import type { MediaServer } from "../../media/media-server.js";
import type { LocalUser } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import type { FeatureCodeTable } from "../feature-codes.js";
import { InCallCodes } from "./in-call-codes.js";
import { PARK_SLOTS, type ParkingLot } from "./parking-lot.js";

export const PARK_CODE = "*70";
export const PARK_SERVICE = "park";

export interface ParkOptions {
  readonly points: DetectionPointTable;
  readonly features: FeatureCodeTable;
  readonly media: MediaServer;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly calls: CallControl;
  readonly lot: ParkingLot;
  readonly logger: Logger;
}

/** The park codes alone (feature-code-catalogue.ts lists them with no media). */
export function addParkCodes(features: FeatureCodeTable): Array<() => void> {
  return [
    features.add(PARK_CODE, PARK_SERVICE, {
      argument: true,
      suffix: "*",
      description: "Park and retrieve: transfer a call to *70*n (n 1-99) to park it; dial *70*n to take it",
    }),
    features.add(PARK_CODE, PARK_SERVICE),
  ];
}

/** Why a park is refused, as the transferor's NOTIFY reports it (RFC 3515 2.4.5). */
type Refused = FinalStatus;

const NO_RIGHT: Refused = { status: 403, reason: "Forbidden (no park right)" };
const NO_SUCH_SLOT: Refused = { status: 404, reason: "Not Found (park slots are 1-99)" };
const TAKEN: Refused = { status: 486, reason: "Busy Here (park slot taken)" };

export function registerPark(o: ParkOptions): () => void {
  const { lot } = o;

  /** The slot a code's argument names ("" = the lowest free one), or why not. */
  const slotFor = (domainId: number, argument: string): number | Refused => {
    if (argument === "") return lot.freeSlot(domainId) ?? TAKEN;
    const n = /^\d{1,2}$/.test(argument) ? Number(argument) : 0;
    if (n < 1 || n > PARK_SLOTS) return NO_SUCH_SLOT;
    return lot.isTaken(domainId, n) ? TAKEN : n;
  };

  const mayPark = async (party: CallParty): Promise<boolean> =>
    (await o.users.lookup(party.domainId, party.user))?.user.callPark === true;

  /** A prompt for a caller, then the call ends. */
  const announce = (context: PointContext, speech: Parameters<MediaServer["speech"]>[0]): Verdict => ({
    kind: "endpoint",
    target: {
      party: { domainId: context.caller.domainId, user: context.dialed, displayName: "Park" },
      endpoint: o.media.sipEndpoint("parley:park", async ({ endpoint }) => {
        await endpoint.play(o.media.speech([...speech, { silenceMs: 300 }]));
      }),
    },
  });

  /** Dialled as a call: retrieve the call parked in the slot. */
  const retrieve = (context: PointContext & { argument: string }): Verdict => {
    const user = context.callerUser;
    if (user === undefined || context.inbound !== undefined || !user.callRetrieve)
      return announce(context, [{ prompt: "restricted" }]);
    const domainId = context.caller.domainId;
    const slot =
      context.argument === "" ? lot.lastParkedBy(domainId, user.name) : Number(context.argument) || undefined;
    const taken = slot === undefined ? undefined : lot.retrieve(domainId, slot, context.caller);
    if (taken === undefined) return announce(context, [{ prompt: "park-empty" }]);
    return { kind: "endpoint", target: { party: { ...taken.parked }, endpoint: taken.endpoint } };
  };

  /** During a call, `*70*n#`: the other side is parked; the parker hears where, then is released. */
  const parkByCode = async (callId: string, by: CallParty, argument: string): Promise<void> => {
    const talking = o.calls.talkingCall(by.domainId, by.user);
    if (talking === undefined || talking.call.id !== callId || !(await mayPark(by))) return;
    const slot = slotFor(by.domainId, argument);
    if (typeof slot !== "number") {
      o.logger.info({ call: callId, by: by.user, status: slot.status }, "park by code refused");
      return;
    }
    const parkedSide: CallSide = talking.side === "caller" ? "callee" : "caller";
    const confirmation = o.media.sipEndpoint("parley:park", async ({ endpoint }) => {
      await endpoint.play(
        o.media.speech([{ prompt: "parked-at" }, { digits: String(slot) }, { silenceMs: 300 }]),
      );
    });
    await lot.park(talking.call, parkedSide, by, slot, { kind: "endpoint", endpoint: confirmation });
  };

  const codes = new InCallCodes({
    features: o.features,
    service: PARK_SERVICE,
    onCode: (call, by, argument) =>
      parkByCode(call.id, by, argument).catch((error: unknown) =>
        o.logger.warn({ err: error, call: call.id }, "park by code failed"),
      ),
  });

  const removals = [
    o.points.service(PARK_SERVICE, retrieve),
    o.points.transferService(PARK_SERVICE, async ({ call, transferee, by, argument }) => {
      if (!(await mayPark(by))) return NO_RIGHT;
      const slot = slotFor(by.domainId, argument);
      if (typeof slot !== "number") return slot;
      const parked = await lot.park(call, transferee, by, slot, { kind: "leave" });
      return parked
        ? { status: 200, reason: "OK" }
        : { status: 500, reason: "Server Internal Error (park failed)" };
    }),
    o.points.notify("digit", "park.in-call", (payload) => codes.digit(payload)),
    o.points.notify("ended", "park.in-call", ({ call }) => codes.forget(call.id)),
    ...addParkCodes(o.features),
  ];
  return () => {
    for (const remove of removals) remove();
    lot.close();
  };
}
