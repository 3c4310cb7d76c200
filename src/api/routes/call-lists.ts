/**
 * /api/v1/call-lists: the black and white list (issue 16; FEATURES.md section 6): records of
 * caller prefix (`*` any, `anonymous` withheld callers), called prefix (`*` any), kind black or
 * white and rate (the percentage of matching calls a black record blocks), plus the answer a
 * blocked call gets. A change applies to the next call, without a restart.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { withIsoStamps } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { Timestamp } from "../timestamps.js";
import type { CallListsView } from "../types.js";

const PREFIX = "^([0-9*#+]{1,32}|\\*)$";

export const CallListRecordItem = Type.Object(
  {
    id: Type.Integer(),
    callerPrefix: Type.String({
      description: 'Digits the caller\'s number starts with, "*" for any, "anonymous" for withheld callers.',
    }),
    calledPrefix: Type.String({ description: 'Digits the called number starts with, or "*" for any.' }),
    kind: Type.Union([Type.Literal("black"), Type.Literal("white")]),
    rate: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: "Black records: the percentage of matching calls blocked (100 always, 0 never).",
    }),
    createdAt: Timestamp("When it was created."),
    updatedAt: Timestamp("When it was last changed."),
  },
  { $id: "CallListRecord" },
);

const fields = {
  callerPrefix: Type.Union([Type.String({ pattern: PREFIX }), Type.Literal("anonymous")]),
  calledPrefix: Type.String({ pattern: PREFIX }),
  kind: Type.Union([Type.Literal("black"), Type.Literal("white")]),
  rate: Type.Integer({ minimum: 0, maximum: 100, description: "Default 100." }),
};

const NewRecord = Type.Object(
  {
    callerPrefix: fields.callerPrefix,
    calledPrefix: fields.calledPrefix,
    kind: fields.kind,
    rate: Type.Optional(fields.rate),
  },
  { additionalProperties: false },
);

const RecordPatch = Type.Partial(Type.Object(fields), { additionalProperties: false });

const ListSettings = Type.Object(
  {
    response: Type.Union([Type.Literal(603), Type.Literal(403), Type.Literal(486), Type.Literal(480)], {
      description: "The status a blocked call gets: 603 Decline (default), 403, 486 or 480.",
    }),
  },
  { additionalProperties: false, $id: "CallListSettings" },
);

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export interface CallListsRoutesOptions {
  lists: CallListsView;
  domainId: number;
}

export const callListsRoutes: FastifyPluginAsyncTypebox<CallListsRoutesOptions> = async (
  app,
  { lists, domainId },
) => {
  app.get(
    "/call-lists",
    {
      schema: {
        operationId: "listCallListRecords",
        tags: ["lists"],
        summary: "The black and white list, by caller prefix then called prefix",
        response: { 200: Type.Object({ items: Type.Array(CallListRecordItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await lists.list(domainId)).map(withIsoStamps) }),
  );

  app.post(
    "/call-lists",
    {
      schema: {
        operationId: "createCallListRecord",
        tags: ["lists"],
        summary: "Add a record; one per caller and called prefix pair",
        body: NewRecord,
        response: { 201: CallListRecordItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(withIsoStamps(await lists.create(domainId, request.body))),
  );

  app.patch(
    "/call-lists/:id",
    {
      schema: {
        operationId: "updateCallListRecord",
        tags: ["lists"],
        summary: "Change a record's prefixes, kind or rate",
        params: IdParam,
        body: RecordPatch,
        response: { 200: CallListRecordItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => withIsoStamps(await lists.update(domainId, request.params.id, request.body)),
  );

  app.delete(
    "/call-lists/:id",
    {
      schema: {
        operationId: "deleteCallListRecord",
        tags: ["lists"],
        summary: "Remove a record",
        params: IdParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await lists.remove(domainId, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/call-list-settings",
    {
      schema: {
        operationId: "getCallListSettings",
        tags: ["lists"],
        summary: "The answer a blocked call gets",
        response: { 200: ListSettings, ...errorResponses(401) },
      },
    },
    async () => lists.settings(domainId),
  );

  app.put(
    "/call-list-settings",
    {
      schema: {
        operationId: "setCallListSettings",
        tags: ["lists"],
        summary: "Choose the answer a blocked call gets",
        body: ListSettings,
        response: { 200: ListSettings, ...errorResponses(400, 401) },
      },
    },
    async (request) => lists.configure(domainId, request.body),
  );
};
