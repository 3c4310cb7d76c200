/**
 * Each leg's local address (issue 23): the address of Parley's that a leg's SIP arrives on or is
 * sent from, which the media relay and Parley's own media endpoints write in that leg's SDP when
 * no media address is configured. The transport knows it (SipTransportLayer implements
 * LegAddressing); the call hands it to the SDP hook lazily, so a call whose media is not relayed
 * never computes it.
 */
import type { Dialog } from "../dialog/index.js";
import type { Destination, ReceivedMessage } from "../transport/types.js";

/** What the transport tells the call layer about its local addresses. */
export interface LegAddressing {
  /** The local address a request arrived on. */
  localAddressOf(rx: ReceivedMessage): string | undefined;
  /** The local address requests to `destination` leave from. */
  localAddressToward(destination: Destination): string | undefined;
}

/** A leg's local address, computed when asked (the SDP hook asks only when it rewrites). */
export type LocalAddress = () => string | undefined;

/** The local address of the leg whose request `rx` is (the caller's INVITE). */
export function receivedOn(
  addressing: LegAddressing | undefined,
  rx: ReceivedMessage,
): LocalAddress | undefined {
  return addressing === undefined ? undefined : () => addressing.localAddressOf(rx);
}

/** The local address of a leg Parley sends to `destination` (a callee's INVITE). */
export function sentToward(
  addressing: LegAddressing | undefined,
  destination: Destination,
): LocalAddress | undefined {
  return addressing === undefined ? undefined : () => addressing.localAddressToward(destination);
}

/** The local address of the leg of `dialog` (its requests' destination). */
export function dialogLocal(addressing: LegAddressing | undefined, dialog: Dialog): LocalAddress | undefined {
  return addressing === undefined ? undefined : () => addressing.localAddressToward(dialog.destination());
}

/**
 * Whether a leg's SIP goes over a WebSocket (RFC 7118): its phone is a browser, and the SDP Parley
 * sends it must be WebRTC's (issue 20) even before the browser has said anything.
 */
export function overWebSocket(protocol: string | undefined): boolean {
  return protocol === "WS" || protocol === "WSS";
}
