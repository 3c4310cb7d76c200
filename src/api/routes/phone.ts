/**
 * /api/v1/phone/*: the web softphone's user-scope API (issue 20). A local user signs in with its
 * extension and SIP password (not the administrator's) and gets a phone token that only these
 * routes accept; the admin routes' token check knows nothing of it (phone/phone-sessions.ts), and
 * these routes accept neither the API token nor an admin session. Registered beside the admin
 * sign-in, outside the admin token hook, with a token hook of its own.
 */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { CallRecord, LocalUser, Store } from "../../store/index.js";
import { isoTime } from "../../util/iso-time.js";
import { SignInThrottle } from "../admin/sign-in-throttle.js";
import { bearerToken } from "../auth.js";
import { API_ERRORS, ApiError, type ErrorBodyType, errorResponses } from "../errors.js";
import { checkPhonePassword } from "../phone/phone-credentials.js";
import {
  type PhoneCallItem,
  PhoneCallList,
  PhoneCallsQuery,
  PhoneMe,
  PhonePresence,
  PhoneSessionCreated,
  PhoneSignIn,
} from "../phone/phone-schemas.js";
import { type PhoneSession, PhoneSessions } from "../phone/phone-sessions.js";
import { presenceOfUsers } from "../presence-schema.js";
import type { ApiDeps, PresenceView, UserState } from "../types.js";

export interface PhoneRoutesOptions {
  store: Store;
  domainId: number;
  sessions: PhoneSessions;
  /** Failed sign-ins per address (default: 10 in 5 minutes, as the admin's). */
  throttle?: SignInThrottle;
  /** The effective settings, read for the standalone WebSocket ports (sipWsPort, sipWssPort). */
  settings?: () => Record<string, unknown>;
  presence?: PresenceView;
  userState?: (domainId: number, name: string) => UserState;
}

/** The options create-api.ts passes: the phone sessions live as long as the admin's when idle. */
export function phoneRoutesOptions(deps: ApiDeps, domainId: number, idleTtlMs: number): PhoneRoutesOptions {
  return {
    store: deps.store,
    domainId,
    sessions: new PhoneSessions({ idleTtlMs, ...(deps.now === undefined ? {} : { now: deps.now }) }),
    ...(deps.settings === undefined ? {} : { settings: deps.settings }),
    ...(deps.presence === undefined ? {} : { presence: deps.presence }),
    ...(deps.userState === undefined ? {} : { userState: deps.userState }),
  };
}

/** Colleagues listed at most (the presence panel is a list, not a directory). */
const MAX_COLLEAGUES = 500;
/** "The same 401" for an unknown user and a wrong password: one message, one field. */
const WRONG = "the user or the password is not correct";

/** A port setting if it is one (H1's sipWsPort / sipWssPort; absent on servers without them). */
function portSetting(settings: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = settings?.[key];
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < 65536
    ? value
    : undefined;
}

/** What the presence rule of SUBSCRIBE admits (presence/presence-admission.ts), itself left out. */
function watches(by: LocalUser, other: LocalUser): boolean {
  if (other.name === by.name) return false;
  if (by.subscribeAllPresence || by.presenceGroup === 0) return true;
  return by.presenceGroup === other.presenceGroup;
}

function toPhoneCall(user: string, r: CallRecord): PhoneCallItem {
  const outgoing = r.caller === user;
  return {
    id: r.id,
    direction: outgoing ? "outgoing" : "incoming",
    peer: outgoing ? r.dialed : r.caller,
    peerName: outgoing ? "" : r.callerName,
    startedAt: isoTime(r.startedAt),
    ...(r.answeredAt === undefined ? {} : { answeredAt: isoTime(r.answeredAt) }),
    duration: r.duration,
    talkTime: r.talkTime,
    disposition: r.disposition,
  };
}

/** An onRequest hook: 401 unless the request carries a live phone token (renewed by the request). */
function requirePhoneSession(sessions: PhoneSessions, signedIn: WeakMap<FastifyRequest, PhoneSession>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const presented = bearerToken(request.headers.authorization);
    const session = presented === undefined ? undefined : sessions.check(presented, true);
    if (session !== undefined) {
      signedIn.set(request, session);
      return;
    }
    const body: ErrorBodyType = {
      error: "unauthorized",
      message:
        presented === undefined
          ? "missing Authorization: Bearer <phone token>"
          : "not a phone token (or the phone session expired): sign in with POST /api/v1/phone/session",
    };
    // RFC 6750 3: a 401 carries a WWW-Authenticate challenge.
    reply.header(
      "www-authenticate",
      presented === undefined
        ? 'Bearer realm="parley-phone"'
        : 'Bearer realm="parley-phone", error="invalid_token"',
    );
    await reply.code(API_ERRORS.unauthorized.status).send(body);
  };
}

