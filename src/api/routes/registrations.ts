/** /api/v1/registrations: the live bindings of the location service. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { ApiError, errorResponses } from "../errors.js";
import { type Registration, RegistrationId, RegistrationList, RegistrationQuery } from "../schemas.js";
import type { LiveRegistration, RegistrationsView } from "../types.js";

export interface RegistrationsRoutesOptions {
  registrations: RegistrationsView;
  /**
   * The tenant served (issue 21): only its bindings are listed and removed, another domain's id
   * answers 404 as a missing one does. Every domain's when not given.
   */
  domainId?: number;
  now: () => number;
}

export function toRegistration(r: LiveRegistration, now: number): Static<typeof Registration> {
  return {
    id: r.id,
    domainId: r.domainId,
    user: r.user,
    contact: r.contact,
    transport: r.transport,
    sourceAddress: r.sourceAddress,
    sourcePort: r.sourcePort,
    expiresAt: new Date(r.expiresAt).toISOString(),
    expiresIn: Math.max(0, Math.ceil((r.expiresAt - now) / 1000)),
    userAgent: r.userAgent,
    instanceId: r.instanceId,
    q: r.q,
    path: r.path,
  };
}

export const registrationsRoutes: FastifyPluginAsyncTypebox<RegistrationsRoutesOptions> = async (
  app,
  { registrations, domainId, now },
) => {
  const ours = (r: LiveRegistration) => domainId === undefined || r.domainId === domainId;
  app.get(
    "/registrations",
    {
      schema: {
        operationId: "listRegistrations",
        tags: ["registrations"],
        summary: "Live registration bindings, optionally of one user",
        querystring: RegistrationQuery,
        response: { 200: RegistrationList, ...errorResponses(401) },
      },
    },
    async (request) => {
      const { user } = request.query;
      const at = now();
      const items = registrations.list(user === undefined ? undefined : { user }).filter(ours);
      return { items: items.map((r) => toRegistration(r, at)) };
    },
  );

  app.delete(
    "/registrations/:id",
    {
      schema: {
        operationId: "deleteRegistration",
        tags: ["registrations"],
        summary: "Remove one binding (the phone must register again)",
        params: RegistrationId,
        response: { 204: Type.Null({ description: "Removed." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const known = domainId === undefined || registrations.list().some((r) => r.id === id && ours(r));
      if (!known || !(await registrations.remove(id))) {
        throw new ApiError("not_found", `registration "${id}" not found`);
      }
      return reply.code(204).send(null);
    },
  );
};
