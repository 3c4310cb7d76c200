/** Methods Parley knows: RFC 3261 plus the extensions it implements or relays. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "INVITE",
  "ACK",
  "BYE",
  "CANCEL",
  "OPTIONS",
  "REGISTER",
  "PRACK", // RFC 3262
  "SUBSCRIBE", // RFC 6665
  "NOTIFY", // RFC 6665
  "PUBLISH", // RFC 3903
  "INFO", // RFC 6086
  "REFER", // RFC 3515
  "MESSAGE", // RFC 3428
  "UPDATE", // RFC 3311
]);

export function isKnownMethod(method: string): boolean {
  return KNOWN_METHODS.has(method);
}