export const phoneRoutes: FastifyPluginAsyncTypebox<PhoneRoutesOptions> = async (app, options) => {
  const { store, domainId, sessions, settings, presence } = options;
  const throttle = options.throttle ?? new SignInThrottle();
  const userState = options.userState ?? (() => "offline" as const);
  const idleTimeout = Math.floor(sessions.idleTtlMs / 1000);

  app.post(
    "/phone/session",
    {
      schema: {
        operationId: "phoneSignIn",
        tags: ["phone"],
        summary: "Sign in to the web phone as a local user (extension and SIP password); no token needed",
        security: [],
        body: PhoneSignIn,
        response: { 201: PhoneSessionCreated, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const { user, password } = request.body;
      const waitMs = throttle.retryAfterMs(request.ip);
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        reply.header("retry-after", String(seconds));
        throw new ApiError("unauthorized", "too many failed sign-ins from this address", [
          { field: "password", message: `too many failed sign-ins: try again in ${seconds} s` },
        ]);
      }
      const domain = await store.domains.get(domainId);
      const checked =
        domain === undefined
          ? ({ ok: false, reason: "wrong" } as const)
          : await checkPhonePassword(store, domain, user, password);
      if (!checked.ok) {
        throttle.failed(request.ip);
        request.log.warn({ ip: request.ip, user, reason: checked.reason }, "phone sign-in failed");
        if (checked.reason === "disabled")
          throw new ApiError("unauthorized", "this user may not make or take calls", [
            { field: "user", message: "is disabled" },
          ]);
        throw new ApiError("unauthorized", WRONG, [{ field: "password", message: "is not correct" }]);
      }
      throttle.succeeded(request.ip);
      request.log.info({ ip: request.ip, user }, "phone signed in");
      const token = sessions.create(domainId, checked.user.name);
      return reply.code(201).send({ token, user: checked.user.name, idleTimeout });
    },
  );

  await app.register(async (untyped) => {
    const scope = untyped.withTypeProvider<TypeBoxTypeProvider>();
    const signedIn = new WeakMap<FastifyRequest, PhoneSession>();
    scope.addHook("onRequest", requirePhoneSession(sessions, signedIn));
    const sessionOf = (request: FastifyRequest): PhoneSession => {
      const session = signedIn.get(request);
      if (session === undefined) throw new ApiError("unauthorized", "no phone session");
      return session;
    };
    /** The signed-in user, or 401 (and the user's sessions ended) when it was deleted since. */
    const userOf = async (request: FastifyRequest): Promise<LocalUser> => {
      const session = sessionOf(request);
      const user = await store.users.get(session.domainId, session.user);
      if (user === undefined) {
        sessions.revokeUser(session.domainId, session.user);
        throw new ApiError("unauthorized", "the user no longer exists");
      }
      return user;
    };

    scope.get(
      "/phone/me",
      {
        schema: {
          operationId: "phoneMe",
          tags: ["phone"],
          summary: "The signed-in user and where its web phone registers (SIP over WebSocket)",
          response: { 200: PhoneMe, ...errorResponses(401) },
        },
      },
      async (request) => {
        const user = await userOf(request);
        const domain = await store.domains.get(user.domainId);
        const current = settings?.();
        const wsPort = portSetting(current, "sipWsPort");
        const wssPort = portSetting(current, "sipWssPort");
        return {
          user: user.name,
          displayName: user.displayName,
          domain: domain?.name ?? "",
          realm: domain?.realm ?? "",
          // A tenant's phone names its SIP domain (issue 21): the shared ports tell tenants apart so.
          sipHost: domain?.sipDomain ?? request.hostname.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1"),
          webSocket: {
            path: "/sip",
            ...(wsPort === undefined ? {} : { wsPort }),
            ...(wssPort === undefined ? {} : { wssPort }),
          },
          idleTimeout,
        };
      },
    );

    scope.get(
      "/phone/calls",
      {
        schema: {
          operationId: "phoneCalls",
          tags: ["phone"],
          summary: "The signed-in user's finished calls, newest first",
          description:
            "The call detail records whose caller, dialed number or final callee is the user (as GET /cdrs?number= finds them).",
          querystring: PhoneCallsQuery,
          response: { 200: PhoneCallList, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const user = await userOf(request);
        const page = await store.cdrs.list({
          domainId: user.domainId,
          number: user.name,
          offset: 0,
          limit: request.query.limit,
        });
        return { items: page.items.map((r) => toPhoneCall(user.name, r)) };
      },
    );

    scope.get(
      "/phone/presence",
      {
        schema: {
          operationId: "phonePresence",
          tags: ["phone"],
          summary: "Colleagues' line state (BLF) and presence, as the user's phone may watch them",
          response: { 200: PhonePresence, ...errorResponses(401) },
        },
      },
      async (request) => {
        const user = await userOf(request);
        const all = await store.users.list({ domainId: user.domainId, limit: 1000 });
        const colleagues = all.items.filter((other) => watches(user, other)).slice(0, MAX_COLLEAGUES);
        const names = colleagues.map((c) => c.name);
        const live =
          presence === undefined ? undefined : await presenceOfUsers(presence, user.domainId, names);
        return {
          items: colleagues.map((c, i) => ({
            name: c.name,
            displayName: c.displayName,
            state: userState(user.domainId, c.name),
            ...(live === undefined ? {} : { presence: live[i] }),
          })),
        };
      },
    );

    scope.delete(
      "/phone/session",
      {
        schema: {
          operationId: "phoneSignOut",
          tags: ["phone"],
          summary: "Sign the web phone out: the presented phone token stops working",
          response: { 204: Type.Null(), ...errorResponses(401) },
        },
      },
      async (request, reply) => {
        sessions.revoke(bearerToken(request.headers.authorization) ?? "");
        return reply.code(204).send(null);
      },
    );
  });
};
