/**
 * The media relay as the call engine uses it (CallMediaProvider): decides whether a call's media
 * is anchored (the system setting, the users' "relay media stream", a phone behind NAT), allocates
 * a relay session in the media engine and rewrites the SDP crossing legs so each phone sends to
 * Parley: the caller ("a") to the port facing it, the callee ("b") to its own.
 *
 * It lives in call/ because it speaks the call engine's terms (caller, callee, users' settings,
 * bindings); media/ only offers the generic parts it is built from: sessions by handle, ports and
 * the SDP rewriting primitives, and knows nothing of calls or SIP (ARCHITECTURE.md).
 */
import { BrowserLeg, isWebRtcSdp } from "../media/browser-leg.js";
import type { MediaEngine, MediaSession } from "../media/media-engine.js";
import type { MediaSide, StreamStats } from "../media/protocol.js";
import { RecordingHandle } from "../media/recorder-handle.js";
import { readSdpAudio, rewriteSdp } from "../media/sdp-rewrite.js";
import { behindNat, isNatedBinding, uriHost } from "../nat/nat-detect.js";
import type {
  CallMedia,
  CallMediaProvider,
  CallMediaRequest,
  CallMediaStats,
  LegMediaStats,
  RecordingRun,
} from "./call-media.js";
import type { SdpContext } from "./leg-policy.js";

/** RFC 7118 5.2: a browser registers a Contact with `;transport=ws` or `;transport=wss`. */
const WEBSOCKET_CONTACT = /;transport=wss?(?=[;>?]|$)/i;

/** --media-relay: always, never, or auto (users' setting and NAT detection). */
export type RelayMode = "auto" | "always" | "never";

export interface CallRelayOptions {
  readonly engine: MediaEngine;
  readonly mode: RelayMode;
  /**
   * The address written in rewritten SDP for every leg (--media-address); undefined: each leg's
   * own local address (SdpContext.local, issue 23), else `fallbackAddress`.
   */
  readonly address: string | undefined;
  /** The address written for a leg whose local address is not known. */
  readonly fallbackAddress: string;
  /** No RTP either way this long (ms) after the answer ends the call; 0 = never. */
  readonly timeoutMs: number;
  readonly onError: (error: unknown) => void;
  /** Plays music into one side of a relayed call (music on hold) until stopped. */
  readonly music?: (
    session: MediaSession,
    side: MediaSide,
    codec: "PCMU" | "PCMA",
  ) => Promise<{ stop(): void } | undefined>;
  /** Plays the call-waiting tone once into one side of a relayed call. */
  readonly waitingTone?: (session: MediaSession, side: MediaSide, codec: "PCMU" | "PCMA") => Promise<void>;
}

const EMPTY: StreamStats = {
  packetsIn: 0,
  bytesIn: 0,
  packetsOut: 0,
  bytesOut: 0,
  lost: 0,
  jitterMs: 0,
  rtcpIn: 0,
};

function leg(s: StreamStats): LegMediaStats {
  const out: LegMediaStats = {
    packetsIn: s.packetsIn,
    bytesIn: s.bytesIn,
    packetsOut: s.packetsOut,
    bytesOut: s.bytesOut,
    lost: s.lost,
    jitterMs: s.jitterMs,
  };
  if (s.latched !== undefined) out.latched = s.latched;
  return out;
}

class RelayedCall implements CallMedia {
  private cause: string | undefined;
  /** The first payload type of each side's latest SDP (the law it speaks, for hold music). */
  private readonly firstPayload: Record<MediaSide, number> = { a: 0, b: 0 };
  /** Per side: held now, and the music playing to it. */
  private readonly held: Record<MediaSide, boolean> = { a: false, b: false };
  private readonly music: Partial<Record<MediaSide, { stop(): void }>> = {};
  private armed = false;
  private final: Promise<CallMediaStats> | undefined;
  /** The sides that are browsers (issue 20): their SDP is translated, their media terminated. */
  private readonly browsers: Partial<Record<MediaSide, BrowserLeg>> = {};

