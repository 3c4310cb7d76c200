/** A transport failure; the transaction layer turns a rejected send into a 503 (RFC 3261 8.1.3.1). */
export class TransportError extends Error {
  override readonly name = "TransportError";
}
