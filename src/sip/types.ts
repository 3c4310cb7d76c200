/**
 * The public shape of Parley's SIP message model. Every layer above `sip/` codes against these
 * types; `sip/` implements them (parser.ts, message.ts, serializer.ts, uri.ts, ...).
 *
 * Strings in the model are *byte strings*: the wire bytes decoded as latin1, one char per octet,
 * so an untouched header re-serializes byte for byte. Use `toUtf8()` / `fromUtf8()` (text.ts) at
 * the edges where a human-readable value (display name, reason phrase) is shown or set.
 */

/** A parsed URI (RFC 3261 19.1, RFC 3966 for tel). Parsed lazily from the raw text. */
export interface SipUri {
  /** Lower-cased scheme: "sip", "sips", "tel" or any other (absoluteURI). */
  readonly scheme: string;
  /** User part, still %-escaped as on the wire (RFC 3261 19.1.4 compares unescaped). Undefined if none. */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Host as written, lower-cased; an IPv6 reference keeps its brackets: "[2001:db8::1]". */
  readonly host: string;
  readonly port: number | undefined;
  /** uri-parameters, names lower-cased; a parameter without value maps to null. */
  readonly params: ReadonlyMap<string, string | null>;
  /** URI headers after "?", undecoded, in order. */
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
  /** For non-sip/sips/tel schemes: everything after "scheme:". */
  readonly opaque: string | undefined;
  /** The URI exactly as it appeared. */
  readonly raw: string;
}

/** One Via value (RFC 3261 20.42). */
export interface ViaValue {
  /** "SIP/2.0" */
  readonly protocol: string;
  /** Upper-cased transport: "UDP", "TCP", "TLS", "SCTP", "WS", ... */
  readonly transport: string;
  /** sent-by host, lower-cased; IPv6 keeps brackets. */
  readonly host: string;
  readonly port: number | undefined;
  /** branch parameter as received (case preserved), undefined if absent. */
  readonly branch: string | undefined;
  readonly received: string | undefined;
  /** rport: undefined = absent, null = present without value (RFC 3581 request), number = filled in. */
  readonly rport: number | null | undefined;
  readonly maddr: string | undefined;
  readonly ttl: number | undefined;
  /** All via-params, names lower-cased. */
  readonly params: ReadonlyMap<string, string | null>;
  /** The value as received, e.g. "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776". */
  readonly raw: string;
}

/** name-addr / addr-spec headers: From, To, Contact, Route, Record-Route, Refer-To, ... */
export interface NameAddr {
  /** Display name; for a quoted-string, unquoted and unescaped. Undefined if none. */
  readonly displayName: string | undefined;
  readonly uri: SipUri;
  /** Header parameters (outside <>), names lower-cased. */
  readonly params: ReadonlyMap<string, string | null>;
  /** Convenience for params.get("tag"). */
  readonly tag: string | undefined;
  /** True if the value was written as name-addr (with <>). */
  readonly bracketed: boolean;
  readonly raw: string;
}

export interface CSeqValue {
  readonly seq: number;
  /** Method, case-sensitive as per RFC 3261 7.1. */
  readonly method: string;
}

/** One header line as it sits in the message. Multi-value headers received joined by commas stay one field. */
export interface HeaderField {
  /** Name as on the wire ("v", "VIA", "Via"). */
  readonly name: string;
  /** Canonical key: lower-cased long form ("v" -> "via", "Call-Id" -> "call-id"). */
  readonly key: string;
  /** The value with folding (CRLF + WSP) replaced by a single SP, trimmed. */
  readonly value: string;
}

/** Fields common to requests and responses. */
export interface SipMessageBase {
  /** Ordered header fields. Read-only view; mutate through the methods below. */
  readonly headers: ReadonlyArray<HeaderField>;
  /** Message body bytes (framed by Content-Length); empty Buffer if none. */
  body: Buffer;

  // Eagerly parsed essentials (RFC 3261 8.1.1). Accessing a missing one returns undefined;
  // `parseMessage` reports which are missing in its error.
  readonly callId: string | undefined;
  readonly cseq: CSeqValue | undefined;
  /** First Via value. */
  readonly topVia: ViaValue | undefined;
  /** All Via values in order (comma-split across all Via fields). Lazy. */
  readonly vias: ReadonlyArray<ViaValue>;
  readonly from: NameAddr | undefined;
  readonly to: NameAddr | undefined;
  readonly maxForwards: number | undefined;

  /** First value of a header by canonical key (compact or long name accepted), e.g. get("contact"). */
  get(name: string): string | undefined;
  /** All values of a header: every field, comma-split for headers whose grammar is a list. */
  getAll(name: string): string[];
  has(name: string): boolean;
  /** Parsed name-addr values of a list header (Contact, Route, Record-Route, ...). Lazy, cached. */
  nameAddrs(name: string): NameAddr[];
  /** Replace every field of that header with one field holding `value`. */
  set(name: string, value: string): void;
  /** Add a field: at the end, or before all others of the same header when `top` is true. */
  append(name: string, value: string, top?: boolean): void;
  /** Remove every field of that header. */
  remove(name: string): void;
  /** Remove the first Via value (a proxy or UAC receiving a response). */
  removeTopVia(): void;
  /** Set or replace parameters of the first Via value (e.g. received/rport, RFC 3581). null = no value. */
  setTopViaParams(params: Record<string, string | number | null>): void;

  /** Serialize: untouched header lines byte for byte; Content-Length kept in step with `body`. */
  serialize(): Buffer;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: "request";
  readonly method: string;
  /** Request-URI as on the wire. */
  uriText: string;
  /** Parsed Request-URI (lazy, cached; re-parsed after uriText changes). */
  readonly uri: SipUri;
  readonly version: string;
  /**
   * The To tag this element answers the request with (RFC 3261 8.2.6.2), once chosen: one per
   * request, so every response to it carries the same. Undefined until a responder sets it.
   */
  responseTag: string | undefined;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: "response";
  readonly status: number;
  reason: string;
  readonly version: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Why a message could not be accepted. */
export type ParseErrorCode =
  | "empty"
  | "bad-start-line"
  | "bad-version"
  | "bad-header"
  | "missing-header"
  | "multiple-values"
  | "bad-value"
  | "bad-content-length"
  | "incomplete"
  | "too-large";

export interface ParseError {
  readonly code: ParseErrorCode;
  /** Human-readable, usable as the reason phrase of the 4xx: "Bad CSeq header", "Missing Call-ID". */
  readonly reason: string;
  /** The status an element should answer with (400, or 505 for a bad SIP version). */
  readonly status: number;
  /**
   * Whatever parsed. Present when the start line and header section were readable; a request that
   * names its Via, From, To, Call-ID and CSeq can be answered (see `answerable`).
   */
  readonly message: SipMessage | undefined;
  /**
   * True when `message` is a request whose start line parsed and which has at least one Via and a
   * From, To, Call-ID and CSeq, even if their values are malformed (RFC 4475 3.1.2: answer 400).
   * `createResponse` copies those header values as received, so the peer can match the response;
   * the transport sends it back to the request's source when its top Via does not parse.
   * A request missing any of them (notably Via) is not answerable and is dropped.
   * NOTE: a repeated From/To/Call-ID/CSeq still leaves it answerable (RFC 4475 3.3.8 multi01 wants a
   * 400); the response copies the first one.
   */
  readonly answerable: boolean;
}

export type ParseResult =
  | { readonly ok: true; readonly message: SipMessage; readonly error?: undefined }
  | { readonly ok: false; readonly error: ParseError; readonly message?: undefined };
