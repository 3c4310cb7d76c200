/**
 * /api/v1/subscriptions: the live SUBSCRIBE dialogs (RFC 6665) Parley serves as notifier, e.g.
 * phones subscribed to their mailbox's message-summary (RFC 3842), for an administrator checking
 * why a phone's message lamp does or does not light.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errorResponses } from "../errors.js";
import type { SubscriptionsView } from "../types.js";

export const SubscriptionItem = Type.Object({
  id: Type.String(),
  user: Type.String({ description: "The subscriber (the authenticated user)." }),
  resource: Type.String({ description: "What is watched, e.g. the mailbox's user." }),
  package: Type.String({ description: "The event package, e.g. message-summary." }),
  contact: Type.String({ description: "The subscriber's Contact (where NOTIFYs go)." }),
  transport: Type.String(),
  source: Type.String({ description: "Where the SUBSCRIBE came from, address:port." }),
  expiresAt: Type.String({ format: "date-time" }),
  expiresIn: Type.Integer({ minimum: 0, description: "Seconds left unless refreshed." }),
});

export interface SubscriptionsRoutesOptions {
  subscriptions: SubscriptionsView;
  /** The tenant served (issue 21): only its subscriptions are listed. Every domain's when not given. */
  domainId?: number;
  now: () => number;
}

export const subscriptionsRoutes: FastifyPluginAsyncTypebox<SubscriptionsRoutesOptions> = async (
  app,
  { subscriptions, domainId, now },
) => {
  app.get(
    "/subscriptions",
    {
      schema: {
        operationId: "listSubscriptions",
        tags: ["subscriptions"],
        summary: "Live subscriptions (message-summary for message-waiting lamps)",
        querystring: Type.Object({ user: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.Object({ items: Type.Array(SubscriptionItem) }), ...errorResponses(401) },
      },
    },
    async (request) => {
      const at = now();
      const { user } = request.query;
      return {
        items: subscriptions
          .list()
          .filter((s) => domainId === undefined || s.domainId === domainId)
          .filter((s) => user === undefined || s.user === user)
          .map((s) => ({
            id: s.id,
            user: s.user,
            resource: s.resource,
            package: s.package,
            contact: s.contact,
            transport: s.transport,
            source: s.sourceAddress.includes(":")
              ? `[${s.sourceAddress}]:${s.sourcePort}`
              : `${s.sourceAddress}:${s.sourcePort}`,
            expiresAt: new Date(s.expiresAt).toISOString(),
            expiresIn: Math.max(0, Math.ceil((s.expiresAt - at) / 1000)),
          })),
      };
    },
  );
};
