/**
 * A call's bodies on their way to a leg (leg-policy.ts sdpBody), with what the SDP hook needs to
 * know of that leg: its local address (issue 23) and whether it is reached over a WebSocket (a
 * browser, issue 20). One function per kind of leg a body goes to, so the call says where, not how.
 */
import type { Dialog } from "../dialog/index.js";
import type { SipMessage } from "../sip/types.js";
import type { Destination, ReceivedMessage } from "../transport/types.js";
import { dialogLocal, type LegAddressing, overWebSocket, receivedOn, sentToward } from "./leg-address.js";
import { type LegPolicy, type SdpContext, sdpBody } from "./leg-policy.js";

/** The call as its bodies need it. */
export interface BodyCall {
  readonly id: string;
  readonly policy: Pick<LegPolicy, "sdp">;
  readonly addressing?: LegAddressing | undefined;
}

export type LegBody = { body?: Buffer; contentType?: string };

/** To the caller, whose INVITE `rx` is still pending (provisional and final answers). */
export function bodyToCaller(call: BodyCall, message: SipMessage, rx: ReceivedMessage | undefined): LegBody {
  const local = rx === undefined ? undefined : receivedOn(call.addressing, rx);
  return sdpBody(call, message, "callee-to-caller", local, overWebSocket(rx?.protocol));
}

/** To a callee's device being rung at `destination` (the INVITE's offer). */
export function bodyToTarget(call: BodyCall, message: SipMessage, destination: Destination): LegBody {
  const local = sentToward(call.addressing, destination);
  return sdpBody(call, message, "caller-to-callee", local, overWebSocket(destination.protocol));
}

/** To the leg of `dialog`, the body going `direction`. */
export function bodyToDialog(
  call: BodyCall,
  message: SipMessage,
  direction: SdpContext["direction"],
  dialog: Dialog,
): LegBody {
  const local = dialogLocal(call.addressing, dialog);
  return sdpBody(call, message, direction, local, overWebSocket(dialog.destination().protocol));
}
