/**
 * POST /api/v1/calls: click-to-call (issue 18). Parley rings `from` (a local user) and, once it
 * answers, connects it to `to` through the dial plan as if `from` had dialled it
 * (src/call/originate.ts). 202 with the call's id: the call goes on after the response, and
 * GET /api/v1/calls lists it, DELETE /api/v1/calls/{id} ends it, its CDR is written when it ends.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { OriginateRequest, OriginateResult } from "../../call/originate.js";
import { ApiError, errorResponses } from "../errors.js";

/** What the route needs of the originator (src/call/originate.ts Originator). */
export interface OriginateView {
  originate(request: OriginateRequest): Promise<OriginateResult>;
}

export interface OriginateRoutesOptions {
  originate: OriginateView;
}

/** A number or extension as it goes in a SIP URI's user part (RFC 3261 25.1 `user` characters Parley dials). */
const NUMBER = "^[0-9A-Za-z*#+._-]{1,64}$";

export const OriginateBody = Type.Object(
  {
    from: Type.String({
      pattern: NUMBER,
      description: "The local user (extension) Parley rings first; all its devices ring.",
    }),
    to: Type.String({
      pattern: NUMBER,
      description: "The number `from` is connected to once it answers, routed as if `from` dialled it.",
    }),
    callerId: Type.Optional(
      Type.String({ pattern: NUMBER, description: "What `from`'s phone shows as calling; `to` by default." }),
    ),
    autoAnswer: Type.Optional(
      Type.Boolean({
        description:
          "Ask `from`'s desk phone to answer by itself: `Call-Info: <sip:…>;answer-after=0` and `Alert-Info: <http://…>;info=alert-autoanswer` on its INVITE.",
      }),
    ),
    timeout: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 300,
        description: "Seconds `from` rings before the call is given up (CANCEL); 30 by default.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const OriginatedCall = Type.Object({
  id: Type.String({
    description: "The call's id, as GET /api/v1/calls and DELETE /api/v1/calls/{id} use it.",
  }),
});

export const originateRoutes: FastifyPluginAsyncTypebox<OriginateRoutesOptions> = async (
  app,
  { originate },
) => {
  app.post(
    "/calls",
    {
      schema: {
        operationId: "originateCall",
        tags: ["calls"],
        summary: "Click-to-call: ring `from`, then connect it to `to`",
        description:
          "Parley calls `from` first, showing `callerId` (default `to`); when it answers, `to` is called through the dial plan with `from`'s call rights and the two are bridged. When `from` does not answer within `timeout` or refuses, or `to` fails, the call ends (BYE with a Reason to `from` once it answered) and its CDR is written like any call's (caller `from`, dialled `to`).",
        body: OriginateBody,
        response: {
          202: OriginatedCall,
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const result = await originate.originate(request.body);
      if (!result.ok) {
        const code = result.code === "not-found" ? "not_found" : "conflict";
        throw new ApiError(code, `${result.field}: ${result.message}`, [
          { field: result.field, message: result.message },
        ]);
      }
      return reply.code(202).send({ id: result.id });
    },
  );
};
