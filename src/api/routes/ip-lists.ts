/**
 * /api/v1/ip-lists: the IP black and white list (issue 16; FEATURES.md section 6): addresses or
 * CIDR ranges, IPv4 or IPv6, accepted (trusted: never banned after failed logins) or rejected
 * (every packet and connection dropped unanswered). A change applies at once.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { withIsoStamps } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { Timestamp } from "../timestamps.js";
import type { IpListsView } from "../types.js";

const Kind = Type.Union([Type.Literal("accept"), Type.Literal("reject")], {
  description: "accept: never banned by the brute-force defence; reject: dropped before parsing.",
});
const Address = Type.String({
  minLength: 2,
  maxLength: 64,
  description: 'An address or CIDR range: "192.0.2.7", "10.0.0.0/8", "2001:db8::/32".',
});

export const IpListEntryItem = Type.Object(
  {
    id: Type.Integer(),
    address: Address,
    kind: Kind,
    createdAt: Timestamp("When it was created."),
    updatedAt: Timestamp("When it was last changed."),
  },
  { $id: "IpListEntry" },
);

const NewEntry = Type.Object({ address: Address, kind: Kind }, { additionalProperties: false });
const EntryPatch = Type.Partial(Type.Object({ address: Address, kind: Kind }), {
  additionalProperties: false,
});
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const ipListsRoutes: FastifyPluginAsyncTypebox<{ lists: IpListsView }> = async (app, { lists }) => {
  app.get(
    "/ip-lists",
    {
      schema: {
        operationId: "listIpListEntries",
        tags: ["lists"],
        summary: "The IP black and white list, by address",
        response: { 200: Type.Object({ items: Type.Array(IpListEntryItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: lists.list().map(withIsoStamps) }),
  );

  app.post(
    "/ip-lists",
    {
      schema: {
        operationId: "createIpListEntry",
        tags: ["lists"],
        summary: "Accept or reject an address or range (errors name the field)",
        body: NewEntry,
        response: { 201: IpListEntryItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(withIsoStamps(await lists.create(request.body))),
  );

  app.patch(
    "/ip-lists/:id",
    {
      schema: {
        operationId: "updateIpListEntry",
        tags: ["lists"],
        summary: "Change an entry's address or kind",
        params: IdParam,
        body: EntryPatch,
        response: { 200: IpListEntryItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => withIsoStamps(await lists.update(request.params.id, request.body)),
  );

  app.delete(
    "/ip-lists/:id",
    {
      schema: {
        operationId: "deleteIpListEntry",
        tags: ["lists"],
        summary: "Remove an entry",
        params: IdParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await lists.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );
};
