import type { SipRequest, SipResponse } from "../sip/types.js";

/** RFC 3261 8.1.1.7: "The branch ID inserted by an element compliant with this specification MUST
 * always begin with the characters "z9hG4bK"." */
export const MAGIC_COOKIE = "z9hG4bK";

/**
 * The key a server transaction is found by (RFC 3261 17.2.3), or undefined when the request lacks
 * the Via or CSeq to match it at all.
 *
 * With the magic cookie: "1. the branch parameter in the request is equal to the one in the top
 * Via header field of the request that created the transaction, and 2. the sent-by value in the top
 * Via of the request is equal to the one in the request that created the transaction, and 3. the
 * method of the request matches the one that created the transaction, except for ACK, where the
 * method of the request that created the transaction is INVITE."
 *
 * Without it (RFC 2543 peers): "the INVITE request matches a transaction if the Request-URI, To
 * tag, From tag, Call-ID, CSeq, and top Via header field match those of the INVITE request which
 * created the transaction." ... "The ACK request matches a transaction if the Request-URI, From
 * tag, Call-ID, CSeq number (not the CSeq method), and top Via header field match those of the
 * INVITE request which created the transaction, and the To tag of the ACK matches the To tag of the
 * response sent by the server transaction." The ACK form of the key is the one an INVITE server
 * transaction registers as an alias once it sends its final response (`ackKeyFor2543`).
 * NOTE: Request-URI and Via are compared as written, not with the rules of 19.1.4 and 20.42: a
 * retransmission is a copy of the same bytes.
 *
 * `asMethod` computes the key of another method's transaction for the same request: RFC 3261 9.2
 * matches a CANCEL to its INVITE with the 17.2.3 rules "but the method ... INVITE".
 */
export function serverKey(request: SipRequest, asMethod?: string): string | undefined {
  const via = request.topVia;
  const cseq = request.cseq;
  if (!via || !cseq) return undefined;
  const branch = via.branch;
  let method = asMethod ?? request.method;
  if (branch?.startsWith(MAGIC_COOKIE)) {
    if (method === "ACK") method = "INVITE";
    // NOTE: joined, not concatenated: a lingering transaction's key is then one flat string, not a
    // chain of concatenation nodes (memory per transaction, RFC 3261 17.2.2 Timer J).
    return [branch, `${via.host}:${via.port ?? ""}`, method].join("\n");
  }
  // The To tag of an ACK is that of the final response; it never clashes with an INVITE's key.
  return rfc2543Key(request, method, request.to?.tag, via.raw);
}

/** The RFC 2543 key an ACK for the final `response` to `invite` will carry (17.2.3). */
export function ackKeyFor2543(invite: SipRequest, response: SipResponse): string | undefined {
  const via = invite.topVia;
  if (!via || !invite.cseq || via.branch?.startsWith(MAGIC_COOKIE)) return undefined;
  return rfc2543Key(invite, "ACK", response.to?.tag, via.raw);
}

function rfc2543Key(request: SipRequest, method: string, toTag: string | undefined, via: string): string {
  return `2543\n${method}\n${request.uriText}\n${toTag ?? ""}\n${request.from?.tag ?? ""}\n${request.callId ?? ""}\n${request.cseq?.seq}\n${via}`;
}

/**
 * The key a client transaction is found by (RFC 3261 17.1.3): "1. If the response has the same
 * value of the branch parameter in the top Via header field as the branch parameter in the top Via
 * header field of the request that created the transaction. 2. If the method parameter in the CSeq
 * header field matches the method of the request that created the transaction."
 */
export function clientKey(message: SipRequest | SipResponse): string | undefined {
  const branch = message.topVia?.branch;
  const method = message.cseq?.method;
  if (branch === undefined || method === undefined) return undefined;
  return `${branch}\n${method}`;
}