  constructor(
    private readonly session: MediaSession,
    private readonly o: CallRelayOptions,
    private readonly reason: string,
  ) {}

  sdp(body: Buffer, context: SdpContext): Buffer {
    // The body comes from the caller (side a) going to the callee, or the reverse.
    const from: MediaSide = context.direction === "caller-to-callee" ? "a" : "b";
    const to: MediaSide = from === "a" ? "b" : "a";
    body = this.fromBrowser(from, body);
    const audio = readSdpAudio(body);
    if (audio === undefined) return body;
    const pt = /^m=audio \d+ \S+ (\d+)/m.exec(body.toString("latin1"))?.[1];
    if (pt !== undefined) this.firstPayload[from] = Number(pt);
    if (!this.session.closed) {
      const sends = audio.direction === "sendrecv" || audio.direction === "sendonly";
      const dtmf = /^a=rtpmap:(\d+) telephone-event\/8000/im.exec(body.toString("latin1"))?.[1];
      const webrtc = this.browsers[from]?.peer;
      const peer = {
        address: audio.address,
        port: audio.port,
        rtcpMux: audio.rtcpMux,
        sends,
        ...(dtmf === undefined ? {} : { dtmfPayloadType: Number(dtmf) }),
        ...(webrtc === undefined ? {} : { webrtc }),
      };
      this.session.update(from, peer).then(undefined, this.o.onError);
    }
    // The other side sends to the relay's port facing the sender's peer.
    const address = this.o.address ?? context.local?.() ?? this.o.fallbackAddress;
    const candidate = { address, port: this.session.port(to) };
    const rewritten = rewriteSdp(body, candidate);
    const browser = this.browserToward(to, context.webSocket === true);
    return browser === undefined ? rewritten : browser.write(rewritten, candidate);
  }

  /** A body from `side`: a browser's is read as plain SDP (the side becomes a browser's). */
  private fromBrowser(side: MediaSide, body: Buffer): Buffer {
    if (this.browsers[side] === undefined && !isWebRtcSdp(body)) return body;
    const browser = this.browserLeg(side);
    if (browser === undefined) return body;
    return browser.read(body) ?? body;
  }

  /**
   * The browser a body goes to: a side that spoke WebRTC, or a leg reached over a WebSocket that
   * has not spoken yet (Parley's offer to it must be WebRTC already).
   */
  private browserToward(side: MediaSide, webSocket: boolean): BrowserLeg | undefined {
    const known = this.browsers[side];
    if (known?.heard) return known;
    return webSocket ? this.browserLeg(side) : undefined;
  }

  private browserLeg(side: MediaSide): BrowserLeg | undefined {
    const fingerprint = this.o.engine.dtlsFingerprint;
    if (fingerprint === undefined) return undefined;
    this.browsers[side] ??= new BrowserLeg(fingerprint);
    return this.browsers[side];
  }

  answered(): void {
    if (this.armed) return;
    this.armed = true;
    if (this.o.timeoutMs > 0) this.session.armTimeout(this.o.timeoutMs).then(undefined, this.o.onError);
  }

  onDigit(listener: (party: "caller" | "callee", digit: string) => void): void {
    this.session.onDigit = (side, digit) => listener(side === "a" ? "caller" : "callee", digit);
  }

  onTimeout(listener: () => void): void {
    this.session.onTimeout(() => {
      this.cause = "media-timeout";
      listener();
    });
  }

  stats(): CallMediaStats {
    const s = this.session.lastStats;
    const out: CallMediaStats = {
      relayed: true,
      reason: this.reason,
      caller: leg(s?.a ?? EMPTY),
      callee: leg(s?.b ?? EMPTY),
    };
    if (this.cause !== undefined) out.hangupCause = this.cause;
    return out;
  }

