/**
 * List, read, create, change (PATCH merges, PUT replaces) and delete for one kind of routing row
 * (store/routing-repository.ts): external lines, SIP trunks, dial plans and the dial plan tables
 * share these five routes, each with its own path, schemas and live fields.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TObject, Type } from "typebox";
import type { Store } from "../../store/index.js";
import type { RoutingKind, RoutingValues } from "../../store/routing-repository.js";
import type { RowCheck } from "../../store/self-reference.js";
import { ApiError, errorResponses } from "../errors.js";

export interface RoutingCrudOptions<K extends RoutingKind> {
  store: Store;
  domainId: number;
  kind: K;
  /** URL path, e.g. "/external-lines". */
  path: string;
  /** OpenAPI tag ("external-lines"). */
  tag: string;
  /** operationId stem ("ExternalLine": listExternalLines, getExternalLine, ...). */
  op: string;
  noun: string;
  schemas: { create: TObject; patch: TObject; item: TObject };
  /** The path parameter naming one row ("account", "trunkId", "name", "id"). */
  param: string;
  /** Rows of this kind can be referred to by others: DELETE may answer 400 (in use). */
  referable: boolean;
  /** An update can collide with another row's key (analyze and refine prefixes): 409. */
  updateConflicts: boolean;
  /** Adds live fields and hides secrets. */
  view?: (value: RoutingValues[K]) => Record<string, unknown>;
  /** After every change (the server's router cache forgets its tables). */
  onChange?: () => void;
  /** More checks of a created or changed row: a line or trunk pointing at this Parley (400). */
  check?: RowCheck;
}

export function routingCrud<K extends RoutingKind>(): FastifyPluginAsyncTypebox<RoutingCrudOptions<K>> {
  return async (app, o) => {
    const { store, domainId, kind, path, tag, op, noun, schemas, param } = o;
    const Key = Type.Object({ [param]: Type.String({ description: `The ${noun}'s ${param}.` }) });
    const keyIn = (params: unknown) => (params as Record<string, string>)[param];
    const one = `${path}/:${param}`;
    const view = (value: RoutingValues[K]): Record<string, unknown> =>
      (o.view ? o.view(value) : value) as Record<string, unknown>;
    const location = (key: string) => `/api/v1${path}/${encodeURIComponent(key)}`;
    const keyOf = (value: RoutingValues[K]): string => {
      const v = value as unknown as Record<string, unknown>;
      return String(v.id ?? v.account ?? v.trunkId ?? v.name);
    };
    const notFound = (key: string) => new ApiError("not_found", `${noun} "${key}" not found`);
    const changed = () => o.onChange?.();

    app.get(
      path,
      {
        schema: {
          operationId: `list${op}s`,
          tags: [tag],
          summary: `Every ${noun}`,
          response: { 200: Type.Object({ items: Type.Array(schemas.item) }), ...errorResponses(401) },
        },
      },
      async () => ({ items: (await store.routing.list(domainId, kind)).map(view) }),
    );

    app.get(
      one,
      {
        schema: {
          operationId: `get${op}`,
          tags: [tag],
          summary: `One ${noun}`,
          params: Key,
          response: { 200: schemas.item, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const value = await store.routing.get(domainId, kind, keyIn(request.params));
        if (value === undefined) throw notFound(keyIn(request.params));
        return view(value);
      },
    );

    app.post(
      path,
      {
        schema: {
          operationId: `create${op}`,
          tags: [tag],
          summary: `Create a ${noun}; references to other rows must exist`,
          body: schemas.create,
          response: { 201: schemas.item, ...errorResponses(400, 401, 409) },
        },
      },
      async (request, reply) => {
        const value = await store.routing.create(domainId, kind, request.body, o.check);
        changed();
        return reply
          .code(201)
          .header("location", location(keyOf(value)))
          .send(view(value));
      },
    );

    for (const [method, mode] of [
      ["patch", "merge"],
      ["put", "replace"],
    ] as const) {
      app[method](
        one,
        {
          schema: {
            operationId: `${mode === "merge" ? "update" : "replace"}${op}`,
            tags: [tag],
            summary:
              mode === "merge"
                ? `Change some fields of a ${noun} (nested objects merge)`
                : `Replace a ${noun}: fields not given return to their defaults`,
            params: Key,
            body: schemas.patch,
            response: {
              200: schemas.item,
              ...(o.updateConflicts ? errorResponses(400, 401, 404, 409) : errorResponses(400, 401, 404)),
            },
          },
        },
        async (request) => {
          const value = await store.routing.update(
            domainId,
            kind,
            keyIn(request.params),
            request.body,
            mode,
            o.check,
          );
          changed();
          return view(value);
        },
      );
    }

    app.delete(
      one,
      {
        schema: {
          operationId: `delete${op}`,
          tags: [tag],
          summary: `Delete a ${noun} nothing else refers to`,
          params: Key,
          response: {
            204: Type.Null({ description: "Deleted." }),
            ...(o.referable ? errorResponses(400, 401, 404) : errorResponses(401, 404)),
          },
        },
      },
      async (request, reply) => {
        const deleted = await store.routing.delete(domainId, kind, keyIn(request.params));
        if (!deleted) throw notFound(keyIn(request.params));
        changed();
        return reply.code(204).send(null);
      },
    );
  };
}
