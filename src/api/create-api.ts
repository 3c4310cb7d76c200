/**
 * The admin REST API: a Fastify instance, not yet listening (the composition root calls
 * `listen({ port, host })`). Routes are schema-first: TypeBox schemas validate input, type the
 * handlers, serialize output and become the OpenAPI 3 document at /api/v1/openapi.json; the
 * interactive docs at /api/docs are served from @fastify/swagger-ui's own files, no CDN.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { Ajv } from "ajv";
import fastJsonStringify from "fast-json-stringify";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifySchemaCompiler,
  LogController,
} from "fastify";
import { version } from "../version.js";
import { accessLog } from "./access-log.js";
import { requireToken } from "./auth.js";
import {
  API_ERRORS,
  ApiError,
  type ApiErrorCode,
  ErrorBody,
  type ErrorBodyType,
  handleError,
} from "./errors.js";
import { autoAttendantRoutes } from "./routes/auto-attendant.js";
import { autoAttendantTimesRoutes } from "./routes/auto-attendant-times.js";
import { bansRoutes } from "./routes/bans.js";
import { callListsRoutes } from "./routes/call-lists.js";
import { callingCardRatesRoutes } from "./routes/calling-card-rates.js";
import { callingCardsRoutes } from "./routes/calling-cards.js";
import { callsRoutes } from "./routes/calls.js";
import { cdrsRoutes } from "./routes/cdrs.js";
import { conferenceRoomsRoutes } from "./routes/conference-rooms.js";
import { emergencyNumbersRoutes } from "./routes/emergency-numbers.js";
import { eventsRoutes } from "./routes/events.js";
import { featureCodesRoutes } from "./routes/feature-codes.js";
import { healthRoutes } from "./routes/health.js";
import { huntGroupsRoutes } from "./routes/hunt-groups.js";
import { ipListsRoutes } from "./routes/ip-lists.js";
import { metricsRoutes } from "./routes/metrics.js";
import { originateRoutes } from "./routes/originate.js";
import { parkedRoutes } from "./routes/parked.js";
import { minPasswordLengthOf, passwordPolicyRoutes } from "./routes/password-policy.js";
import { phoneRoutes, phoneRoutesOptions } from "./routes/phone.js";
import { promptsRoutes } from "./routes/prompts.js";
import { recordingsRoutes } from "./routes/recordings.js";
import { registrationsRoutes } from "./routes/registrations.js";
import { offlineRouting, routingRoutes } from "./routes/routing.js";
import { scriptTriggersRoutes } from "./routes/script-triggers.js";
import { scriptsRoutes } from "./routes/scripts.js";
import { sessionRoutes, signInRoutes } from "./routes/session.js";
import { publicSettings, settingsRoutes } from "./routes/settings.js";
import { smtpRoutes } from "./routes/smtp.js";
import { statusRoutes } from "./routes/status.js";
import { subscriptionsRoutes } from "./routes/subscriptions.js";
import { systemSettingsRoutes } from "./routes/system-settings.js";
import { tenantsRoutes } from "./routes/tenants.js";
import { usersRoutes } from "./routes/users.js";
import { voicemailRoutes } from "./routes/voicemail.js";
import { serveWebUi } from "./static.js";
import { tenantScope } from "./tenant-scope.js";
import type { ApiDeps } from "./types.js";

export const API_PREFIX = "/api/v1";
export const OPENAPI_PATH = `${API_PREFIX}/openapi.json`;
export const DOCS_PATH = "/api/docs";

/** systemClock.now() is performance.now(): milliseconds since performance.timeOrigin. */
export function systemClockToEpochMs(clockMs: number): number {
  return performance.timeOrigin + clockMs;
}

/**
 * Bodies are validated strictly (no type coercion, unknown fields rejected, all errors reported);
 * query strings and path parameters are text, so their numbers and booleans are coerced.
 */
function validatorCompiler(): FastifySchemaCompiler<unknown> {
  return ({ schema, httpPart }) => {
    // Issue 21: every tenant's API has the same routes with the same schema objects; each is
    // compiled once for the process, not once per tenant (about 5 MB an API otherwise).
    const cache = httpPart === "body" ? compiledBodies : compiledText;
    const key = schema as object;
    let compiled = cache.get(key);
    if (compiled === undefined) {
      compiled = (httpPart === "body" ? bodyAjv : textAjv).compile(key);
      cache.set(key, compiled);
    }
    return compiled;
  };
}

