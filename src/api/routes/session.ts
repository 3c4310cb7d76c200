/**
 * /api/v1/session: the web UI's sign-in. POST with the administrator password (or the API token)
 * returns a session token that expires after the idle TTL (--session-ttl); it is accepted wherever
 * the API token is. /api/v1/admin-password changes the administrator password.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { type AdminPassword, passwordProblem } from "../admin/admin-password.js";
import type { SessionStore } from "../admin/sessions.js";
import { SignInThrottle } from "../admin/sign-in-throttle.js";
import { bearerToken, isApiToken } from "../auth.js";
import { ApiError, errorResponses } from "../errors.js";

export interface SessionRoutesOptions {
  admin: AdminPassword;
  sessions: SessionStore;
  token: string;
  /** Failed sign-ins per address (default: 10 in 5 minutes). */
  throttle?: SignInThrottle;
}

const SignIn = Type.Object(
  {
    password: Type.Optional(
      Type.String({ maxLength: 256, description: "The administrator password.", writeOnly: true }),
    ),
    token: Type.Optional(
      Type.String({ maxLength: 512, description: "Or the API token instead.", writeOnly: true }),
    ),
  },
  { additionalProperties: false },
);

const SessionCreated = Type.Object({
  token: Type.String({ description: "Send as `Authorization: Bearer <token>`." }),
  idleTimeout: Type.Integer({ description: "Seconds without a request after which the session expires." }),
  expiresIn: Type.Integer({ description: "Seconds until it expires if not used." }),
});

const SessionState = Type.Object({
  kind: Type.Union([Type.Literal("session"), Type.Literal("token")], {
    description: "A sign-in session, or the API token (which does not expire).",
  }),
  idleTimeout: Type.Integer(),
  expiresIn: Type.Optional(Type.Integer({ description: "Seconds left, for a session." })),
});

const PasswordChange = Type.Object(
  {
    currentPassword: Type.String({ maxLength: 256, writeOnly: true }),
    newPassword: Type.String({ maxLength: 256, writeOnly: true, description: "8-128 characters." }),
  },
  { additionalProperties: false },
);

/** POST /session: no token needed (registered outside the token hook). */
export const signInRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (
  app,
  { admin, sessions, token, throttle = new SignInThrottle() },
) => {
  app.post(
    "/session",
    {
      schema: {
        operationId: "signIn",
        tags: ["session"],
        summary: "Sign in with the administrator password (or the API token); no token needed",
        security: [],
        body: SignIn,
        response: { 201: SessionCreated, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const { password, token: presented } = request.body;
      if (password === undefined && presented === undefined) {
        throw new ApiError("validation", "password is required", [
          { field: "password", message: "is required" },
        ]);
      }
      const field = presented !== undefined ? "token" : "password";
      const waitMs = throttle.retryAfterMs(request.ip);
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        reply.header("retry-after", String(seconds));
        throw new ApiError("unauthorized", `too many failed sign-ins from this address`, [
          { field, message: `too many failed sign-ins: try again in ${seconds} s` },
        ]);
      }
      const ok = presented !== undefined ? isApiToken(presented, token) : await admin.verify(password ?? "");
      if (!ok) {
        throttle.failed(request.ip);
        request.log.warn({ ip: request.ip }, "admin sign-in failed");
        throw new ApiError("unauthorized", `the ${field} is not correct`, [
          { field, message: "is not correct" },
        ]);
      }
      throttle.succeeded(request.ip);
      request.log.info({ ip: request.ip }, "admin signed in");
      const idle = Math.floor(sessions.idleTtlMs / 1000);
      return reply.code(201).send({ token: sessions.create(), idleTimeout: idle, expiresIn: idle });
    },
  );
};

/** GET/DELETE /session and PUT /admin-password: behind the token hook. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (
  app,
  { admin, sessions, token },
) => {
  const idleTimeout = Math.floor(sessions.idleTtlMs / 1000);
  app.get(
    "/session",
    {
      schema: {
        operationId: "getSession",
        tags: ["session"],
        summary: "The presented session and how long it has left",
        response: { 200: SessionState, ...errorResponses(401) },
      },
    },
    async (request) => {
      const presented = bearerToken(request.headers.authorization) ?? "";
      if (isApiToken(presented, token)) return { kind: "token" as const, idleTimeout };
      const info = sessions.check(presented, false);
      return {
        kind: "session" as const,
        idleTimeout,
        expiresIn: Math.ceil((info?.expiresInMs ?? 0) / 1000),
      };
    },
  );

  app.delete(
    "/session",
    {
      schema: {
        operationId: "signOut",
        tags: ["session"],
        summary: "Sign out: the presented session token stops working",
        response: { 204: Type.Null(), ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      sessions.revoke(bearerToken(request.headers.authorization) ?? "");
      return reply.code(204).send(null);
    },
  );

  app.put(
    "/admin-password",
    {
      schema: {
        operationId: "changeAdminPassword",
        tags: ["session"],
        summary: "Change the administrator password; other sessions are signed out",
        body: PasswordChange,
        response: { 204: Type.Null(), ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const { currentPassword, newPassword } = request.body;
      const problem = passwordProblem(newPassword);
      const errors = [];
      if (!(await admin.verify(currentPassword)))
        errors.push({ field: "currentPassword", message: "is not correct" });
      if (problem !== undefined) errors.push({ field: "newPassword", message: problem });
      if (errors.length > 0) {
        throw new ApiError("validation", errors.map((e) => `${e.field} ${e.message}`).join("; "), errors);
      }
      await admin.set(newPassword);
      sessions.revokeAll(bearerToken(request.headers.authorization));
      request.log.info({ ip: request.ip }, "admin password changed");
      return reply.code(204).send(null);
    },
  );
};
