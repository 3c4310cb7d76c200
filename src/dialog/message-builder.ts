/** Small builders shared by the dialog layer: bodies, responses with a To tag, the ACK of a 2xx. */
import { cloneMessage, createRequest, createResponse, generateBranch } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { TransportProtocol } from "../transport/types.js";
import type { KeptAck } from "./kept-ack.js";
import { requestTarget } from "./request-target.js";
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
export function freshVia(protocol: TransportProtocol, branch = generateBranch()): string {
  return `SIP/2.0/${protocol} 0.0.0.0;branch=${branch};rport`;
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

/** The dialog state a request within the dialog is built from. */
export interface DialogParts {
  readonly localUri: string;
  readonly remoteUri: string;
  readonly callId: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
}

/**
 * A request within a dialog (RFC 3261 12.2.1.1): "The URI in the To field of the request MUST be
 * set to the remote URI from the dialog state. The tag in the To header field of the request MUST
 * be set to the remote tag of the dialog ID. The From URI of the request MUST be set to the local
 * URI from the dialog state. The tag in the From header field of the request MUST be set to the
 * local tag of the dialog ID. ... The Call-ID of the request MUST be set to the Call-ID of the
 * dialog." The Request-URI and Route fields come from the remote target and the route set
 * (request-target.ts). `first` goes on top (the ACK's Via), `extra` after the Route fields.
 */
export function buildInDialog(
  dialog: DialogParts,
  method: string,
  seq: number,
  extra: HeaderList,
  options: MessageOptions,
  first: HeaderList = [],
): SipRequest {
  const target = requestTarget(dialog.remoteTarget, dialog.routeSet);
  const headers: HeaderList = [
    ...first,
    ["Max-Forwards", "70"],
    ["From", dialog.localUri],
    ["To", dialog.remoteUri],
    ["Call-ID", dialog.callId],
    ["CSeq", `${seq} ${method}`],
  ];
  for (const route of target.routes) headers.push(["Route", route]);
  const { body, headers: bodyHeaders } = bodyParts(options);
  headers.push(...extra, ...(options.headers ?? []), ...bodyHeaders);
  return createRequest({ method, uri: target.uri, headers, body });
}

/**
 * The ACK for the 2xx to an INVITE (RFC 3261 13.2.2.4): "The header fields of the ACK are
 * constructed in the same way as for any request sent within a dialog ... with the exception of
 * the CSeq and the header fields related to authentication. The sequence number of the CSeq
 * header field MUST be the same as the INVITE being acknowledged, but the CSeq method MUST be
 * ACK. The ACK MUST contain the same credentials as the INVITE." Its branch is the kept one: a
 * retransmitted 2xx gets the same ACK again.
 */
export function buildAck(dialog: DialogParts, ack: KeptAck, protocol: TransportProtocol): SipRequest {
  const via: HeaderList = [["Via", freshVia(protocol, ack.branch)]];
  return buildInDialog(dialog, "ACK", ack.seq, ack.credentials ?? [], ack.options ?? {}, via);
}

/**
 * RFC 3261 22.2: `request` again answering a challenge: a new transaction (no Via yet), the CSeq
 * number `seq` and the Authorization or Proxy-Authorization `credentials`.
 */
export function withCredentials(request: SipRequest, seq: number, credentials: HeaderList): SipRequest {
  const retry = cloneMessage(request);
  retry.remove("via");
  retry.set("cseq", `${seq} ${request.method}`);
  for (const [name, value] of credentials) retry.append(name, value);
  return retry;
}
