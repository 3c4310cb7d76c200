/**
 * Bearer-token authentication (RFC 6750) for the admin API: the API token, or a web UI session
 * token (admin/sessions.ts, renewed by each request). The API token comparison runs in constant
 * time over fixed-length digests, so neither its content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { SessionStore } from "./admin/sessions.js";
import { API_ERRORS, type ErrorBodyType } from "./errors.js";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/** True when `presented` is the API token (constant time). */
export function isApiToken(presented: string, token: string): boolean {
  return timingSafeEqual(digest(presented), digest(token));
}

/** An onRequest hook that answers 401 unless the request carries the token or a live session. */
export function requireToken(
  token: string,
  sessions?: SessionStore,
  /** Issue 21: the provider's token and sessions also open a tenant's API. */
  provider?: { readonly token: string; readonly sessions?: SessionStore | undefined },
) {
  const providerDigest = provider && digest(provider.token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const presented = bearerToken(request.headers.authorization);
    const expected = digest(token);
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return;
    if (presented !== undefined && sessions?.check(presented, true) !== undefined) return;
    if (presented !== undefined && providerDigest && timingSafeEqual(digest(presented), providerDigest))
      return;
    if (presented !== undefined && provider?.sessions?.check(presented, true) !== undefined) return;
    const body: ErrorBodyType = {
      error: "unauthorized",
      message:
        presented === undefined
          ? "missing Authorization: Bearer <token>"
          : "the bearer token is not valid (or the session expired)",
    };
    if (presented !== undefined)
      request.log.warn({ ip: request.ip }, "API request with a wrong bearer token");
    // RFC 6750 3: a 401 carries a WWW-Authenticate challenge.
    reply.header(
      "www-authenticate",
      presented === undefined ? 'Bearer realm="parley"' : 'Bearer realm="parley", error="invalid_token"',
    );
    await reply.code(API_ERRORS.unauthorized.status).send(body);
  };
}
