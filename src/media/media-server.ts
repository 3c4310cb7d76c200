/**
 * The media server as the services use it: media endpoints on the media workers, prompts by name
 * in the system's language (with the administrator's replacements), spoken numbers, tones of the
 * system's tone plan, and ready-made SIP endpoints that run a service's script. Everything heavy
 * (audio files, packets, mixing) stays in the workers; this holds handles and names only.
 *
 *   const ep = media.sipEndpoint("parley:voicemail", async ({ endpoint, hangup }) => {
 *     await endpoint.play(media.speech([{ prompt: "leave-message" }, { tone: "beep" }]));
 *     await endpoint.record({ file, maxMs: 120_000, endDigits: "#", silenceMs: 5_000 });
 *   });
 *   // a service's verdict: { kind: "endpoint", target: { party, endpoint: ep } }
 */
import type { ToneName, TonePlanName } from "./dsp/tones.js";
import type { EndpointStats, PlayItem } from "./endpoint/endpoint-protocol.js";
import type { DigitEvent, EndpointHandle } from "./endpoint-handle.js";
import { type AnchoredHoldSession, anchoredHold } from "./hold-music.js";
import type { MediaEngine, MediaSession, OpenEndpointOptions } from "./media-engine.js";
import type { PromptLanguage, PromptName } from "./prompts/catalogue.js";
import type { PromptLibrary } from "./prompts/prompt-library.js";
import { sayAmount, sayDigits, sayNumber } from "./prompts/say.js";
import { type MediaScript, SipMediaEndpoint } from "./sip-media-endpoint.js";

/** One piece of what an endpoint says. */
export type Speech =
  | { readonly prompt: PromptName }
  /** Digit by digit: an extension, a PIN ("1 0 1"). */
  | { readonly digits: string }
  /** As a number: "one hundred and one". */
  | { readonly number: number }
  /** Money in cents: "12 dollars and 5 cents" / "12元5角". */
  | { readonly amount: number }
  | { readonly tone: ToneName; readonly ms?: number }
  | { readonly silenceMs: number }
  /** Music on hold by name ("default" or an upload). */
  | { readonly music: string }
  /** A recording (a voicemail message). */
  | { readonly file: string };

export interface MediaServerOptions {
  readonly engine: MediaEngine;
  readonly prompts: PromptLibrary;
  /** The address Parley writes in its SDP (--media-address); undefined: each leg's own (issue 23). */
  readonly address: string | undefined;
  /** What Parley's SDP names when a leg's local address is not known. */
  readonly fallbackAddress: string;
  readonly language: PromptLanguage;
  readonly tonePlan: TonePlanName;
  readonly onError: (error: unknown, context: string) => void;
  /** A digit reached one of Parley's endpoints (logged, so a user can see what the phone sends). */
  readonly onDigit?: (peer: string, event: DigitEvent) => void;
  /** A SIP endpoint's call is over: its figures (packets, stray payload types, digits). */
  readonly onClosed?: (peer: string, stats: EndpointStats) => void;
}

export class MediaServer {
  private lang: PromptLanguage;
  private plan: TonePlanName;

  constructor(private readonly o: MediaServerOptions) {
    this.lang = o.language;
    this.plan = o.tonePlan;
    o.prompts.onChange((path) => {
      o.engine
        .broadcast({ type: "media.forget", file: path })
        .catch((e: unknown) => o.onError(e, "media.forget"));
    });
  }

  get language(): PromptLanguage {
    return this.lang;
  }

  get tonePlan(): TonePlanName {
    return this.plan;
  }

  get prompts(): PromptLibrary {
    return this.o.prompts;
  }

  setLanguage(language: PromptLanguage): void {
    this.lang = language;
  }

  async setTonePlan(plan: TonePlanName): Promise<void> {
    this.plan = plan;
    await this.o.engine.broadcast({ type: "media.settings", tonePlan: plan });
  }

  open(options?: OpenEndpointOptions): Promise<EndpointHandle> {
    return this.o.engine.openEndpoint(options);
  }

