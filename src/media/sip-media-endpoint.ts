/**
 * A media endpoint as the call engine sees one (the MediaEndpoint interface of src/call, matched
 * by shape: the media layer does not import the call layer): it answers the caller's offer with
 * Parley's SDP on an endpoint port, follows re-INVITEs and UPDATEs (hold, a new address, another
 * law), takes INFO digits, and runs a service's script once the caller's ACK confirms the call.
 * The script ends the call by `hangup()`, or ends because the caller hung up (its operations then
 * end with `hangup`).
 */
import { randomInt } from "node:crypto";
import { BrowserLeg, isWebRtcSdp } from "./browser-leg.js";
import type { EndpointStats } from "./endpoint/endpoint-protocol.js";
import type { DigitEvent, EndpointHandle } from "./endpoint-handle.js";
import { answerOffer, type LocalMedia, makeOffer, readAnswer } from "./sdp-negotiation.js";

/** The same union as src/call's MediaAnswer. */
export type SipMediaAnswer =
  | { readonly ok: true; readonly sdp: Buffer }
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly warning?: string };

export interface MediaScriptContext {
  readonly endpoint: EndpointHandle;
  /**
   * Ends the call: Parley sends BYE; or, before an early endpoint answered, the caller's INVITE
   * fails with `final` (default 480), e.g. 404 after "the number you dialled does not exist".
   */
  hangup(final?: { status: number; reason: string }): void;
  /** An early endpoint answers the call (200 OK); a no-op once answered. */
  answer(): void;
  /** Whether the call is over (hung up by either side). */
  readonly ended: boolean;
}

export type MediaScript = (context: MediaScriptContext) => Promise<void>;

export interface SipMediaEndpointOptions {
  /** What the CDR and live view show as the peer, e.g. `parley:echo-test`. */
  readonly peer: string;
  /** Opens the endpoint's port (MediaServer.open). */
  readonly open: () => Promise<EndpointHandle>;
  /** The address written in Parley's SDP (--media-address); undefined: the leg's own (issue 23). */
  readonly address: string | undefined;
  /** The address written when the leg's local address is not known. */
  readonly fallbackAddress: string;
  readonly script: MediaScript;
  /** A script's exception: logged by the owner; the call is then hung up. */
  readonly onError: (error: unknown) => void;
  /** Every digit the caller sends, whatever its form (for the log). */
  readonly onDigit?: (event: DigitEvent) => void;
  /** The endpoint's final figures when the call is over (for the log). */
  readonly onClosed?: (stats: EndpointStats) => void;
  /**
   * Early media (RFC 3960): play in a 183 before answering, e.g. an announcement ahead of a
   * failure status; the script answers with `answer()` or ends with `hangup(final)`.
   */
  readonly early?: boolean;
  /** The media workers' DTLS fingerprint, to answer a browser (issue 20); undefined: none. */
  readonly dtlsFingerprint?: () => string | undefined;
}

export class SipMediaEndpoint {
  readonly peer: string;
  private handle: EndpointHandle | undefined;
  private local: LocalMedia | undefined;
  /** The local address of the leg, as the call last gave it (kept for re-INVITEs). */
  private legAddress: string | undefined;
  private lastSdp = "";
  private readonly hangupListeners: Array<(final?: { status: number; reason: string }) => void> = [];
  private readonly answerListeners: Array<() => void> = [];
  readonly early: boolean;
  private started = false;
  private over = false;
  /** The caller is a browser: its SDP is translated and its media terminated (issue 20). */
  private browser: BrowserLeg | undefined;

  constructor(private readonly o: SipMediaEndpointOptions) {
    this.peer = o.peer;
    this.early = o.early === true;
  }

  private async endpoint(): Promise<{ handle: EndpointHandle; local: LocalMedia }> {
    if (this.handle === undefined || this.local === undefined) {
      this.handle = await this.o.open();
      const onDigit = this.o.onDigit;
      if (onDigit !== undefined) this.handle.onDigit(onDigit);
      this.local = {
        address: this.address(),
        port: this.handle.port,
        sessionId: randomInt(1, 2 ** 31),
        version: 1,
      };
    }
    const address = this.address();
    // The leg changed (a side re-INVITEd from another leg): the SDP names its address from now on.
    if (this.local.address !== address) this.local = { ...this.local, address };
    return { handle: this.handle, local: this.local };
  }