  holdMusic(heldParty: "caller" | "callee", on: boolean): void {
    const side: MediaSide = heldParty === "caller" ? "a" : "b";
    this.held[side] = on;
    if (!on) {
      this.music[side]?.stop();
      delete this.music[side];
      return;
    }
    const play = this.o.music;
    if (play === undefined || this.music[side] !== undefined || this.session.closed) return;
    const codec = this.firstPayload[side] === 8 ? "PCMA" : "PCMU";
    play(this.session, side, codec).then((music) => {
      if (music === undefined) return;
      // Resumed (or ended) while the music was being opened: it is not wanted any more.
      if (!this.held[side] || this.session.closed || this.music[side] !== undefined) music.stop();
      else this.music[side] = music;
    }, this.o.onError);
  }

  waitingTone(party: "caller" | "callee"): void {
    const side: MediaSide = party === "caller" ? "a" : "b";
    const play = this.o.waitingTone;
    // A held phone hears music (or nothing) already; the tone would cut into it.
    if (play === undefined || this.held[side] || this.session.closed) return;
    play(this.session, side, this.firstPayload[side] === 8 ? "PCMA" : "PCMU").then(undefined, this.o.onError);
  }

  async record(options: { readonly path: string; readonly channels: 1 | 2 }): Promise<RecordingRun> {
    if (this.session.closed) return { ok: false, error: "the call's media is released" };
    const started = await RecordingHandle.start(this.session, options);
    if (!(started instanceof RecordingHandle)) return { ok: false, error: started.error ?? "not started" };
    return { ok: true, stop: () => started.stop() };
  }

  close(): Promise<CallMediaStats> {
    for (const side of ["a", "b"] as const) this.holdMusic(side === "a" ? "caller" : "callee", false);
    this.final ??= this.session.close().then(() => this.stats());
    return this.final;
  }
}

export class CallRelay implements CallMediaProvider {
  constructor(private readonly o: CallRelayOptions) {}

  /** Why this call's media should be relayed, or undefined when it may flow phone to phone. */
  reason(r: CallMediaRequest): { reason: string; callerNat: boolean; calleeNat: boolean } | undefined {
    // A browser's media (DTLS-SRTP behind ICE) is terminated in Parley whatever the setting: a
    // phone cannot speak it (issue 20).
    if (
      isWebRtcSdp(r.callerSdp) ||
      r.calleeBindings.some((b) => b.webSocket === true || WEBSOCKET_CONTACT.test(b.contactUri))
    )
      return { reason: "webrtc", callerNat: false, calleeNat: false };
    // Recording needs the media in Parley, whatever the relay setting (issue 17).
    if (this.o.mode === "never")
      return r.record ? { reason: "record", callerNat: false, calleeNat: false } : undefined;
    const callerNat = behindNat({
      contactHost: r.callerContactHost === undefined ? undefined : uriHost(r.callerContactHost),
      sdpAddress: readSdpAudio(r.callerSdp)?.address,
      sourceAddress: r.callerSource,
    });
    const calleeNat = r.calleeBindings.some(isNatedBinding);
    if (this.o.mode === "always") return { reason: "setting", callerNat, calleeNat };
    if (r.callerRelayMedia || r.calleeRelayMedia) return { reason: "user", callerNat, calleeNat };
    if (callerNat || calleeNat) return { reason: "nat", callerNat, calleeNat };
    if (r.record) return { reason: "record", callerNat, calleeNat };
    return undefined;
  }

  async forCall(r: CallMediaRequest): Promise<CallMedia | undefined> {
    const why = this.reason(r);
    if (why === undefined) return undefined;
    const allocating = this.o.engine.allocate({ a: why.callerNat, b: why.calleeNat });
    // A call relayed only to be recorded goes on unrecorded, phone to phone, when no port is free.
    const session =
      why.reason === "record"
        ? await allocating.catch((error: unknown) => {
            this.o.onError(error);
            return undefined;
          })
        : await allocating;
    return session === undefined ? undefined : new RelayedCall(session, this.o, why.reason);
  }
}
