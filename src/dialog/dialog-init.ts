/**
 * The state a dialog starts with, from the messages that create it (RFC 3261 12.1.1 UAS,
 * 12.1.2 UAC). Its strings are copies (sip ownCopy): cut from those messages, they would keep the
 * messages' text alive as long as the dialog (issue 13: heap per active call).
 */
import { ownCopy, parseUri } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { Destination, ReceivedMessage } from "../transport/types.js";
import type { DialogRole } from "./types.js";

export interface DialogInit {
  readonly role: DialogRole;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** The local party as a From / To value, with the local tag. */
  readonly localUri: string;
  /** The remote party as a From / To value, with the remote tag. */
  readonly remoteUri: string;
  readonly localSeq: number | undefined;
  readonly remoteSeq: number | undefined;
  readonly remoteTarget: string;
  /** Route header values in the order requests carry them. */
  readonly routeSet: readonly string[];
  readonly secure: boolean;
  /** The connection the peer used, reused for requests toward it (RFC 5626 flow reuse). */
  readonly flowId: string | undefined;
  /**
   * Where the peer's messages really come from when its Contact names another address (it is
   * behind NAT) and no proxy is in the route set: in-dialog requests go there (see natPeer).
   */
  readonly natPeer: Destination | undefined;
}

/**
 * A peer behind NAT writes its private address in Contact; requests sent there never arrive.
 * Like Kamailio's fix_nated_contact or Asterisk's rewrite_contact (and RFC 3581 for responses),
 * Parley sends in-dialog requests to the address the peer's messages come from (`observed`) when
 * the Contact's host and port differ from it and no Record-Route puts a proxy in between. The
 * Request-URI stays the Contact (RFC 3261 12.2.1.1).
 */
export function natPeer(
  contact: string | undefined,
  routeSet: readonly string[],
  observed: Destination,
): Destination | undefined {
  if (routeSet.length > 0 || contact === undefined) return undefined;
  // RFC 7118 5: a WebSocket peer (its Contact host is often "<random>.invalid") is reached only
  // over the connection its messages come on, with that flow when it is known.
  if (observed.protocol === "WS" || observed.protocol === "WSS") return observed;
  const uri = parseUri(contact);
  if (uri === undefined || uri.host === "") return undefined;
  const host = uri.host.startsWith("[") ? uri.host.slice(1, -1) : uri.host;
  const port = uri.port ?? (observed.protocol === "TLS" ? 5061 : 5060);
  if (host === observed.address && port === observed.port) return undefined;
  // A Contact with a host name (not an address literal) is left to the resolver.
  if (!/^[0-9.]+$/.test(host) && !host.includes(":")) return undefined;
  return { protocol: observed.protocol, address: observed.address, port: observed.port };
}

function contactUri(message: SipRequest | SipResponse): string | undefined {
  return message.nameAddrs("contact")[0]?.uri.raw;
}

/** The route set of most dialogs (no proxy recorded a route): one shared empty list. */
const NO_ROUTES: readonly string[] = [];

/** Own copies of a route set's values, or the shared empty list. */
function ownRoutes(routes: readonly string[]): readonly string[] {
  return routes.length === 0 ? NO_ROUTES : routes.map(ownCopy);
}

/**
 * RFC 3261 12.1.1: "If the request arrived over TLS, and the Request-URI contained a SIPS URI, the
 * "secure" flag is set to TRUE. The route set MUST be set to the list of URIs in the Record-Route
 * header field from the request, taken in order and preserving all URI parameters. ... The remote
 * target MUST be set to the URI from the Contact header field of the request. The remote sequence
 * number MUST be set to the value of the sequence number in the CSeq header field of the request.
 * The local sequence number MUST be empty. The call identifier component of the dialog ID MUST be
 * set to the value of the Call-ID in the request. The local tag component of the dialog ID MUST be
 * set to the tag in the To field in the response to the request (which always includes a tag), and
 * the remote tag component of the dialog ID MUST be set to the tag from the From field in the
 * request. ... The remote URI MUST be set to the URI in the From field, and the local URI MUST be
 * set to the URI in the To field."
 */
export function uasDialogInit(rx: ReceivedMessage, localTag: string): DialogInit {
  const request = rx.message as SipRequest;
  const routeSet = ownRoutes(request.getAll("record-route"));
  return {
    role: "uas",
    callId: ownCopy(request.callId ?? ""),
    localTag,
    // NOTE: RFC 3261 12.1.1 allows a request without From tag (RFC 2543 peer, tag "null"); the
    // empty string keeps such a dialog matchable.
    remoteTag: ownCopy(request.from?.tag ?? ""),
    localUri: ownCopy(`${request.get("to") ?? ""};tag=${localTag}`),
    remoteUri: ownCopy(request.get("from") ?? ""),
    localSeq: undefined,
    remoteSeq: request.cseq?.seq,
    remoteTarget: ownCopy(contactUri(request) ?? request.from?.uri.raw ?? request.uriText),
    routeSet,
    secure: (rx.protocol === "TLS" || rx.protocol === "WSS") && request.uri.scheme === "sips",
    flowId: rx.flowId,
    natPeer: natPeer(contactUri(request), routeSet, {
      protocol: rx.protocol,
      address: rx.source.address,
      port: rx.source.port,
    }),
  };
}

/**
 * RFC 3261 12.1.2: "If the request was sent over TLS, and the Request-URI contained a SIPS URI,
 * the "secure" flag is set to TRUE. The route set MUST be set to the list of URIs in the
 * Record-Route header field from the response, taken in reverse order and preserving all URI
 * parameters. ... The remote target MUST be set to the URI from the Contact header field of the
 * response. The local sequence number MUST be set to the value of the sequence number in the CSeq
 * header field of the request. The remote sequence number MUST be empty ... The local tag component
 * of the dialog ID MUST be set to the tag in the From field in the request, and the remote tag
 * component of the dialog ID MUST be set to the tag in the To field of the response. ... The
 * remote URI MUST be set to the URI in the To field, and the local URI MUST be set to the URI in
 * the From field."
 */
export function uacDialogInit(invite: SipRequest, response: SipResponse, sentTo: Destination): DialogInit {
  const routeSet = uacRouteSet(response);
  return {
    role: "uac",
    callId: ownCopy(invite.callId ?? ""),
    localTag: ownCopy(invite.from?.tag ?? ""),
    remoteTag: ownCopy(response.to?.tag ?? ""),
    localUri: ownCopy(invite.get("from") ?? ""),
    remoteUri: ownCopy(response.get("to") ?? ""),
    localSeq: invite.cseq?.seq,
    remoteSeq: undefined,
    remoteTarget: ownCopy(contactUri(response) ?? invite.uriText),
    routeSet,
    secure: (sentTo.protocol === "TLS" || sentTo.protocol === "WSS") && invite.uri.scheme === "sips",
    flowId: undefined,
    // The INVITE went to where the callee really is (for a binding: where its REGISTER came from).
    natPeer: invite.get("route") === undefined ? natPeer(contactUri(response), routeSet, sentTo) : undefined,
  };
}

/** RFC 3261 12.1.2: the Record-Route of the response "taken in reverse order". */
export function uacRouteSet(response: SipResponse): readonly string[] {
  return ownRoutes(response.getAll("record-route").reverse());
}

/** The remote target a message's Contact refreshes to (RFC 3261 12.2), if it has one. */
export function refreshedTarget(message: SipRequest | SipResponse): string | undefined {
  return contactUri(message);
}
