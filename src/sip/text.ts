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
