import { headerKey, headerSpelling } from "./header-names.js";
import { HeaderTable } from "./header-table.js";
import { Request, Response } from "./message.js";
import { MessageCore } from "./message-core.js";
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
  // map(), not push(): arrays of the exact size (a request may be kept for a while, issue 13).
  const keys = spec.headers.map(([name]) => headerKey(name));
  const names = spec.headers.map(([name]) => headerSpelling(name));
  const vals = spec.headers.map(([, value]) => value);
  return new Request(
    spec.method,
    spec.uri,
    VERSION,
    HeaderTable.built(keys, names, vals),
    spec.body ?? EMPTY,
  );
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
 * `toTag` added if it parses and has no tag), Call-ID and CSeq are copied as received, even when
 * malformed (a 400 to a request the parser could not accept, so the peer can still match it);
 * a 100 also copies Timestamp (RFC 3261 8.2.6.1). Nothing is parsed or formatted again.
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string,
  options: ResponseOptions = {},
): SipResponse {
  const keys: string[] = [];
  const names: string[] = [];
  const vals: string[] = [];
  if (request instanceof MessageCore) request.responseFields(status, options.toTag, keys, names, vals);
  else copyResponseFields(request, status, options.toTag, keys, names, vals);
  if (options.headers !== undefined) {
    for (const [name, value] of options.headers) {
      keys.push(headerKey(name));
      names.push(headerSpelling(name));
      vals.push(value);
    }
  }
  const body = options.body ?? EMPTY;
  keys.push("content-length");
  names.push("Content-Length");
  vals.push(String(body.length));
  const table = HeaderTable.built(keys, names, vals);
  return new Response(status, reason ?? reasonPhrase(status), VERSION, table, body);
}

/** The same copy as MessageCore.responseFields, for a SipRequest implemented elsewhere. */
function copyResponseFields(
  request: SipRequest,
  status: number,
  toTag: string | undefined,
  keys: string[],
  names: string[],
  vals: string[],
): void {
  const copy = (key: string, name: string, all: boolean): void => {
    for (const f of request.headers) {
      if (f.key !== key) continue;
      let value = f.value;
      if (key === "to" && toTag !== undefined && request.to !== undefined && request.to.tag === undefined) {
        value += `;tag=${toTag}`;
      }
      keys.push(key);
      names.push(name);
      vals.push(value);
      if (!all) return;
    }
  };
  copy("via", "Via", true);
  copy("from", "From", false);
  copy("to", "To", false);
  copy("call-id", "Call-ID", false);
  copy("cseq", "CSeq", false);
  if (status === 100) copy("timestamp", "Timestamp", false);
}

/** A deep copy: changing one copy's headers or body never affects the other. */
export function cloneMessage<T extends SipMessage>(message: T): T {
  if (message instanceof Request || message instanceof Response) return message.clone() as SipMessage as T;
  throw new TypeError("cloneMessage: not a message built by sip/");
}
