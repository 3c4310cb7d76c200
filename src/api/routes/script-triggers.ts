/**
 * /api/v1/script-triggers (issue 18): which service script runs at which detection point of the
 * call lifecycle, for calls of a dial plan ("" = any) to a called-number prefix ("" = any), in
 * order. Addressed by id; changes apply to the next call. Every error names its field.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import {
  NotFoundError,
  type ScriptTrigger,
  type Store,
  TRIGGER_POINTS,
  type TriggerPoint,
} from "../../store/index.js";
import { withIsoStamps } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { Stamps } from "../timestamps.js";

const triggerFields = {
  point: Type.Unsafe<TriggerPoint>(
    Type.Union(
      TRIGGER_POINTS.map((p) => Type.Literal(p)),
      { description: "The detection point of the call lifecycle the script runs at." },
    ),
  ),
  dialPlan: Type.String({ description: 'The callers\' dial plan it applies to; "" = any dial plan.' }),
  prefix: Type.String({ description: 'Called-number prefix: digits, *, #, +; "" = any number.' }),
  script: Type.String({ description: "The script's name (`<dataDir>/scripts/<name>.lua`)." }),
  order: Type.Integer({ description: "Among triggers at one point, lower runs first (0-9999, default 0)." }),
  enabled: Type.Boolean({ description: "A disabled trigger is kept but never runs (default true)." }),
};

export const ScriptTriggerItem = Type.Object(
  { id: Type.Integer(), ...triggerFields, ...Stamps() },
  { description: "A script trigger." },
);

const NewTrigger = Type.Object(
  {
    point: triggerFields.point,
    script: triggerFields.script,
    dialPlan: Type.Optional(triggerFields.dialPlan),
    prefix: Type.Optional(triggerFields.prefix),
    order: Type.Optional(triggerFields.order),
    enabled: Type.Optional(triggerFields.enabled),
  },
  { additionalProperties: false },
);
const TriggerPatch = Type.Partial(Type.Object(triggerFields), { additionalProperties: false });
const IdParam = Type.Object({ id: Type.Integer() });

export interface ScriptTriggersRoutesOptions {
  store: Store;
  domainId: number;
}

export const scriptTriggersRoutes: FastifyPluginAsyncTypebox<ScriptTriggersRoutesOptions> = async (
  app,
  { store, domainId },
) => {
  const repository = store.scriptTriggers;
  const tags = ["scripts"];
  const item = (t: ScriptTrigger) => {
    const { domainId: _domain, ...rest } = withIsoStamps(t);
    return rest;
  };

  app.get(
    "/script-triggers",
    {
      schema: {
        operationId: "listScriptTriggers",
        tags,
        summary: "The script triggers in the order they run: by detection point, order, id",
        response: { 200: Type.Object({ items: Type.Array(ScriptTriggerItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await repository.list(domainId)).map(item) }),
  );

  app.get(
    "/script-triggers/:id",
    {
      schema: {
        operationId: "getScriptTrigger",
        tags,
        summary: "One script trigger",
        params: IdParam,
        response: { 200: ScriptTriggerItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const trigger = await repository.get(domainId, request.params.id);
      if (trigger === undefined) throw new NotFoundError("script trigger", String(request.params.id));
      return item(trigger);
    },
  );

  app.post(
    "/script-triggers",
    {
      schema: {
        operationId: "createScriptTrigger",
        tags,
        summary: "Add a script trigger",
        body: NewTrigger,
        response: { 201: ScriptTriggerItem, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => reply.code(201).send(item(await repository.create(domainId, request.body))),
  );

  app.patch(
    "/script-triggers/:id",
    {
      schema: {
        operationId: "updateScriptTrigger",
        tags,
        summary: "Change a script trigger (for the next call)",
        params: IdParam,
        body: TriggerPatch,
        response: { 200: ScriptTriggerItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => item(await repository.update(domainId, request.params.id, request.body)),
  );

  app.delete(
    "/script-triggers/:id",
    {
      schema: {
        operationId: "deleteScriptTrigger",
        tags,
        summary: "Remove a script trigger",
        params: IdParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await repository.delete(domainId, request.params.id)))
        throw new NotFoundError("script trigger", String(request.params.id));
      return reply.code(204).send(null);
    },
  );
};
