/**
 * The core's PUBLISH handler (RFC 3903, event state compositor for the presence package): a
 * device publishes its own user's presence. Checked in RFC 3903 6's order: the Event package (489
 * with Allow-Events), digest authentication (401, as for SUBSCRIBE), the publisher is the
 * presentity (403), Expires (423 with Min-Expires), the body's type (415 with Accept) and its
 * PIDF (400 naming the problem); then Publications keeps it and the answer carries SIP-ETag and
 * Expires.
 */
import type { Authenticator } from "../auth/authenticator.js";
import type { MethodHandler } from "../core/sip-core.js";
import { unescapeUri } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction } from "../transaction/types.js";
import type { Logger } from "../util/logger.js";
import { readPidf } from "./pidf-read.js";
import { PIDF_XML, PRESENCE } from "./presence-package.js";
import type { Publications } from "./publications.js";
import { negotiateExpires, parseEvent } from "./subscribe-request.js";

type Headers = ReadonlyArray<readonly [string, string]>;

export interface PublishHandlerOptions {
  readonly authenticator: Authenticator;
  readonly domain: { readonly id: number; readonly realm: string };
  readonly publications: Publications;
  readonly response: (request: SipRequest, status: number, reason?: string, headers?: Headers) => SipResponse;
  readonly logger: Logger;
}

/** RFC 3903 5 leaves the durations to the package: as for subscriptions. */
const LIMITS = { defaultExpires: 3600, minExpires: 60, maxExpires: 3600 };

export function publishHandler(o: PublishHandlerOptions): MethodHandler {
  const respond = (tx: ServerTransaction, status: number, reason: string, headers: Headers = []) => {
    if (tx.state === "trying" || tx.state === "proceeding")
      tx.respond(o.response(tx.request.message as SipRequest, status, reason, headers));
  };
  const publish = async (rx: Parameters<MethodHandler>[0], tx: ServerTransaction): Promise<void> => {
    const request = rx.message as SipRequest;
    if (parseEvent(request.get("event"))?.name !== PRESENCE) {
      respond(tx, 489, "Bad Event", [["Allow-Events", PRESENCE]]);
      return;
    }
    const auth = await o.authenticator.authenticate({
      request,
      sourceAddress: rx.source.address,
      domainId: o.domain.id,
      realm: o.domain.realm,
      challenge: 401,
      claimedUser: request.from?.uri.user,
    });
    if (auth.kind === "challenge") return respond(tx, auth.status, auth.reason, auth.headers);
    if (auth.kind === "forbidden") return respond(tx, 403, auth.reason);
    const presentity = unescapeUri(request.uri.user ?? "");
    if (presentity !== auth.username) return respond(tx, 403, "Forbidden (publish your own presence only)");
    const expires = negotiateExpires(request.get("expires"), LIMITS);
    if (expires.kind === "bad") return respond(tx, 400, "Bad Expires");
    if (expires.kind === "too-brief")
      return respond(tx, 423, "Interval Too Brief", [["Min-Expires", String(expires.minExpires)]]);
    let state: ReturnType<typeof readPidf> | undefined;
    if (request.body.length > 0) {
      const type = (request.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== PIDF_XML) return respond(tx, 415, "Unsupported Media Type", [["Accept", PIDF_XML]]);
      state = readPidf(request.body.toString("utf8"));
      if (!state.ok) return respond(tx, 400, `Bad Request (${state.reason})`);
    }
    const ifMatch = request.get("sip-if-match")?.trim();
    const result = o.publications.publish(o.domain.id, presentity, {
      expires: expires.expires,
      ...(ifMatch === undefined ? {} : { ifMatch }),
      ...(state?.ok === true ? { state: state.state } : {}),
    });
    if (!result.ok) return respond(tx, result.status, result.reason);
    o.logger.debug({ user: presentity, expires: result.expires, etag: result.etag }, "presence published");
    respond(tx, 200, "OK", [
      ...(result.etag === undefined ? [] : ([["SIP-ETag", result.etag]] as const)),
      ["Expires", String(result.expires)],
    ]);
  };
  return (rx, tx) => {
    publish(rx, tx).catch((err: unknown) => {
      o.logger.error({ err, callId: rx.message.callId }, "PUBLISH failed");
      respond(tx, 500, "Server Internal Error");
    });
  };
}
