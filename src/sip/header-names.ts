/**
 * Header names: compact forms (RFC 3261 7.3.3 and the extensions that define one), canonical
 * keys (lower-cased long form), the preferred spelling for headers we write, and which headers
 * have a comma-separated list grammar (RFC 3261 7.3.1).
 */

/** RFC 3261 7.3.3 and later RFCs: compact form -> canonical key. */
const COMPACT: Record<string, string> = {
  a: "accept-contact", // RFC 3841
  b: "referred-by", // RFC 3892
  c: "content-type",
  d: "request-disposition", // RFC 3841
  e: "content-encoding",
  f: "from",
  i: "call-id",
  j: "reject-contact", // RFC 3841
  k: "supported",
  l: "content-length",
  m: "contact",
  n: "identity-info", // RFC 4474
  o: "event", // RFC 6665
  r: "refer-to", // RFC 3515
  s: "subject",
  t: "to",
  u: "allow-events", // RFC 6665
  v: "via",
  x: "session-expires", // RFC 4028
  y: "identity", // RFC 8224
};

/** Preferred spelling of well-known headers, used when Parley writes a new field. */
const SPELLING: readonly string[] = [
  "Accept",
  "Accept-Contact",
  "Accept-Encoding",
  "Accept-Language",
  "Alert-Info",
  "Allow",
  "Allow-Events",
  "Authentication-Info",
  "Authorization",
  "Call-ID",
  "Call-Info",
  "Contact",
  "Content-Disposition",
  "Content-Encoding",
  "Content-Language",
  "Content-Length",
  "Content-Type",
  "CSeq",
  "Date",
  "Error-Info",
  "Event",
  "Expires",
  "From",
  "History-Info",
  "Identity",
  "Identity-Info",
  "In-Reply-To",
  "Max-Forwards",
  "MIME-Version",
  "Min-Expires",
  "Min-SE",
  "Organization",
  "P-Asserted-Identity",
  "P-Preferred-Identity",
  "Path",
  "Priority",
  "Privacy",
  "Proxy-Authenticate",
  "Proxy-Authorization",
  "Proxy-Require",
  "RAck",
  "Reason",
  "Record-Route",
  "Refer-To",
  "Referred-By",
  "Reject-Contact",
  "Replaces",
  "Reply-To",
  "Request-Disposition",
  "Require",
  "Retry-After",
  "Route",
  "RSeq",
  "Server",
  "Service-Route",
  "Session-Expires",
  "SIP-ETag",
  "SIP-If-Match",
  "Subject",
  "Subscription-State",
  "Supported",
  "Timestamp",
  "To",
  "Unsupported",
  "User-Agent",
  "Via",
  "Warning",
  "WWW-Authenticate",
];

const SPELLING_BY_KEY = new Map<string, string>(SPELLING.map((name) => [name.toLowerCase(), name]));

/**
 * RFC 3261 7.3.1: headers whose grammar is a comma-separated list, so several fields and one
 * comma-joined field are equivalent. Headers not listed here are never split (Date,
 * WWW-Authenticate, Authorization, Proxy-Authenticate, Proxy-Authorization, Subject, ...).
 */
const LIST_HEADERS = new Set<string>([
  "accept",
  "accept-contact",
  "accept-encoding",
  "accept-language",
  "accept-resource-priority",
  "alert-info",
  "allow",
  "allow-events",
  "call-info",
  "contact",
  "content-encoding",
  "content-language",
  "error-info",
  "history-info",
  "in-reply-to",
  "p-asserted-identity",
  "p-associated-uri",
  "p-preferred-identity",
  "path",
  "proxy-require",
  "reason",
  "record-route",
  "reject-contact",
  "request-disposition",
  "require",
  "resource-priority",
  "route",
  "security-client",
  "security-server",
  "security-verify",
  "service-route",
  "supported",
  "unsupported",
  "via",
  "warning",
]);

/** Wire name -> key, cached for the spellings actually seen; bounded so hostile input cannot grow it. */
const seen = new Map<string, string>();
const SEEN_LIMIT = 2000;

for (const [compact, key] of Object.entries(COMPACT)) {
  seen.set(compact, key);
  seen.set(compact.toUpperCase(), key);
}
for (const name of SPELLING) {
  seen.set(name, name.toLowerCase());
  seen.set(name.toLowerCase(), name.toLowerCase());
}

/** Canonical key of a header name: lower-cased long form ("v" -> "via", "Call-Id" -> "call-id"). */
export function headerKey(name: string): string {
  const hit = seen.get(name);
  if (hit !== undefined) return hit;
  const lower = name.toLowerCase();
  const key = lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
  if (seen.size < SEEN_LIMIT) seen.set(name, key);
  return key;
}

/** The spelling to write for a header given by any name: "v" -> "Via", "call-id" -> "Call-ID". */
export function headerSpelling(name: string): string {
  return SPELLING_BY_KEY.get(headerKey(name)) ?? name;
}

/** True if the header's grammar is a comma-separated list (RFC 3261 7.3.1). */
export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

// Fast recognition of common spellings without slicing the name out of the header text:
// buckets by (length, first letter) hold ids of exact spellings tried with startsWith().
const BUCKET_LEN = 32;
const buckets: number[][] = [];
/** Spelling and canonical key of each recognized header name, by id. */
export const KNOWN_NAMES: string[] = [];
export const KNOWN_KEYS: string[] = [];

function addSpelling(name: string, key: string): void {
  if (name.length >= BUCKET_LEN || KNOWN_NAMES.includes(name)) return;
  const b = name.length * 32 + (name.charCodeAt(0) & 31);
  buckets[b] ??= [];
  buckets[b].push(KNOWN_NAMES.length);
  KNOWN_NAMES.push(name);
  KNOWN_KEYS.push(key);
}
for (const name of SPELLING) {
  const key = name.toLowerCase();
  addSpelling(name, key);
  addSpelling(key, key);
  addSpelling(name.toUpperCase(), key);
}
addSpelling("Call-Id", "call-id");
addSpelling("Cseq", "cseq");
for (const [compact, key] of Object.entries(COMPACT)) {
  addSpelling(compact, key);
  addSpelling(compact.toUpperCase(), key);
}

/**
 * If s[start, end) is a common spelling of a known header, returns its id in KNOWN_NAMES /
 * KNOWN_KEYS (shared constant strings); -1 otherwise (the caller slices and calls headerKey()).
 */
export function knownHeaderAt(s: string, start: number, end: number): number {
  const len = end - start;
  if (len >= BUCKET_LEN || len === 0) return -1;
  const ids = buckets[len * 32 + (s.charCodeAt(start) & 31)];
  if (ids === undefined) return -1;
  for (let k = 0; k < ids.length; k++) {
    if (s.startsWith(KNOWN_NAMES[ids[k]], start)) return ids[k];
  }
  return -1;
}
