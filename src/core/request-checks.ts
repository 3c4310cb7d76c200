/**
 * The checks a UAS makes before it looks at what a request asks for (RFC 3261 8.2), as a pure
 * function: the request in, a rejection (status, reason, extra headers) or undefined out.
 */
import type { SipRequest } from "../sip/types.js";
import { knownMethods, supportedExtensions, supportedSchemes } from "./capabilities.js";
import { type RejectCode, rejectCatalogue } from "./status-catalogue.js";

export interface Rejection {
  readonly code: RejectCode;
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export interface CheckContext {
  /** Methods with a handler (for 501 vs dispatch, and the Allow header). */
  readonly handles: (method: string) => boolean;
  /** The Allow header value. */
  readonly allow: string;
}

function reject(code: RejectCode, headers: ReadonlyArray<readonly [string, string]> = []): Rejection {
  const entry = rejectCatalogue[code];
  return { code, status: entry.status, reason: entry.reason, headers };
}

/** Option tags the request requires that Parley does not support. */
export function unsupportedRequirements(request: SipRequest): string[] {
  const missing: string[] = [];
  // RFC 3261 8.2.2.3: Require is checked by a UAS; RFC 4475 3.3.5 expects Proxy-Require's tags too
  // from an element that acts as both (a B2BUA forwards nothing it has not understood).
  for (const header of ["require", "proxy-require"]) {
    for (const tag of request.getAll(header)) {
      const t = tag.trim().toLowerCase();
      if (t && !supportedExtensions.includes(t) && !missing.includes(t)) missing.push(t);
    }
  }
  return missing;
}

/**
 * RFC 3261 8.2.1 (method), 8.2.2.1 (URI scheme), 8.2.2.3 (Require) and 16.3 (Max-Forwards) in that
 * order. ACK is never rejected: it gets no response (RFC 3261 17.1.1.3, 13.2.2.4).
 */
export function checkRequest(request: SipRequest, ctx: CheckContext): Rejection | undefined {
  const method = request.method;
  if (method === "ACK") return undefined;
  // RFC 3261 8.2.1: a method the UAS does not recognize gets 501 (with Allow, 20.5).
  if (!knownMethods.has(method)) return reject("method-not-implemented", [["Allow", ctx.allow]]);
  // RFC 3261 8.2.2.1: "If the Request-URI uses a scheme not supported by the UAS, it SHOULD reject
  // the request with a 416 (Unsupported URI Scheme) response."
  if (!supportedSchemes.has(request.uri.scheme)) return reject("unsupported-scheme");
  // RFC 3261 8.2.2.3: "the UAS MUST ... respond by generating a response with a status code 420
  // (Bad Extension). The UAS MUST add an Unsupported header field". Not for CANCEL (9.2 has no
  // Require processing).
  if (method !== "CANCEL") {
    const missing = unsupportedRequirements(request);
    if (missing.length) return reject("bad-extension", [["Unsupported", missing.join(", ")]]);
  }
  // RFC 3261 16.3 / 8.1.1.6: a request Parley would send on towards a user (its Request-URI names
  // one) with Max-Forwards 0 is refused with 483. Requests addressed to Parley itself (OPTIONS,
  // REGISTER, no user part) are processed normally, as an endpoint does (RFC 4475 3.3.11).
  if (
    request.maxForwards === 0 &&
    method !== "OPTIONS" &&
    method !== "REGISTER" &&
    method !== "CANCEL" &&
    request.uri.user !== undefined
  ) {
    return reject("too-many-hops");
  }
  if (!ctx.handles(method)) return reject("not-handled-yet", [["Allow", ctx.allow]]);
  return undefined;
}
