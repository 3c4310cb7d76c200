/**
 * /api/v1/users: local users (extensions) of the default domain. The GETs carry each user's live
 * state and, when the server has presence, what its presence watchers see.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { defaultSettings, type LocalUser, type Store, ValidationError } from "../../store/index.js";
import { DEFAULT_MIN_PASSWORD_LENGTH, passwordPolicyErrorsOf } from "../../store/password-policy.js";
import { type WithIsoStamps, withIsoStamps } from "../../util/iso-time.js";
import { ApiError, errorResponses } from "../errors.js";
import { presenceItem, presenceOfUsers } from "../presence-schema.js";
import {
  User,
  type UserBody,
  UserCreateBody,
  UserListQuery,
  UserName,
  UserPage,
  UserPatchBody,
} from "../schemas.js";
import type { PresenceView, RegistrationsView, UserState } from "../types.js";

export interface UsersRoutesOptions {
  store: Store;
  domainId: number;
  /** Live bindings of a deleted or renamed user are removed too, so the old name cannot stay online. */
  registrations: RegistrationsView;
  /** A user's live state (offline, online, later ringing and talking). */
  userState: (domainId: number, name: string) => UserState;
  /** Users' presence: GET /users and GET /users/{name} carry `presence` when given. */
  presence?: PresenceView;
  /** The password policy's minimum length (ops setting minPasswordLength); 8 when not given. */
  minPasswordLength?: () => number;
}

export function userLocation(name: string): string {
  return `/api/v1/users/${encodeURIComponent(name)}`;
}

/** The store treats a `name` in an update as a rename; an unchanged one is no change. */
function withoutSameName(name: string, body: UserBody): UserBody {
  if (body.name !== name) return body;
  const { name: _same, ...rest } = body;
  return rest;
}

/** PUT: every field not in the body takes its default (the password stays unless given). */
function fullReplacement(name: string, body: UserBody): UserBody {
  const defaults = defaultSettings(body.name ?? name);
  const forwarding = body.forwarding ?? {};
  return withoutSameName(name, {
    ...defaults,
    ...body,
    forwarding: {
      unconditional: { ...defaults.forwarding.unconditional, ...forwarding.unconditional },
      unreachable: { ...defaults.forwarding.unreachable, ...forwarding.unreachable },
      busy: { ...defaults.forwarding.busy, ...forwarding.busy },
      noAnswer: { ...defaults.forwarding.noAnswer, ...forwarding.noAnswer },
    },
    followMe: { ...defaults.followMe, ...body.followMe },
  });
}

export const usersRoutes: FastifyPluginAsyncTypebox<UsersRoutesOptions> = async (
  app,
  { store, domainId, registrations, userState, presence, minPasswordLength },
) => {
  // The password policy (issue 23): 400 naming `password` and the rule it breaks.
  const checkPassword = (body: unknown, current: string | undefined) => {
    const min = minPasswordLength?.() ?? DEFAULT_MIN_PASSWORD_LENGTH;
    const errors = passwordPolicyErrorsOf(body, current, min);
    if (errors.length > 0) throw new ValidationError(errors);
  };
  const withState = (user: LocalUser): WithIsoStamps<LocalUser> & { state: UserState } => ({
    ...withIsoStamps(user),
    state: userState(domainId, user.name),
  });
  const notFound = (name: string) => new ApiError("not_found", `user "${name}" not found`);

  async function dropLiveBindings(name: string): Promise<void> {
    for (const binding of registrations.list({ user: name })) {
      if (binding.domainId === domainId) await registrations.remove(binding.id);
    }
  }

  async function update(
    name: string,
    patch: UserBody,
  ): Promise<WithIsoStamps<LocalUser> & { state: UserState }> {
    checkPassword(patch, name);
    const user = await store.users.update(domainId, name, patch);
    if (user.name !== name) await dropLiveBindings(name);
    return withState(user);
  }

  app.get(
    "/users",
    {
      schema: {
        operationId: "listUsers",
        tags: ["users"],
        summary: "List users, a page at a time, optionally filtered",
        querystring: UserListQuery,
        response: { 200: UserPage, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { offset, limit, search } = request.query;
      const page = await store.users.list({ domainId, offset, limit, search });
      const items = page.items.map(withState);
      if (presence !== undefined) {
        const live = await presenceOfUsers(
          presence,
          domainId,
          items.map((u) => u.name),
        );
        return {
          items: items.map((u, i) => ({ ...u, presence: live[i] })),
          total: page.total,
          offset,
          limit,
        };
      }
      return { items, total: page.total, offset, limit };
    },
  );

  app.get(
    "/users/:name",
    {
      schema: {
        operationId: "getUser",
        tags: ["users"],
        summary: "One user",
        params: UserName,
        response: { 200: User, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const user = await store.users.get(domainId, request.params.name);
      if (!user) throw notFound(request.params.name);
      if (presence === undefined) return withState(user);
      return { ...withState(user), presence: presenceItem(await presence.presenceOf(domainId, user.name)) };
    },
  );

  app.post(
    "/users",
    {
      schema: {
        operationId: "createUser",
        tags: ["users"],
        summary: "Create a user; the response's Location names it",
        body: UserCreateBody,
        response: { 201: User, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      checkPassword(request.body, undefined);
      const user = await store.users.create(domainId, request.body);
      return reply.code(201).header("location", userLocation(user.name)).send(withState(user));
    },
  );

  app.patch(
    "/users/:name",
    {
      schema: {
        operationId: "updateUser",
        tags: ["users"],
        summary: "Change some fields of a user (nested objects merge, lists are replaced)",
        params: UserName,
        body: UserPatchBody,
        response: { 200: User, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { name } = request.params;
      return update(name, withoutSameName(name, request.body));
    },
  );

  app.put(
    "/users/:name",
    {
      schema: {
        operationId: "replaceUser",
        tags: ["users"],
        summary: "Replace a user's settings: fields not given return to their defaults",
        description: "The password is kept unless given; a new `name` needs a new `password`.",
        params: UserName,
        body: UserPatchBody,
        response: { 200: User, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { name } = request.params;
      return update(name, fullReplacement(name, request.body));
    },
  );

  app.delete(
    "/users/:name",
    {
      schema: {
        operationId: "deleteUser",
        tags: ["users"],
        summary: "Delete a user and its registrations (stored and live)",
        params: UserName,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const deleted = await store.users.delete(domainId, name);
      await dropLiveBindings(name);
      if (!deleted) throw notFound(name);
      return reply.code(204).send(null);
    },
  );
};
