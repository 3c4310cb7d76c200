/** Small builders shared by the dialog layer: bodies, responses with a To tag, ACK Via. */
import { createResponse, generateBranch } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { TransportProtocol } from "../transport/types.js";
import type { MessageOptions } from "./types.js";

export type HeaderList = Array<readonly [name: string, value: string]>;

/** The body as bytes and the Content-Type header it needs (RFC 3261 20.15). */
export function bodyParts(options: MessageOptions): { body: Buffer | undefined; headers: HeaderList } {
  const body = options.body;
  if (body === undefined || body.length === 0) return { body: undefined, headers: [] };
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return { body: bytes, headers: [["Content-Type", options.contentType ?? "application/sdp"]] };
}

/**
 * A response to `request` (RFC 3261 8.2.6): the copied fields, the To tag when the request has
 * none, then `headers`, the TU's extra headers and the body.
 */
export function buildResponse(
  request: SipRequest,
  status: number,
  reason: string | undefined,
  toTag: string | undefined,
  headers: HeaderList,
  options: MessageOptions = {},
): SipResponse {
  const { body, headers: bodyHeaders } = bodyParts(options);
  return createResponse(request, status, reason, {
    toTag: status === 100 ? undefined : toTag,
    headers: [...headers, ...(options.headers ?? []), ...bodyHeaders],
    body,
  });
}

/**
 * A Via for a request sent without a client transaction (the ACK for a 2xx, RFC 3261 13.2.2.4:
 * a new branch); the transport fills in sent-by (RFC 3261 18.1.1).
 */
export function freshVia(protocol: TransportProtocol): string {
  return `SIP/2.0/${protocol} 0.0.0.0;branch=${generateBranch()};rport`;
}

/** Methods whose Contact refreshes the remote target (RFC 3261 12.2, RFC 3311 5, RFC 3515, 6665). */
export function isTargetRefresh(method: string): boolean {
  return (
    method === "INVITE" ||
    method === "UPDATE" ||
    method === "SUBSCRIBE" ||
    method === "NOTIFY" ||
    method === "REFER"
  );
}
