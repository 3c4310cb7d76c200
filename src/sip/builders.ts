import { Field, newField, Request, Response } from "./message.js";
import { reasonPhrase } from "./reason-phrases.js";
import type { SipMessage, SipRequest, SipResponse } from "./types.js";

const EMPTY = Buffer.alloc(0);
const VERSION = "SIP/2.0";

export interface RequestSpec {
  method: string;
  /** Request-URI text. */
  uri: string;
  /** Header fields in order, e.g. [["Via", "SIP/2.0/UDP ..."], ["Max-Forwards", "70"]]. */
  headers: ReadonlyArray<readonly [name: string, value: string]>;
  body?: Buffer;
}

/** Builds a request from parts; Content-Length is added or corrected when it is serialized. */
export function createRequest(spec: RequestSpec): SipRequest {
  const fields = spec.headers.map(([name, value]) => newField(name, value));
  return new Request(spec.method, spec.uri, VERSION, fields, spec.body ?? EMPTY);
}

export interface ResponseOptions {
  /** To tag to add when the request's To has none (RFC 3261 8.2.6.2). */
  toTag?: string;
  /** Extra header fields, appended after the copied ones. */
  headers?: ReadonlyArray<readonly [name: string, value: string]>;
  body?: Buffer;
}

/**
 * Builds a response to `request` (RFC 3261 8.2.6.2): the Via fields in order, From, To (with
 * `toTag` added if it has no tag), Call-ID and CSeq are copied; a 100 also copies Timestamp
 * (RFC 3261 8.2.6.1); Content-Length is added when serialized.
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string,
  options: ResponseOptions = {},
): SipResponse {
  const fields: Field[] = [];
  for (const f of request.headers) {
    if (f.key === "via") fields.push(new Field("Via", "via", f.value));
  }
  const from = request.headers.find((f) => f.key === "from");
  if (from !== undefined) fields.push(new Field("From", "from", from.value));
  const to = request.headers.find((f) => f.key === "to");
  if (to !== undefined) {
    let value = to.value;
    if (options.toTag !== undefined && request.to?.tag === undefined) value += `;tag=${options.toTag}`;
    fields.push(new Field("To", "to", value));
  }
  const callId = request.headers.find((f) => f.key === "call-id");
  if (callId !== undefined) fields.push(new Field("Call-ID", "call-id", callId.value));
  const cseq = request.headers.find((f) => f.key === "cseq");
  if (cseq !== undefined) fields.push(new Field("CSeq", "cseq", cseq.value));
  if (status === 100) {
    const ts = request.headers.find((f) => f.key === "timestamp");
    if (ts !== undefined) fields.push(new Field("Timestamp", "timestamp", ts.value));
  }
  if (options.headers !== undefined) for (const [n, v] of options.headers) fields.push(newField(n, v));
  const body = options.body ?? EMPTY;
  fields.push(new Field("Content-Length", "content-length", String(body.length)));
  return new Response(status, reason ?? reasonPhrase(status), VERSION, fields, body);
}

/** A deep copy: changing one copy's headers or body never affects the other. */
export function cloneMessage<T extends SipMessage>(message: T): T {
  if (message instanceof Request || message instanceof Response) return message.clone() as SipMessage as T;
  throw new TypeError("cloneMessage: not a message built by sip/");
}
