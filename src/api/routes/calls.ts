/** /api/v1/calls: the calls in progress, with their legs, and ending one. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { ApiError, errorResponses } from "../errors.js";
import { type ActiveCallItem, ActiveCallList, CallId } from "../schemas.js";
import type { ActiveCall, CallsView } from "../types.js";

export interface CallsRoutesOptions {
  calls: CallsView;
  /**
   * The tenant served (issue 21): only its calls are listed and hung up, another domain's call id
   * answers 404 as a missing one does. Every domain's when not given.
   */
  domainId?: number;
  /** Wall-clock epoch milliseconds, for the time since the answer. */
  now: () => number;
}

export function toActiveCallItem(call: ActiveCall, now: number): Static<typeof ActiveCallItem> {
  return {
    id: call.id,
    domainId: call.domainId,
    caller: call.caller,
    dialed: call.dialed,
    callee: call.callee,
    state: call.state,
    startedAt: new Date(call.startedAt).toISOString(),
    answeredAt: call.answeredAt === undefined ? undefined : new Date(call.answeredAt).toISOString(),
    durationSeconds:
      call.answeredAt === undefined ? 0 : Math.max(0, Math.floor((now - call.answeredAt) / 1000)),
    legs: call.legs.map((leg) => ({
      role: leg.role,
      peer: leg.peer,
      callId: leg.callId,
      state: leg.state,
      ...(leg.media === undefined ? {} : { media: leg.media }),
    })),
    ...(call.media === undefined ? {} : { media: call.media }),
  };
}

export const callsRoutes: FastifyPluginAsyncTypebox<CallsRoutesOptions> = async (
  app,
  { calls, domainId, now },
) => {
  const ours = (call: ActiveCall) => domainId === undefined || call.domainId === domainId;
  app.get(
    "/calls",
    {
      schema: {
        operationId: "listCalls",
        tags: ["calls"],
        summary: "Calls in progress, with their legs and states",
        response: { 200: ActiveCallList, ...errorResponses(401) },
      },
    },
    async () => {
      const at = now();
      return {
        items: calls
          .list()
          .filter(ours)
          .map((call) => toActiveCallItem(call, at)),
      };
    },
  );

  app.delete(
    "/calls/:id",
    {
      schema: {
        operationId: "hangUpCall",
        tags: ["calls"],
        summary: "End a call (CANCEL or BYE on every leg); its record is written as usual",
        params: CallId,
        response: { 204: Type.Null({ description: "The call is ending." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const known = domainId === undefined || calls.list().some((call) => call.id === id && ours(call));
      if (!known || !(await calls.hangup(id))) throw new ApiError("not_found", `call "${id}" not found`);
      return reply.code(204).send(null);
    },
  );
};
