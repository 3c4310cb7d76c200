/**
 * Is a phone behind NAT? It is when the address it writes in its Contact or its SDP differs from
 * where its packets really come from (the REGISTER's or INVITE's source). A host name in the
 * Contact says nothing either way.
 */
import { isIP } from "node:net";

function bare(address: string): string {
  const a = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  return a.startsWith("::ffff:") && isIP(a.slice(7)) === 4 ? a.slice(7) : a.toLowerCase();
}

/** True when `claimed` is an IP address other than `observed`. */
export function differs(claimed: string | undefined, observed: string): boolean {
  if (claimed === undefined || claimed === "") return false;
  const c = bare(claimed);
  if (isIP(c) === 0) return false;
  return c !== bare(observed);
}

export interface NatEvidence {
  /** The host of the Contact URI. */
  readonly contactHost?: string;
  /** The connection address of the SDP's audio stream. */
  readonly sdpAddress?: string;
  /** Where the message came from. */
  readonly sourceAddress: string;
}

export function behindNat(e: NatEvidence): boolean {
  // RFC 3264 / RFC 2543 hold: 0.0.0.0 in SDP is not an address at all.
  const sdp = e.sdpAddress === "0.0.0.0" ? undefined : e.sdpAddress;
  return differs(e.contactHost, e.sourceAddress) || differs(sdp, e.sourceAddress);
}

const URI_HOST_PORT = /^(sips?):(?:[^@;>]*@)?(\[[0-9a-fA-F:.]+\]|[^:;>?]+)(?::(\d+))?/;

/** The host part of a SIP URI (`sip:100@10.0.0.5:5060;transport=udp` gives 10.0.0.5). */
export function uriHost(uri: string): string | undefined {
  return URI_HOST_PORT.exec(uri.trim().replace(/^<|>$/g, ""))?.[2];
}

/** The port of a SIP URI, its default (RFC 3261 19.1.2: 5060, 5061 for sips) when it has none. */
export function uriPort(uri: string): number | undefined {
  const m = URI_HOST_PORT.exec(uri.trim().replace(/^<|>$/g, ""));
  if (m === null) return undefined;
  return m[3] !== undefined ? Number(m[3]) : m[1] === "sips" ? 5061 : 5060;
}

/**
 * A binding registered from behind NAT: its Contact names an address it does not send from
 * (the call relay anchors media for it; the registrar's keep-alives hold its pinhole open).
 */
export function isNatedBinding(b: { readonly contactUri: string; readonly sourceAddress: string }): boolean {
  return differs(uriHost(b.contactUri), b.sourceAddress);
}
