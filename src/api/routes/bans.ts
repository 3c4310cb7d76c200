/** /api/v1/bans: sources banned after failed authentications, and lifting a ban. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import type { Ban } from "../../auth/ban-list.js";
import { ApiError, errorResponses } from "../errors.js";
import { BanAddress, type BanItem, BanList } from "../schemas.js";
import type { BansView } from "../types.js";

export interface BansRoutesOptions {
  bans: BansView;
  /** Ban-list clock milliseconds → epoch milliseconds. */
  toEpochMs: (clockMs: number) => number;
  now: () => number;
}

export function toBanItem(
  ban: Ban,
  toEpochMs: (clockMs: number) => number,
  now: number,
): Static<typeof BanItem> {
  const until = toEpochMs(ban.until);
  return {
    address: ban.address,
    since: new Date(toEpochMs(ban.since)).toISOString(),
    until: new Date(until).toISOString(),
    expiresIn: Math.max(0, Math.ceil((until - now) / 1000)),
    reason: ban.reason,
    failures: ban.failures,
  };
}

export const bansRoutes: FastifyPluginAsyncTypebox<BansRoutesOptions> = async (
  app,
  { bans, toEpochMs, now },
) => {
  app.get(
    "/bans",
    {
      schema: {
        operationId: "listBans",
        tags: ["bans"],
        summary: "Addresses banned now",
        response: { 200: BanList, ...errorResponses(401) },
      },
    },
    async () => {
      const at = now();
      return { items: bans.list().map((ban) => toBanItem(ban, toEpochMs, at)) };
    },
  );

  app.delete(
    "/bans/:address",
    {
      schema: {
        operationId: "liftBan",
        tags: ["bans"],
        summary: "Lift the ban on an address (its failure count starts again)",
        params: BanAddress,
        response: { 204: Type.Null({ description: "Lifted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { address } = request.params;
      if (!bans.lift(address)) throw new ApiError("not_found", `address "${address}" is not banned`);
      return reply.code(204).send(null);
    },
  );
};
