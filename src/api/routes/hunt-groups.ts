/**
 * /api/v1/hunt-groups and /api/v1/hunt-detections (issue 16; FEATURES.md sections 5 and 6): hunt
 * groups (number, name, ordered members, strategy, ring time, what happens when nobody answers)
 * and the detection table (dial plan, called number → group). A group is addressed by its number.
 * Changes apply to the next call, without a restart. Every error names its field.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { NotFoundError, type Store } from "../../store/index.js";
import { withIsoStamps } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { Timestamp } from "../timestamps.js";
import type { HuntGroupsLive } from "../types.js";

const strategy = Type.Union([Type.Literal("linear"), Type.Literal("circular"), Type.Literal("parallel")], {
  description:
    "linear: members in order; circular: starting after the member that answered last; parallel: all at once.",
});
const noAnswer = Type.Union([Type.Literal("busy"), Type.Literal("voicemail"), Type.Literal("number")], {
  description: "When nobody answers: 486 Busy Here, the voicemail of a user, or another number.",
});

const groupFields = {
  number: Type.String({
    description: "The group's own number (digits, *, #, +); calling it rings the group.",
  }),
  name: Type.String({ maxLength: 64 }),
  members: Type.Array(Type.String(), { description: "Local user names, in hunting order." }),
  strategy,
  ringTime: Type.Integer({ description: "Seconds each member rings (the whole group's, parallel)." }),
  noAnswer,
  noAnswerTarget: Type.String({
    description: 'voicemail: the user whose mailbox answers; number: the number routed; busy: "".',
  }),
};

export const HuntGroupItem = Type.Object(
  {
    id: Type.Integer(),
    ...groupFields,
    lastAnswered: Type.Optional(
      Type.String({
        description: "Live: the member that answered the group's last call (circular starts after it).",
      }),
    ),
    createdAt: Timestamp("When it was created."),
    updatedAt: Timestamp("When it was last changed."),
  },
  { description: "A hunt group." },
);

const NewGroup = Type.Object(
  {
    number: groupFields.number,
    name: Type.Optional(groupFields.name),
    members: Type.Optional(groupFields.members),
    strategy: Type.Optional(groupFields.strategy),
    ringTime: Type.Optional(groupFields.ringTime),
    noAnswer: Type.Optional(groupFields.noAnswer),
    noAnswerTarget: Type.Optional(groupFields.noAnswerTarget),
  },
  { additionalProperties: false },
);
const GroupPatch = Type.Partial(Type.Object(groupFields), { additionalProperties: false });

export const HuntDetectionItem = Type.Object(
  {
    id: Type.Integer(),
    dialPlan: Type.String({ description: "The dial plan of the callers it applies to (`default`)." }),
    calledNumber: Type.String({
      description: "The called number; for a call in on an external line, also the line's own number.",
    }),
    huntGroup: Type.String({ description: "The number of the hunt group rung." }),
    createdAt: Timestamp("When it was created."),
    updatedAt: Timestamp("When it was last changed."),
  },
  { description: "A hunt group detection record." },
);
const NewDetection = Type.Object(
  {
    dialPlan: Type.Optional(Type.String({ description: "Default `default`." })),
    calledNumber: Type.String(),
    huntGroup: Type.String(),
  },
  { additionalProperties: false },
);
const DetectionPatch = Type.Partial(NewDetection, { additionalProperties: false });

const NumberParam = Type.Object({ number: Type.String() });
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export interface HuntGroupsRoutesOptions {
  store: Store;
  domainId: number;
  live: HuntGroupsLive;
}

export const huntGroupsRoutes: FastifyPluginAsyncTypebox<HuntGroupsRoutesOptions> = async (
  app,
  { store, domainId, live },
) => {
  const repository = store.huntGroups;
  const withLive = <G extends { number: string; createdAt: number; updatedAt: number }>(row: G) => {
    const group = withIsoStamps(row);
    const last = live.lastAnsweredMember(domainId, row.number);
    return last === undefined ? group : { ...group, lastAnswered: last };
  };

  app.get(
    "/hunt-groups",
    {
      schema: {
        operationId: "listHuntGroups",
        tags: ["groups"],
        summary: "The hunt groups, by number",
        response: { 200: Type.Object({ items: Type.Array(HuntGroupItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await repository.groups(domainId)).map(withLive) }),
  );

  app.get(
    "/hunt-groups/:number",
    {
      schema: {
        operationId: "getHuntGroup",
        tags: ["groups"],
        summary: "One hunt group",
        params: NumberParam,
        response: { 200: HuntGroupItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const group = await repository.group(domainId, request.params.number);
      if (group === undefined) throw new NotFoundError("hunt group", request.params.number);
      return withLive(group);
    },
  );

  app.post(
    "/hunt-groups",
    {
      schema: {
        operationId: "createHuntGroup",
        tags: ["groups"],
        summary: "Add a hunt group; its number is unique",
        body: NewGroup,
        response: { 201: HuntGroupItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(withLive(await repository.createGroup(domainId, request.body))),
  );

  app.patch(
    "/hunt-groups/:number",
    {
      schema: {
        operationId: "updateHuntGroup",
        tags: ["groups"],
        summary: "Change a hunt group (a new number carries its detection records along)",
        params: NumberParam,
        body: GroupPatch,
        response: { 200: HuntGroupItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => withLive(await repository.updateGroup(domainId, request.params.number, request.body)),
  );

  app.delete(
    "/hunt-groups/:number",
    {
      schema: {
        operationId: "deleteHuntGroup",
        tags: ["groups"],
        summary: "Remove a hunt group and its detection records",
        params: NumberParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await repository.deleteGroup(domainId, request.params.number)))
        throw new NotFoundError("hunt group", request.params.number);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/hunt-detections",
    {
      schema: {
        operationId: "listHuntDetections",
        tags: ["groups"],
        summary: "The hunt group detection table, by dial plan then called number",
        response: { 200: Type.Object({ items: Type.Array(HuntDetectionItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await repository.detections(domainId)).map(withIsoStamps) }),
  );

  app.post(
    "/hunt-detections",
    {
      schema: {
        operationId: "createHuntDetection",
        tags: ["groups"],
        summary: "Add a detection record; one per dial plan and called number",
        body: NewDetection,
        response: { 201: HuntDetectionItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(withIsoStamps(await repository.createDetection(domainId, request.body))),
  );

  app.patch(
    "/hunt-detections/:id",
    {
      schema: {
        operationId: "updateHuntDetection",
        tags: ["groups"],
        summary: "Change a detection record",
        params: IdParam,
        body: DetectionPatch,
        response: { 200: HuntDetectionItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      withIsoStamps(await repository.updateDetection(domainId, request.params.id, request.body)),
  );

  app.delete(
    "/hunt-detections/:id",
    {
      schema: {
        operationId: "deleteHuntDetection",
        tags: ["groups"],
        summary: "Remove a detection record",
        params: IdParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await repository.deleteDetection(domainId, request.params.id)))
        throw new NotFoundError("hunt group detection", String(request.params.id));
      return reply.code(204).send(null);
    },
  );
};