/**
 * Response serializers (fast-json-stringify, as Fastify's own compiler makes them: a field not in
 * the schema is never sent) compiled once per schema object for the process (issue 21: each
 * tenant's API would otherwise compile its own, about 3 MB an API).
 */
const serializers = new WeakMap<object, (data: unknown) => string>();
function serializerCompiler({ schema }: { schema: unknown }): (data: unknown) => string {
  const key = schema as object;
  let serialize = serializers.get(key);
  if (serialize === undefined) {
    serialize = fastJsonStringify(key) as (data: unknown) => string;
    serializers.set(key, serialize);
  }
  return serialize;
}

const AJV_COMMON = { allErrors: true, removeAdditional: false, strict: false } as const;
const bodyAjv = new Ajv({ ...AJV_COMMON, coerceTypes: false, useDefaults: false });
const textAjv = new Ajv({ ...AJV_COMMON, coerceTypes: true, useDefaults: true });
const compiledBodies = new WeakMap<object, ReturnType<Ajv["compile"]>>();
const compiledText = new WeakMap<object, ReturnType<Ajv["compile"]>>();

function errorCatalogue(): string {
  const rows = (Object.keys(API_ERRORS) as ApiErrorCode[]).map(
    (code) => `| \`${code}\` | ${API_ERRORS[code].status} | ${API_ERRORS[code].description} |`,
  );
  return [
    "Administration of a Parley SIP server. Every route but this document needs",
    "`Authorization: Bearer <token>` (the token is PARLEY_API_TOKEN, the `apiToken` setting, or the",
    "one generated into the data dir on first start).",
    "",
    "Two scopes (issue 21, virtual PBXs): the provider (the default tenant's token or session) has",
    "every route, including `/api/v1/tenants`, and acts inside a tenant by adding the header",
    "`X-Parley-Tenant: <name>` (or `?tenant=<name>`); a tenant's administrator (its own token,",
    "`pt.<tenant>.…`, or session) has every route but `/api/v1/tenants` and sees only its tenant:",
    "another tenant's resources answer 404. `GET /api/v1/tenant` tells which scope a caller has.",
    "",
    "Every error answers `{ error, message, errors? }` with one of these stable codes:",
    "",
    "| error | status | meaning |",
    "|---|---|---|",
    ...rows,
  ].join("\n");
}

/**
 * Bodies are JSON (issue 23): a body of any other type gets 415 `unsupported_media_type` (the
 * upload routes add their own types), not a validation error about its shape; and an empty body
 * with a JSON Content-Type (a DELETE some clients send so) is no body, not 400.
 */
function jsonBodiesOnly(app: FastifyInstance): void {
  app.removeContentTypeParser("text/plain");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === "") {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError("bad_request", "the body is not valid JSON"), undefined);
    }
  });
}

