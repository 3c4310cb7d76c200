/**
 * /api/v1/feature-codes: the feature code table (issue 15: "a table (code pattern, service,
 * enabled), analysed before the dial plan"): list it, move a feature's code, turn it off or on,
 * or restore the default. A change applies to the next call and survives restarts.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errorResponses } from "../errors.js";
import type { FeatureCodesView } from "../types.js";

export const FeatureCodeItem = Type.Object(
  {
    service: Type.String({ description: "The service the code reaches, e.g. user-codes.dnd.on." }),
    description: Type.String(),
    code: Type.String({ description: 'The code now ("" = none).' }),
    defaultCode: Type.String({ description: "The code the service comes with." }),
    enabled: Type.Boolean({ description: "Off: dialling the code reaches the dial plan instead." }),
    dial: Type.Array(Type.String(), { description: 'How it is dialled, e.g. "*93*<argument>#".' }),
  },
  { $id: "FeatureCode" },
);

const FeatureCodeChange = Type.Object(
  {
    code: Type.Optional(
      Type.String({ pattern: "^[*#0-9]{0,16}$", description: "1-16 of the keys 0-9, * and #." }),
    ),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const ServiceParam = Type.Object({ service: Type.String({ minLength: 1, maxLength: 128 }) });

export interface FeatureCodesRoutesOptions {
  featureCodes: FeatureCodesView;
  /** A change was made: the admin UI's live view refreshes. */
  onChange?: () => void;
}

export const featureCodesRoutes: FastifyPluginAsyncTypebox<FeatureCodesRoutesOptions> = async (
  app,
  { featureCodes, onChange },
) => {
  app.get(
    "/feature-codes",
    {
      schema: {
        operationId: "listFeatureCodes",
        tags: ["feature-codes"],
        summary: "Every feature code: service, code, default, on or off, how it is dialled",
        response: { 200: Type.Object({ items: Type.Array(FeatureCodeItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: featureCodes.list() }),
  );

  app.patch(
    "/feature-codes/:service",
    {
      schema: {
        operationId: "updateFeatureCode",
        tags: ["feature-codes"],
        summary: "Move a feature's code, or turn it off or on (errors name the field)",
        params: ServiceParam,
        body: FeatureCodeChange,
        response: { 200: FeatureCodeItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const changed = await featureCodes.configure(request.params.service, request.body);
      onChange?.();
      return changed;
    },
  );

  app.delete(
    "/feature-codes/:service",
    {
      schema: {
        operationId: "resetFeatureCode",
        tags: ["feature-codes"],
        summary: "Restore a feature's default code (and turn it on when the default is a code)",
        params: ServiceParam,
        response: { 200: FeatureCodeItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const reset = await featureCodes.reset(request.params.service);
      onChange?.();
      return reset;
    },
  );
};
