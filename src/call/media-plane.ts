/**
 * The media plane as the composition root builds it from the settings: the media engine (worker
 * threads), the call relay the call engine uses, and the STUN server phones ask for the public
 * address they write in their SDP. The NAT keep-alives (SIP OPTIONS) belong to the registrar
 * (src/registrar/nat-keepalive.ts).
 */
import { networkInterfaces } from "node:os";
import type { TonePlanName } from "../media/dsp/tones.js";
import { MediaEngine } from "../media/media-engine.js";
import { MediaServer } from "../media/media-server.js";
import type { PromptLanguage } from "../media/prompts/catalogue.js";
import { PromptLibrary } from "../media/prompts/prompt-library.js";
import { StunServer } from "../nat/stun-server.js";
import type { Logger } from "../util/logger.js";
import type { CallMediaProvider } from "./call-media.js";
import { CallRelay, type RelayMode } from "./call-relay.js";

/**
 * Where the relay's sockets bind. A configured media address: itself when it is one of this host's
 * (replies then leave from it), else the wildcard of its family (an address of a 1:1 NAT in front).
 * None (issue 23: each leg is told the address it reached Parley on, of either family): "::", which
 * carries IPv4 too, on a host with IPv6; else "0.0.0.0".
 */
export function bindAddressFor(address: string | undefined): string {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  if (address === undefined) return all.some((i) => i.family === "IPv6") ? "::" : "0.0.0.0";
  if (all.some((i) => i.address === address)) return address;
  return address.includes(":") ? "::" : "0.0.0.0";
}

export interface MediaPlaneOptions {
  readonly rtpPorts: readonly [number, number];
  /** Read at each call: the mode may change at run time (config/live-settings.ts). */
  readonly mode: () => RelayMode;
  /**
   * The address written in every SDP Parley writes (--media-address); undefined: each leg's own
   * local address (issue 23), else `fallbackAddress`.
   */
  readonly address: string | undefined;
  /** What Parley's SDP names when a leg's local address is not known (a ring-back's offer). */
  readonly fallbackAddress: string;
  /** Where the media sockets bind; default: bindAddressFor(address). */
  readonly bindAddress?: string;
  readonly workers: number;
  /** Seconds; 0 = no media timeout. */
  readonly timeoutSeconds: number;
  /** Where the STUN server listens; port 0 = no STUN server. */
  readonly stun: { readonly addresses: readonly string[]; readonly port: number };
  readonly logger: Logger;
  /** Where administrators' prompt and music uploads live (`<dataDir>/prompts`, `<dataDir>/moh`). */
  readonly dataDir: string;
  readonly language: PromptLanguage;
  readonly tonePlan: TonePlanName;
  /** Silence after which a relay latch may move to a new source, ms (0 = never; issue 22). */
  readonly relatchAfterMs?: number;
  /** The process's media workers (issue 21: tenants share them); undefined: this plane's own. */
  readonly engine?: MediaEngine;
}

export class MediaPlane {
  /** The media workers: the relay's sessions and Parley's own media endpoints. */
  readonly engine: MediaEngine;
  /** Parley as a party to calls: prompts, recording, digits, tones, conference (the services use it). */
  readonly server: MediaServer;
  readonly relay: CallMediaProvider | undefined;
  readonly stun: StunServer | undefined;

  constructor(private readonly o: MediaPlaneOptions) {
    const { logger } = o;
    // The workers' sockets take the family of the address phones are told to send to.
    this.engine =
      o.engine ??
      new MediaEngine({
        minPort: o.rtpPorts[0],
        maxPort: o.rtpPorts[1],
        workers: o.workers,
        bindAddress: o.bindAddress ?? bindAddressFor(o.address),
        tonePlan: o.tonePlan,
        relatchAfterMs: o.relatchAfterMs,
        onWorkerError: (err) => logger.error({ err }, "media worker failed"),
        onEndpointWarning: (endpoint, message) => logger.warn({ endpoint, message }, "media endpoint"),
      });
    this.server = new MediaServer({
      engine: this.engine,
      prompts: new PromptLibrary({ dataDir: o.dataDir }),
      address: o.address,
      fallbackAddress: o.fallbackAddress,
      language: o.language,
      tonePlan: o.tonePlan,
      onError: (err, context) => logger.error({ err, context }, "media service failed"),
      onDigit: (peer, d) =>
        logger.info(
          { peer, digit: d.digit, source: d.source, durationMs: d.durationMs, volume: d.volume },
          "digit received",
        ),
      onClosed: (peer, stats) => {
        // RTP of a payload type the SDP did not agree, or not RTP at all: ignored, and worth a line.
        if (stats.unexpectedPayload > 0 || stats.malformed > 0)
          logger.info({ peer, ...stats }, "media endpoint ignored packets it did not agree to");
        else logger.debug({ peer, ...stats }, "media endpoint closed");
      },
    });
    // --media-relay never: phones' media never passes Parley (CallRelay.reason), but Parley's own
    // endpoints still work; the relay exists in every mode, so a change at run time applies.
    this.relay = new CallRelay({
      engine: this.engine,
      get mode() {
        return o.mode();
      },
      address: o.address,
      fallbackAddress: o.fallbackAddress,
      timeoutMs: o.timeoutSeconds * 1000,
      onError: (err) => logger.warn({ err }, "media relay request failed"),
      music: (session, side, codec) => this.server.musicOnRelaySide(session, side, codec),
      waitingTone: (session, side, codec) => this.server.toneOnRelaySide(session, side, codec, "callWaiting"),
    });
    if (o.stun.port > 0)
      this.stun = new StunServer({
        addresses: o.stun.addresses,
        port: o.stun.port,
        onError: (err) => logger.warn({ err }, "STUN socket error"),
      });
  }

  async start(): Promise<void> {
    if (!this.o.engine) await this.engine.start();
    if (this.stun) {
      try {
        await this.stun.start();
        this.o.logger.info({ listening: this.stun.listening }, "STUN server listening");
      } catch (err) {
        // STUN helps phones but calls work without it: a taken port is worth a warning, not a failure.
        this.o.logger.warn({ err, port: this.o.stun.port }, "STUN server not started (--stun-port)");
      }
    }
  }

  async stop(): Promise<void> {
    await this.stun?.stop();
    if (!this.o.engine) await this.engine.close();
  }
}
