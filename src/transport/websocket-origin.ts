/**
 * The Origin check of a SIP WebSocket handshake (RFC 6455 10.2, RFC 7118 7): a browser names
 * the page that opens the connection in Origin, so a page from elsewhere cannot register as a
 * user whose browser happens to hold a session. Non-browser clients send no Origin.
 */

/**
 * Whether a handshake's Origin is allowed. Always: no Origin (a SIP client that is not a
 * browser), and the same host as the request (Origin's host name equals the Host header's: the
 * page Parley serves itself). NOTE: the port is not compared, so the page served on the web
 * port may use the standalone WS/WSS ports of the same host. Beyond those, `allowed`: `*` for any origin, a full origin
 * (`https://app.example.com:8443`) matched exactly, or a host (`app.example.com`, with or
 * without a port) matched against the Origin's host.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes("*")) return true;
  const url = parseOrigin(origin);
  // An opaque origin ("null": a file, a sandboxed frame) matches nothing but `*`.
  if (url === undefined) return false;
  if (host !== undefined && sameHost(url, host)) return true;
  for (const entry of allowed) {
    const wanted = entry.trim().toLowerCase();
    if (wanted.includes("://")) {
      if (parseOrigin(wanted)?.origin === url.origin) return true;
    } else {
      // A host with a port matches that port only (the scheme's default port normalised away).
      const host = parseOrigin(`${url.protocol}//${wanted}`);
      if (host === undefined) continue;
      if (HAS_PORT.test(wanted) ? host.host === url.host : host.hostname === url.hostname) return true;
    }
  }
  return false;
}

/** True when `entry` is a usable --ws-origins value: `*`, an http(s) origin, or host[:port]. */
export function isOriginEntry(entry: string): boolean {
  if (entry === "*") return true;
  if (entry.includes("://")) return parseOrigin(entry) !== undefined;
  return !/[\s/?#@]/.test(entry) && entry !== "" && parseOrigin(`http://${entry}`) !== undefined;
}

const HAS_PORT = /:\d+$/;

function parseOrigin(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The Host header names the same host as the origin (any port). */
function sameHost(origin: URL, host: string): boolean {
  const asUrl = parseOrigin(`${origin.protocol}//${host}`);
  return asUrl !== undefined && asUrl.hostname === origin.hostname;
}