export async function createApi(deps: ApiDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const toEpochMs = deps.toEpochMs ?? systemClockToEpochMs;
  const loggerInstance: FastifyBaseLogger | undefined = deps.logger?.child({ component: "api" });
  const dispatch = deps.dispatch;
  const app: FastifyInstance = Fastify({
    // Fastify's own per-request lines off: access-log.ts writes one line per request instead.
    ...(loggerInstance
      ? { loggerInstance, logController: new LogController({ disableRequestLogging: true }) }
      : { logger: false }),
    // Issue 21: a tenant's request goes to its own API before this one reads it.
    ...(dispatch === undefined
      ? {}
      : {
          serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
            createServer((req, res) => {
              if (!dispatch(req, res)) handler(req, res);
            }),
        }),
  });
  accessLog(app, deps.accessLog ?? "debug");
  app.setValidatorCompiler(validatorCompiler());
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  jsonBodiesOnly(app);
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBodyType = { error: "not_found", message: `no route ${request.method} ${request.url}` };
    return reply.code(404).send(body);
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Parley admin API", version, description: errorCatalogue() },
      tags: [
        { name: "users", description: "Local users (extensions) of the default domain" },
        { name: "registrations", description: "Live registration bindings" },
        { name: "bans", description: "Sources banned after failed authentications" },
        { name: "calls", description: "Calls in progress" },
        { name: "cdrs", description: "Call detail records of the default domain: one per finished call" },
        { name: "status", description: "Server status and settings" },
        {
          name: "external-lines",
          description: "Accounts at VoIP providers and FXO gateways, with live state",
        },
        { name: "sip-trunks", description: "Peer servers trusted by address" },
        { name: "dialplans", description: "Named dial plans and their users" },
        { name: "dialplan", description: "Analyze, transition and refine tables; the routing dry run" },
        {
          name: "prompts",
          description: "Voice prompts and music on hold: listen, replace by upload, restore",
        },
        {
          name: "subscriptions",
          description: "Live SUBSCRIBE dialogs (message-waiting lamps)",
        },
        {
          name: "feature-codes",
          description: "The codes phones dial to reach services: move, turn off, restore",
        },
        {
          name: "voicemail",
          description: "Voice messages, users' greetings, the mail outbox and the SMTP settings",
        },
        { name: "groups", description: "Hunt groups and the hunt group detection table" },
        { name: "auto-attendant", description: "Auto-attendant menus, office hours and entry points" },
        { name: "recordings", description: "Call recordings: list, play, download, delete" },
        { name: "conference", description: "Conference rooms, their members and talkers: mute, remove" },
        { name: "lists", description: "The black and white list of calls and the IP black and white list" },
        {
          name: "calling-cards",
          description: "Prepaid calling cards and their rates; CSV import and export",
        },
        { name: "scripts", description: "Service scripts (Lua) and the triggers that run them" },
        { name: "session", description: "Web UI sign-in, the administrator password, live events" },
        {
          name: "phone",
          description: "The web phone of a local user: its own sign-in and token (not the admin's)",
        },
        { name: "meta", description: "This document" },
      ],
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
        schemas: { Error: ErrorBody },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    uiConfig: { docExpansion: "list", deepLinking: true, persistAuthorization: false },
    staticCSP: true,
  });

  let documentText: string | undefined;
  app.get(
    OPENAPI_PATH,
    {
      schema: {
        operationId: "getOpenApi",
        tags: ["meta"],
        summary: "This OpenAPI 3 document (no token needed)",
        security: [],
        response: { 200: { type: "object", description: "OpenAPI 3.1 document." } },
      },
    },
    async (_request, reply) => {
      documentText ??= JSON.stringify(app.swagger());
      return reply.type("application/json; charset=utf-8").serializer(String).send(documentText);
    },
  );

  const domain = deps.domain ?? (await deps.store.domains.getDefault());
  const admin = deps.admin;
  const events = deps.events;
  const routingLive = deps.routing ?? offlineRouting(deps.store, domain.id);
  // A message deposited by a call (not through the API) refreshes the live view too, so the web
  // UI's voicemail page reloads.
  const mailboxChanges = events && deps.voicemail?.mailboxes.onChange(() => events.notify("state"));
  if (mailboxChanges) app.addHook("onClose", async () => mailboxChanges());
  await app.register(healthRoutes, {
    store: () => deps.store.users.count(),
    ...(deps.readiness === undefined ? {} : { checks: deps.readiness }),
  });
  if (deps.metrics) await app.register(metricsRoutes, deps.metrics);
  if (deps.webUi !== false) await serveWebUi(app);
  if (admin) {
    await app.register(signInRoutes, {
      admin: admin.password,
      sessions: admin.sessions,
      token: deps.token,
      prefix: API_PREFIX,
    });
    // The web softphone's user-scope routes (issue 20), with a token hook of their own.
    await app.register(phoneRoutes, {
      prefix: API_PREFIX,
      ...phoneRoutesOptions(deps, domain.id, admin.sessions.idleTtlMs),
    });
  }
  await app.register(
    async (v1) => {
      v1.addHook("onRequest", requireToken(deps.token, admin?.sessions, deps.provider));
      tenantScope(v1, deps, domain);
      if (deps.tenants) await v1.register(tenantsRoutes, { tenants: deps.tenants, store: deps.store });
      // A successful change through the API (a user created, a call ended) refreshes the live view.
      if (events) {
        v1.addHook("onResponse", async (request, reply) => {
          if (request.method !== "GET" && reply.statusCode < 400) events.notify("config");
        });
      }
      await v1.register(usersRoutes, {
        store: deps.store,
        domainId: domain.id,
        registrations: deps.registrations,
        userState: deps.userState ?? (() => "offline"),
        presence: deps.presence,
        minPasswordLength: () => minPasswordLengthOf(deps.settings),
      });
      // Issue 23's operator tables, served with the server's settings (the policy's minimum, the
      // out-group prefix that emergency numbers need not be dialled with).
      if (deps.settings) {
        await v1.register(passwordPolicyRoutes, {
          store: deps.store,
          domainId: domain.id,
          minPasswordLength: () => minPasswordLengthOf(deps.settings),
        });
        await v1.register(emergencyNumbersRoutes, {
          store: deps.store,
          domainId: domain.id,
          changed: () => routingLive.changed(),
        });
      }
      await v1.register(registrationsRoutes, { registrations: deps.registrations, now, domainId: domain.id });
      await v1.register(bansRoutes, { bans: deps.bans, toEpochMs, now });
      await v1.register(callsRoutes, { calls: deps.calls, now, domainId: domain.id });
      if (deps.originate) await v1.register(originateRoutes, { originate: deps.originate });
      await v1.register(cdrsRoutes, { store: deps.store, domainId: domain.id, now });
      await v1.register(statusRoutes, { status: deps.status, now });
      await v1.register(routingRoutes, {
        store: deps.store,
        domainId: domain.id,
        live: routingLive,
      });
      const settings = deps.settings;
      if (settings) await v1.register(settingsRoutes, { settings: () => publicSettings(settings()) });
      if (deps.systemSettings) await v1.register(systemSettingsRoutes, { settings: deps.systemSettings });
      if (deps.prompts) await v1.register(promptsRoutes, { prompts: deps.prompts });
      if (deps.featureCodes) await v1.register(featureCodesRoutes, { featureCodes: deps.featureCodes });
      if (deps.huntGroups)
        await v1.register(huntGroupsRoutes, {
          store: deps.store,
          domainId: domain.id,
          live: deps.huntGroups,
        });
      if (deps.autoAttendantGreetings) {
        const greetings = deps.autoAttendantGreetings;
        await v1.register(autoAttendantRoutes, { store: deps.store, domainId: domain.id, greetings });
        await v1.register(autoAttendantTimesRoutes, { store: deps.store, domainId: domain.id, now });
      }
      if (deps.parked) await v1.register(parkedRoutes, { parked: deps.parked, domainId: domain.id, now });
      if (deps.recordingsDir !== undefined)
        await v1.register(recordingsRoutes, {
          store: deps.store,
          domainId: domain.id,
          root: deps.recordingsDir,
        });
      if (deps.conferences)
        await v1.register(conferenceRoomsRoutes, {
          store: deps.store,
          domainId: domain.id,
          live: deps.conferences,
          now,
        });
      if (deps.lists) {
        await v1.register(callListsRoutes, { lists: deps.lists.calls, domainId: domain.id });
        await v1.register(ipListsRoutes, { lists: deps.lists.ip });
      }
      if (deps.scripts) {
        await v1.register(scriptsRoutes, { scripts: deps.scripts });
        await v1.register(scriptTriggersRoutes, { store: deps.store, domainId: domain.id });
      }
      if (deps.callingCards) {
        await v1.register(callingCardsRoutes, { store: deps.store, domainId: domain.id, now });
        await v1.register(callingCardRatesRoutes, { store: deps.store, domainId: domain.id, now });
      }
      if (deps.subscriptions)
        await v1.register(subscriptionsRoutes, {
          subscriptions: deps.subscriptions,
          now,
          domainId: domain.id,
        });
      const voicemail = deps.voicemail;
      if (voicemail) {
        await v1.register(voicemailRoutes, { store: deps.store, domainId: domain.id, voicemail });
        await v1.register(smtpRoutes, { smtp: voicemail.smtp });
      }
      if (admin) {
        await v1.register(sessionRoutes, {
          admin: admin.password,
          sessions: admin.sessions,
          token: deps.token,
        });
      }
      if (events) {
        await v1.register(eventsRoutes, {
          store: deps.store,
          domainId: domain.id,
          events,
          sessions: admin?.sessions,
          calls: deps.calls,
          registrations: deps.registrations,
          userState: deps.userState ?? (() => "offline"),
          routing: routingLive,
          parked: deps.parked,
          presence: deps.presence,
          now,
        });
      }
    },
    { prefix: API_PREFIX },
  );
  return app;
}
