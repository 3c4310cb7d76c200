/**
 * What crosses from one leg of a call to the other (STYLE.md, drachtio-srf: "what crosses legs is
 * a declared policy"). Parley is a back-to-back user agent (RFC 3261 6: "a B2BUA ... acts as a
 * user agent server ... and a user agent client"): nothing passes unless listed here.
 */

import type { SipMessage } from "../sip/types.js";
import type { LocalAddress } from "./leg-address.js";

/** A body passing from one leg to the other, and which way it goes. */
export interface SdpContext {
  readonly callId: string;
  /** "caller-to-callee" for the INVITE's offer and the caller's re-offers; the reverse for answers. */
  readonly direction: "caller-to-callee" | "callee-to-caller";
  /**
   * The local address of the leg the body goes to (its SIP arrives on or leaves from it, issue 23):
   * the media relay writes it in the SDP unless a media address is configured.
   */
  readonly local?: LocalAddress;
  /** The leg the body goes to is reached over a WebSocket (a browser: WebRTC SDP, issue 20). */
  readonly webSocket?: boolean;
}

/**
 * A message's body on its way to the other leg, through the policy's SDP hook, with its
 * Content-Type (nothing when it has none).
 */
export function sdpBody(
  call: { readonly id: string; readonly policy: Pick<LegPolicy, "sdp"> },
  message: SipMessage,
  direction: SdpContext["direction"],
  local: LocalAddress | undefined,
  webSocket = false,
): { body?: Buffer; contentType?: string } {
  if (message.body.length === 0) return {};
  const context: SdpContext = {
    callId: call.id,
    direction,
    ...(local === undefined ? {} : { local }),
    ...(webSocket ? { webSocket } : {}),
  };
  return {
    body: call.policy.sdp(message.body, context),
    contentType: message.get("content-type") ?? "application/sdp",
  };
}

export interface LegPolicy {
  /** Provisional statuses relayed to the caller with their body (RFC 3261 13.3.1.1). */
  readonly relayProvisionals: ReadonlySet<number>;
  /** Header fields copied from a request or response of one leg into the other's (lower case). */
  readonly headerAllowList: readonly string[];
  /** In-dialog methods relayed to the other leg (RFC 3261 14, RFC 3311, RFC 6086, RFC 3428). */
  readonly relayedMethods: ReadonlySet<string>;
  /**
   * Rewrites a body (SDP) as it crosses legs. The identity for now: the media relay will put its
   * own addresses here.
   */
  sdp(body: Buffer, context: SdpContext): Buffer;
}

/** Parley's policy for calls between local users. */
export const defaultLegPolicy: LegPolicy = {
  relayProvisionals: new Set([180, 183]),
  // RFC 3326 Reason and RFC 3261 20.1 Accept-Language / 20.38 Subject: informative, safe to pass.
  headerAllowList: ["subject", "priority", "accept-language", "alert-info", "call-info"],
  relayedMethods: new Set(["INVITE", "UPDATE", "INFO", "MESSAGE"]),
  sdp: (body) => body,
};

/** The allow-listed header fields of a message, as [name, value] pairs. */
export function allowedHeaders(
  policy: LegPolicy,
  get: (name: string) => readonly string[],
): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const name of policy.headerAllowList) for (const value of get(name)) out.push([name, value]);
  return out;
}