  /**
   * The play list of some speech, in `language` (default: the system's). A prompt with no file
   * becomes a file item all the same: the worker reports it missing and plays the rest.
   */
  speech(parts: readonly Speech[], language: PromptLanguage = this.lang): PlayItem[] {
    const items: PlayItem[] = [];
    const prompt = (name: PromptName): void => {
      items.push({ file: this.o.prompts.path(name, language) ?? `(missing prompt ${language}/${name})` });
    };
    for (const part of parts) {
      if ("prompt" in part) prompt(part.prompt);
      else if ("digits" in part) for (const p of sayDigits(part.digits, language)) prompt(p);
      else if ("number" in part) for (const p of sayNumber(part.number, language)) prompt(p);
      else if ("amount" in part) for (const p of sayAmount(part.amount, language)) prompt(p);
      else if ("tone" in part)
        items.push({ tone: part.tone, ...(part.ms === undefined ? {} : { ms: part.ms }) });
      else if ("silenceMs" in part) items.push({ silenceMs: part.silenceMs });
      else if ("music" in part)
        items.push({ file: this.o.prompts.musicPath(part.music) ?? `(missing music ${part.music})` });
      else items.push({ file: part.file });
    }
    return items;
  }

  /**
   * Music on hold anchored in Parley while a phone holds a call whose media flows phone to phone
   * (the call layer's HoldMusicProvider uses it): `music` names the track ("default" or an upload).
   */
  holdMusic(
    holderOffer: Buffer,
    music = "default",
    /** The local addresses of the holding and the held leg (issue 23); by shape, as call/ gives them. */
    legs: { readonly holder?: string | undefined; readonly held?: string | undefined } = {},
  ): Promise<AnchoredHoldSession | undefined> {
    const address = (leg: string | undefined) => this.o.address ?? leg ?? this.o.fallbackAddress;
    const addresses = { holder: address(legs.holder), held: address(legs.held) };
    return anchoredHold(this.o.engine, addresses, this.speech([{ music }]), holderOffer, (error) =>
      this.o.onError(error, "music on hold"),
    );
  }

  /**
   * Music into one side of a relayed call (music on hold of a call whose media Parley relays):
   * that phone hears the track instead of the other phone until stop().
   */
  async musicOnRelaySide(
    session: MediaSession,
    side: "a" | "b",
    codec: "PCMU" | "PCMA",
    music = "default",
  ): Promise<{ stop(): void }> {
    const endpoint = await this.o.engine.openEndpoint({ attach: { session, side } });
    // Attached: the relay side knows where its phone is; the remote gives the law only.
    await endpoint.setRemote({ address: "0.0.0.0", port: 0, rtcpMux: false, codec, send: true });
    endpoint.play(this.speech([{ music }]), { loop: true });
    return {
      stop: () => {
        endpoint.close().catch((error: unknown) => this.o.onError(error, "music on hold"));
      },
    };
  }

  /**
   * One tone of the tone plan into one side of a relayed call (the call-waiting tone): that phone
   * hears the tone instead of the other party for the tone's length, then the relay again.
   */
  async toneOnRelaySide(
    session: MediaSession,
    side: "a" | "b",
    codec: "PCMU" | "PCMA",
    tone: ToneName,
  ): Promise<void> {
    const endpoint = await this.o.engine.openEndpoint({ attach: { session, side } });
    try {
      await endpoint.setRemote({ address: "0.0.0.0", port: 0, rtcpMux: false, codec, send: true });
      await endpoint.play(this.speech([{ tone }]));
    } finally {
      await endpoint.close();
    }
  }

  /** A media endpoint for the call engine whose script runs once the caller is connected. */
  sipEndpoint(
    peer: string,
    script: MediaScript,
    options: OpenEndpointOptions & { readonly early?: boolean } = {},
  ): SipMediaEndpoint {
    return new SipMediaEndpoint({
      peer,
      early: options.early === true,
      address: this.o.address,
      fallbackAddress: this.o.fallbackAddress,
      open: () => this.open(options),
      script,
      onError: (error) => this.o.onError(error, peer),
      onDigit: (event) => this.o.onDigit?.(peer, event),
      onClosed: (stats) => this.o.onClosed?.(peer, stats),
      dtlsFingerprint: () => this.o.engine.dtlsFingerprint,
    });
  }
}
