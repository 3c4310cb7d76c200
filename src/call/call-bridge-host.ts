/**
 * What a Call's bridge asks of it (call-bridge.ts BridgeHost), built from the call's options: the
 * leg policy, the detection points' digit and hold reports, REFER to the transfer handler, music
 * on hold. Kept apart from call.ts so the Call reads like the call flow.
 */
import type { Dialog, DialogRequestEvent } from "../dialog/index.js";
import type { Call } from "./call.js";
import type { BridgeHost } from "./call-bridge.js";
import type { CallOptions } from "./call-options.js";
import { dialogLocal } from "./leg-address.js";

/** The Call's own parts of the host: its SDP hook and what a side's end does. */
export type CallBridgeParts = Pick<BridgeHost, "body" | "sideEnded">;

export function callBridgeHost(call: Call, o: Omit<CallOptions, "uas">, parts: CallBridgeParts): BridgeHost {
  return {
    policy: o.policy,
    allow: o.allow,
    isAnswered: () => call.state === "answered",
    body: parts.body,
    ...(o.onRefer === undefined
      ? {}
      : {
          refer: (event: DialogRequestEvent, from: Dialog, to: Dialog) => o.onRefer?.(call, event, from, to),
        }),
    sideEnded: parts.sideEnded,
    hangup: (cause) => call.hangup(cause),
    digit: (from: Dialog, digit: string) => o.onDigit?.(call, call.partyOf(from), digit),
    held: (from: Dialog, held: boolean) => o.events("held", { call, by: call.partyOf(from), held }),
    ...(o.holdMusic === undefined
      ? {}
      : {
          holdMusic: (from: Dialog, offer: Buffer) => {
            const held = call.otherSide(from);
            const legs = {
              holder: dialogLocal(o.addressing, from)?.(),
              held: held === undefined ? undefined : dialogLocal(o.addressing, held)?.(),
            };
            return o.holdMusic!.start(call.partyOf(from), offer, legs);
          },
        }),
    onError: o.onError,
  };
}
