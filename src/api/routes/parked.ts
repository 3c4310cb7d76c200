/**
 * /api/v1/parked: the calls waiting in the parking lot (issue 16, call park, feature code *70*n) of
 * the API's domain, slot by slot, for the dashboard and `parley parked`. Read-only: a parked call
 * is retrieved by dialling its slot, and ended like any call through DELETE /calls/{id}.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { errorResponses } from "../errors.js";
import type { ParkedCall, ParkedView } from "../types.js";

const Party = (description: string) =>
  Type.Object(
    {
      user: Type.String({ description: "The user or number." }),
      displayName: Type.String({ description: 'Its display name; "" when none.' }),
    },
    { description },
  );

export const ParkedCallItem = Type.Object(
  {
    slot: Type.Integer({ minimum: 1, maximum: 99, description: "The slot: dial *70*<slot> to retrieve." }),
    callId: Type.String({ description: "The call's id (as in /calls, for DELETE /calls/{id})." }),
    parked: Party("The party waiting, hearing music on hold."),
    parker: Party("Who parked it; rung back when nobody retrieves it within the park timeout."),
    parkedAt: Type.String({ format: "date-time" }),
    parkedSeconds: Type.Integer({ minimum: 0, description: "Seconds since it was parked." }),
    ringingBack: Type.Boolean({ description: "Parley is ringing the parker back now." }),
    ringBacks: Type.Integer({ minimum: 0, description: "Ring-backs to the parker so far." }),
  },
  { description: "A parked call." },
);

export const ParkedCallList = Type.Object({
  items: Type.Array(ParkedCallItem, { description: "By slot." }),
});

export type ParkedCallItemType = Static<typeof ParkedCallItem>;

/** The API's form of a parked call at wall-clock time `now` (epoch ms); the live view uses it too. */
export function toParkedItem(call: ParkedCall, now: number): ParkedCallItemType {
  return {
    slot: call.slot,
    callId: call.callId,
    parked: { user: call.parked.user, displayName: call.parked.displayName },
    parker: { user: call.parker.user, displayName: call.parker.displayName },
    parkedAt: new Date(call.parkedAt).toISOString(),
    parkedSeconds: Math.max(0, Math.floor((now - call.parkedAt) / 1000)),
    ringingBack: call.ringingBack,
    ringBacks: call.ringBacks,
  };
}

/** The domain's parked calls, by slot (the lot lists every domain's). */
export function parkedItems(parked: ParkedView, domainId: number, now: number): ParkedCallItemType[] {
  return parked
    .list()
    .filter((call) => call.domainId === domainId)
    .sort((a, b) => a.slot - b.slot)
    .map((call) => toParkedItem(call, now));
}

export interface ParkedRoutesOptions {
  parked: ParkedView;
  domainId: number;
  /** Wall-clock epoch milliseconds, for the time parked. */
  now: () => number;
}

export const parkedRoutes: FastifyPluginAsyncTypebox<ParkedRoutesOptions> = async (
  app,
  { parked, domainId, now },
) => {
  app.get(
    "/parked",
    {
      schema: {
        operationId: "listParkedCalls",
        tags: ["calls"],
        summary: "Parked calls, by slot: who waits, who parked it, for how long, whether being rung back",
        response: { 200: ParkedCallList, ...errorResponses(401) },
      },
    },
    async () => ({ items: parkedItems(parked, domainId, now()) }),
  );
};
