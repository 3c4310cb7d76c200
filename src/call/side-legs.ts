/**
 * The sides of an answered call moved off the bridge onto Parley's own media (park, operator
 * break-in and overstep, a second device joining): each side's dialog is re-INVITEd with the
 * offer of its own media endpoint (RFC 3264 8; RFC 3261 14.1: the offer in the re-INVITE, the
 * phone's answer in its 2xx) and from then on talks to that endpoint, as an EndpointLeg does for
 * a call answered by Parley. What the endpoints do (music, a conference room) is the service's.
 * A side that hangs up leaves alone; when the last one is gone the call is over.
 */
import type { Dialog, DialogEndCause } from "../dialog/index.js";
import type { CallBridge } from "./call-bridge.js";
import { EndpointLeg } from "./endpoint-leg.js";
import type { SideLeaving } from "./hangup-cause.js";
import type { MediaEndpoint } from "./media-endpoint.js";
import type { CallParty } from "./types.js";

/** What becomes of one side of the call when it leaves the bridge. */
export type SideFate =
  /** Re-INVITEd to talk with this endpoint. */
  | { readonly kind: "endpoint"; readonly endpoint: MediaEndpoint }
  /** Released with BYE (overstep: the extension is let go; park: the parker by code). */
  | { readonly kind: "hangup" }
  /** Left as it is: a transferor that ends its own dialog after its REFER (RFC 5589 6). */
  | { readonly kind: "leave" };

export interface SideFates {
  readonly caller: SideFate;
  readonly callee: SideFate;
}

export interface SideLegsHost {
  readonly allow: string;
  /** A DTMF digit signalled in SIP INFO by a side's phone. */
  digit(party: CallParty, digit: string): void;
  /** Every side has left: the call is over. */
  empty(): void;
  /** Whether a side's party is the call's caller now (for the hang-up cause). */
  isCaller(party: CallParty): boolean;
  /** The local address of a side's leg (issue 23), for the endpoint's SDP. */
  local?(dialog: Dialog): string | undefined;
  onError(error: unknown): void;
}

const SDP = "application/sdp";

export class SideLegs {
  private readonly legs = new Set<EndpointLeg>();
  /** Sides being re-INVITEd now (the call is not empty while one is). */
  private pending = 0;
  private closed = false;
  /** How the side that left last went (the record's hang-up cause when it was the last one). */
  lastLeft: SideLeaving | undefined;

  constructor(private readonly host: SideLegsHost) {}

  get size(): number {
    return this.legs.size + this.pending;
  }

  /** Both sides of `bridge` leave it, each to its fate; resolves once each has moved or failed. */
  async moveFrom(
    bridge: CallBridge,
    parties: { readonly caller: CallParty; readonly callee: CallParty },
    fates: SideFates,
  ): Promise<void> {
    bridge.unlinkAll();
    const dialogs = { caller: bridge.callerDialog, callee: bridge.calleeDialog };
    const moves = (["caller", "callee"] as const).map((side) => {
      const fate = fates[side];
      if (fate.kind === "endpoint") return this.add(dialogs[side], fate.endpoint, parties[side]);
      if (fate.kind === "hangup") this.bye(dialogs[side]);
      return false;
    });
    await Promise.all(moves);
    if (this.size === 0) this.host.empty();
  }

  /** Moves a confirmed dialog onto `endpoint`; false (and BYE) when the phone refuses the offer. */
  async add(dialog: Dialog, endpoint: MediaEndpoint, party: CallParty): Promise<boolean> {
    this.pending++;
    try {
      const joined = await this.reinvite(dialog, endpoint);
      if (!joined || this.closed) {
        await endpoint.close();
        this.bye(dialog);
        return false;
      }
      this.attach(dialog, endpoint, party);
      return true;
    } catch (error) {
      this.host.onError(error);
      await endpoint.close().catch(() => {});
      this.bye(dialog);
      return false;
    } finally {
      this.pending--;
      if (this.size === 0) this.host.empty();
    }
  }

  /**
   * A dialog whose session already talks to `endpoint` (a phone Parley called with the
   * endpoint's offer, e.g. a parked call's ring-back) joins the call's sides.
   */
  attach(dialog: Dialog, endpoint: MediaEndpoint, party: CallParty): void {
    let leg: EndpointLeg | undefined;
    const leave = (bye: boolean, cause?: DialogEndCause) => {
      if (leg === undefined || !this.legs.delete(leg)) return;
      const by = bye ? "endpoint" : cause === "bye-received" ? "bye" : "lost";
      this.lastLeft = { callerSide: this.host.isCaller(party), by };
      leg.close();
      if (bye) this.bye(dialog);
      if (this.size === 0) this.host.empty();
    };
    leg = new EndpointLeg(
      {
        allow: this.host.allow,
        isAnswered: () => !this.closed,
        ended: (cause: DialogEndCause) => {
          if (cause !== "bye-sent") leave(false, cause);
        },
        hangup: () => leave(true),
        digit: (digit) => this.host.digit(party, digit),
        onError: this.host.onError,
      },
      dialog,
      endpoint,
    );
    this.legs.add(leg);
  }

  /** The dialog talking to `endpoint` now (an auto-attendant's caller, endpoint-handoff.ts). */
  dialogOf(endpoint: MediaEndpoint): Dialog | undefined {
    for (const leg of this.legs) if (leg.endpoint === endpoint) return leg.dialog;
    return undefined;
  }

  /** The side talking to `endpoint` leaves it, its dialog kept up (a hand-off): no BYE, no end. */
  detach(endpoint: MediaEndpoint): void {
    for (const leg of this.legs)
      if (leg.endpoint === endpoint) {
        this.legs.delete(leg);
        leg.close();
      }
  }

  /** Ends every side: BYE and the endpoints closed (the call is hung up). */
  close(): void {
    this.closed = true;
    for (const leg of [...this.legs]) {
      this.legs.delete(leg);
      leg.close();
      this.bye(leg.dialog);
    }
  }

  /** Parley's offer from the endpoint in a re-INVITE; the phone's answer back to the endpoint. */
  private async reinvite(dialog: Dialog, endpoint: MediaEndpoint): Promise<boolean> {
    if (dialog.state === "terminated") return false;
    // An empty offer asks the endpoint for its own (the late-offer path of answerWithEndpoint).
    const offer = await endpoint.answer(Buffer.alloc(0), this.host.local?.(dialog));
    if (!offer.ok || gone(dialog)) return false;
    const response = await dialog.request("INVITE", {
      body: offer.sdp,
      contentType: SDP,
      headers: [["Allow", this.host.allow]],
    });
    if (response.status < 200 || response.status >= 300 || response.body.length === 0) return false;
    endpoint.acknowledged(response.body);
    endpoint.confirmed?.();
    return !gone(dialog);
  }

  private bye(dialog: Dialog): void {
    if (dialog.state === "terminated") return;
    dialog.bye().then(undefined, (error: unknown) => this.host.onError(error));
  }
}

/** Whether a dialog ended meanwhile (read after an await: the state may have moved on). */
function gone(dialog: Dialog): boolean {
  return dialog.state === "terminated";
}