  private address(): string {
    return this.o.address ?? this.legAddress ?? this.o.fallbackAddress;
  }

  /** RFC 3264 8: the o= version moves on only when what Parley says changes. */
  private versioned(build: (local: LocalMedia) => string): string {
    const local = this.local!;
    let sdp = build(local);
    const body = (s: string): string => s.replace(/^o=.*$/m, "");
    if (this.lastSdp !== "" && body(sdp) !== body(this.lastSdp)) {
      this.local = { ...local, version: local.version + 1 };
      sdp = build(this.local);
    }
    this.lastSdp = sdp;
    return sdp;
  }

  async answer(offer: Buffer, local?: string): Promise<SipMediaAnswer> {
    if (local !== undefined) this.legAddress = local;
    const { handle } = await this.endpoint();
    if (offer.length === 0) return { ok: true, sdp: Buffer.from(this.versioned(makeOffer)) };
    return this.negotiate(handle, offer);
  }

  async reoffer(offer: Buffer): Promise<SipMediaAnswer> {
    const { handle } = await this.endpoint();
    return this.negotiate(handle, offer);
  }

  /** A browser's SDP as plain SDP (the endpoint's negotiation speaks RTP/AVP only). */
  private plain(body: Buffer): Buffer {
    if (this.browser === undefined && isWebRtcSdp(body)) {
      const fingerprint = this.o.dtlsFingerprint?.();
      if (fingerprint !== undefined) this.browser = new BrowserLeg(fingerprint);
    }
    return this.browser?.read(body) ?? body;
  }

  private async negotiate(handle: EndpointHandle, webOffer: Buffer): Promise<SipMediaAnswer> {
    let remote: Parameters<EndpointHandle["setRemote"]>[0] | undefined;
    const offer = this.plain(webOffer);
    const browser = this.browser;
    const sdp = this.versioned((local) => {
      const result = answerOffer(offer, local);
      remote = result.ok ? result.remote : undefined;
      if (!result.ok) return "";
      if (browser === undefined) return result.sdp;
      const candidate = { address: local.address, port: local.port };
      return browser.write(Buffer.from(result.sdp), candidate).toString("utf8");
    });
    if (remote === undefined) {
      const refused = answerOffer(offer, this.local!);
      return refused.ok
        ? { ok: false, status: 500, reason: "Server Internal Error" }
        : { ok: false, status: refused.status, reason: refused.reason, warning: refused.warning };
    }
    const webrtc = browser?.peer;
    await handle.setRemote(webrtc === undefined ? remote : { ...remote, webrtc });
    return { ok: true, sdp: Buffer.from(sdp) };
  }

  acknowledged(answer: Buffer): void {
    const plain = this.plain(answer);
    const found = readAnswer(plain);
    const webrtc = this.browser?.peer;
    const remote = found === undefined || webrtc === undefined ? found : { ...found, webrtc };
    if (remote === undefined || this.handle === undefined) {
      this.hangup();
      return;
    }
    this.handle.setRemote(remote).catch((error: unknown) => this.o.onError(error));
  }

  /** The caller's ACK came: the call is up, the service's script starts. */
  confirmed(): void {
    if (this.started || this.over || this.handle === undefined) return;
    this.started = true;
    const handle = this.handle;
    const endpoint = this;
    const context: MediaScriptContext = {
      endpoint: handle,
      hangup: (final) => endpoint.hangup(final),
      answer: () => {
        for (const l of endpoint.answerListeners.splice(0)) l();
      },
      get ended() {
        return endpoint.over;
      },
    };
    this.o.script(context).then(
      () => this.hangup(),
      (error: unknown) => {
        this.o.onError(error);
        this.hangup();
      },
    );
  }

  digit(digit: string, durationMs: number): void {
    this.handle?.digit(digit, durationMs);
  }

  onHangup(listener: (final?: { status: number; reason: string }) => void): void {
    this.hangupListeners.push(listener);
  }

  onAnswer(listener: () => void): void {
    this.answerListeners.push(listener);
  }

  private hangup(final?: { status: number; reason: string }): void {
    if (this.over) return;
    this.over = true;
    for (const l of this.hangupListeners) l(final);
  }

  async close(): Promise<void> {
    this.over = true;
    const stats = await this.handle?.close();
    if (stats !== undefined) this.o.onClosed?.(stats);
  }
}
