/**
 * /api/v1/emergency-numbers (issue 23): the emergency numbers table. Any local user may dial one,
 * with or without the out-group prefix, whatever its call right and the black list; it leaves on
 * its `line` first, then on the lines the out-group prefix takes (src/routing/emergency.ts). No
 * local extension may take one. Addressed by number; every error names its field.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { type EmergencyNumberRecord, EmergencyNumberRepository } from "../../store/emergency-repository.js";
import { NotFoundError, type Store } from "../../store/index.js";
import { errorResponses } from "../errors.js";

const fields = {
  number: Type.String({
    description: "1-32 of digits, *, #, +: dialled as is, or after the out-group prefix.",
  }),
  line: Type.String({
    maxLength: 128,
    description: 'The external line\'s account the call leaves on first ("" = the normal outbound routing).',
  }),
  description: Type.String({ maxLength: 64, description: 'What the number reaches ("police"); "" = none.' }),
};

export const EmergencyNumberItem = Type.Object(
  {
    ...fields,
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
  },
  { description: "An emergency number." },
);

const EmergencyNumberList = Type.Object(
  { items: Type.Array(EmergencyNumberItem) },
  { description: "The emergency numbers, by number." },
);

const NewNumber = Type.Object(
  { number: fields.number, line: Type.Optional(fields.line), description: Type.Optional(fields.description) },
  { additionalProperties: false },
);
const NumberPatch = Type.Object(
  { line: Type.Optional(fields.line), description: Type.Optional(fields.description) },
  { additionalProperties: false },
);
const NumberParam = Type.Object({ number: Type.String() });

export interface EmergencyNumbersRoutesOptions {
  store: Store;
  domainId: number;
  /** The routing tables changed: the next call and dry run read them again. */
  changed: () => void;
}

function toItem(r: EmergencyNumberRecord) {
  return {
    number: r.number,
    line: r.line,
    description: r.description,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

export function emergencyNumberLocation(number: string): string {
  return `/api/v1/emergency-numbers/${encodeURIComponent(number)}`;
}

export const emergencyNumbersRoutes: FastifyPluginAsyncTypebox<EmergencyNumbersRoutesOptions> = async (
  app,
  { store, domainId, changed },
) => {
  const repository = new EmergencyNumberRepository(store.db);
  const tags = ["routing"];

  app.get(
    "/emergency-numbers",
    {
      schema: {
        operationId: "listEmergencyNumbers",
        tags,
        summary: "The emergency numbers, by number",
        response: { 200: EmergencyNumberList, ...errorResponses(401) },
      },
    },
    async () => ({ items: (await repository.list(domainId)).map(toItem) }),
  );

  app.get(
    "/emergency-numbers/:number",
    {
      schema: {
        operationId: "getEmergencyNumber",
        tags,
        summary: "One emergency number",
        params: NumberParam,
        response: { 200: EmergencyNumberItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const record = await repository.get(domainId, request.params.number);
      if (record === undefined) throw new NotFoundError("emergency number", request.params.number);
      return toItem(record);
    },
  );

  app.post(
    "/emergency-numbers",
    {
      schema: {
        operationId: "createEmergencyNumber",
        tags,
        summary: "Add an emergency number (refused when a local extension has it)",
        body: NewNumber,
        response: { 201: EmergencyNumberItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const record = await repository.create(domainId, request.body);
      changed();
      return reply.code(201).header("location", emergencyNumberLocation(record.number)).send(toItem(record));
    },
  );

  app.patch(
    "/emergency-numbers/:number",
    {
      schema: {
        operationId: "updateEmergencyNumber",
        tags,
        summary: "Change an emergency number's line or description",
        params: NumberParam,
        body: NumberPatch,
        response: { 200: EmergencyNumberItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const record = await repository.update(domainId, request.params.number, request.body);
      changed();
      return toItem(record);
    },
  );

  app.delete(
    "/emergency-numbers/:number",
    {
      schema: {
        operationId: "deleteEmergencyNumber",
        tags,
        summary: "Remove an emergency number",
        params: NumberParam,
        response: { 204: Type.Null({ description: "Removed." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { number } = request.params;
      if (!(await repository.delete(domainId, number))) throw new NotFoundError("emergency number", number);
      changed();
      return reply.code(204).send(null);
    },
  );
};
