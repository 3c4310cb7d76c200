import { createRequest } from "../sip/index.js";
import type { SipRequest } from "../sip/types.js";

/**
 * Build the CANCEL for an INVITE this element sent (RFC 3261 9.1): "The Request-URI, Call-ID, To,
 * the numeric part of CSeq, and From header fields in the CANCEL request MUST be identical to those
 * in the request being cancelled, including tags. A CANCEL constructed by a client MUST have only a
 * single Via header field value matching the top Via value in the request being cancelled. ...
 * the method parameter [of CSeq] MUST have a value of "CANCEL"." ... "If the request being
 * cancelled contains a Route header field, the CANCEL request MUST include that Route header
 * field's values."
 *
 * Call it after the INVITE went out, so the top Via carries the sent-by the transport filled in.
 * Send the CANCEL with `TransactionLayer.sendRequest`: its Via keeps the INVITE's branch, and the
 * CSeq method keeps the two client transactions apart (RFC 3261 17.1.3).
 */
export function createCancel(invite: SipRequest): SipRequest {
  const via = invite.topVia;
  const cseq = invite.cseq;
  if (invite.method !== "INVITE" || !via || !cseq) {
    throw new Error("createCancel: needs an INVITE with a Via and a CSeq");
  }
  const headers: [string, string][] = [
    ["Via", via.raw],
    // RFC 3261 8.1.1: every request carries Max-Forwards; the CANCEL keeps the INVITE's.
    ["Max-Forwards", String(invite.maxForwards ?? 70)],
    ["From", invite.get("from") ?? ""],
    ["To", invite.get("to") ?? ""],
    ["Call-ID", invite.callId ?? ""],
    ["CSeq", `${cseq.seq} CANCEL`],
  ];
  for (const route of invite.getAll("route")) headers.push(["Route", route]);
  return createRequest({ method: "CANCEL", uri: invite.uriText, headers });
}
