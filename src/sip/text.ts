/**
 * The model keeps byte strings (one char per octet, latin1). These convert at the edges where a
 * human-readable value is shown or set (display names, reason phrases: RFC 3261 25.1 UTF8-NONASCII).
 */

/** Byte string -> text, decoding the octets as UTF-8. */
export function toUtf8(byteString: string): string {
  return Buffer.from(byteString, "latin1").toString("utf8");
}

/** Text -> byte string holding its UTF-8 octets. */
export function fromUtf8(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/**
 * `s` as a string of its own. V8 keeps a substring of 13 or more characters as a view into the
 * string it was cut from: dialog state cut from a parsed message (a tag, a URI, a route) would
 * keep that message's whole header text alive for the life of the dialog. What outlives its
 * message is copied once with this.
 */
export function ownCopy(s: string): string {
  return structuredClone(s);
}
