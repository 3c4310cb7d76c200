/**
 * A service script's connect with its media anchored in Parley (`call.connect(n, {anchor = true})`,
 * issue 18): the caller stays on the script's endpoint, the callee is rung from a second endpoint
 * of the same media worker (routed through the dial plan as the caller, ring-back.ts), and the two
 * endpoints are bridged, each sending what the other hears. The callee's dialog joins the call as
 * its callee side, so a BYE from either phone ends the call, and the call's end closes both.
 *
 * What anchoring buys over a hand-off (media phone to phone): the script can still play to the
 * caller while they talk, as a calling card's "one minute left" tone (the caller's bridge is
 * paused for the tone, then resumed). What it costs: the audio passes through Parley's media
 * worker (as with the media relay), and the callee leg sees Parley's SDP, not the caller's.
 */
import type { CallControl, ControlledCall } from "../../call/call-control.js";
import type { FinalStatus } from "../../call/media-endpoint.js";
import type { PlayItem } from "../../media/endpoint/endpoint-protocol.js";
import type { EndpointHandle, MediaOperation } from "../../media/endpoint-handle.js";
import type { MediaServer } from "../../media/media-server.js";
import type { MediaScriptContext, SipMediaEndpoint } from "../../media/sip-media-endpoint.js";

export interface AnchorRequest {
  readonly media: MediaServer;
  readonly calls: CallControl;
  /** The script's endpoint (the caller talks to it) and its media handle. */
  readonly endpoint: SipMediaEndpoint;
  readonly caller: EndpointHandle;
  readonly call: ControlledCall;
  readonly number: string;
  readonly peer: string;
  /** Called with a way to give the ringing up (the caller hung up meanwhile). */
  readonly onRinging: (cancel: () => void) => void;
}

/** The two bridged endpoints while caller and callee talk. */
export class AnchoredLeg {
  private callerOp: MediaOperation;
  private readonly calleeOp: MediaOperation;

  constructor(
    private readonly caller: EndpointHandle,
    private readonly callee: EndpointHandle,
  ) {
    this.callerOp = caller.bridge(callee);
    this.calleeOp = callee.bridge(caller);
  }

  /** Plays `items` to the caller alone, its bridge paused meanwhile (the callee hears nothing new). */
  async toCaller(items: readonly PlayItem[]): Promise<void> {
    this.callerOp.stop();
    await this.caller.play(items);
    this.callerOp = this.caller.bridge(this.callee);
  }

  stop(): void {
    this.callerOp.stop();
    this.calleeOp.stop();
  }
}

/** Rings the number; the bridged leg once the callee answered, else why not. */
export async function connectAnchored(r: AnchorRequest): Promise<AnchoredLeg | FinalStatus> {
  const { media } = r;
  let calleeDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    calleeDone = resolve;
  });
  let session: (value: MediaScriptContext | undefined) => void = () => {};
  const confirmed = new Promise<MediaScriptContext | undefined>((resolve) => {
    session = resolve;
  });
  const callee = media.sipEndpoint(
    `${r.peer};leg=callee`,
    async (context) => {
      session(context);
      await done;
    },
    { near: r.caller },
  );
  const close = callee.close.bind(callee);
  callee.close = async () => {
    session(undefined);
    calleeDone();
    return close();
  };
  const started = await r.calls.ringNumber?.(r.endpoint, r.number, callee);
  if (started === undefined || "status" in started) {
    await callee.close();
    return started ?? { status: 501, reason: "Not Implemented" };
  }
  r.onRinging(() => started.cancel());
  const result = await started.result;
  if (!result.ok) {
    await callee.close();
    return result;
  }
  const party = { domainId: r.call.caller.domainId, user: r.number, displayName: "" };
  if (!r.call.attachSide(result.dialog, callee, party)) {
    result.dialog.bye().then(undefined, () => {});
    await callee.close();
    return { status: 481, reason: "Call/Transaction Does Not Exist" };
  }
  r.call.replaceParty("callee", party);
  const context = await confirmed;
  if (context === undefined) return { status: 487, reason: "Request Terminated" };
  return new AnchoredLeg(r.caller, context.endpoint);
}
