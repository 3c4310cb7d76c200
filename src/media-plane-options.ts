/**
 * The media plane's options from the settings (composition root): the process's plane (media
 * workers, STUN) and each tenant's (its prompts, music and relay policy over the shared workers,
 * issue 21) are built from the same settings the same way.
 */
import type { MediaPlaneOptions } from "./call/media-plane.js";
import type { Settings } from "./config/settings.js";
import { contactHost } from "./contact-host.js";
import { mediaAddresses } from "./media-address.js";
import type { Logger } from "./util/logger.js";

export function mediaPlaneOptions(settings: Settings, logger: Logger): MediaPlaneOptions {
  return {
    rtpPorts: settings.rtpPorts,
    // Read at each call: the mode may change at run time (config/live-settings.ts).
    mode: () => settings.mediaRelay,
    // Issue 23: each leg's own local address unless --media-address (warned when not this host's).
    ...mediaAddresses(settings, contactHost(settings), logger),
    workers: settings.mediaWorkers,
    timeoutSeconds: settings.mediaTimeout,
    relatchAfterMs: settings.relayRelatchSilence,
    stun: { addresses: settings.bind, port: settings.stunPort },
    logger,
    dataDir: settings.dataDir,
    language: settings.language,
    tonePlan: settings.tonePlan,
  };
}
