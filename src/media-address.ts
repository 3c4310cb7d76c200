/**
 * The address Parley writes in the SDP of relayed calls and of its own media (composition root,
 * issue 23). By default none is configured: each leg is told the local address its phone reached
 * Parley on (src/call/leg-address.ts), so a phone on 127.0.0.1 hears Parley on 127.0.0.1 and a LAN
 * phone on the LAN address. --media-address (else an --advertised-address that is an IP address,
 * which the SIP messages already name) is written for every leg instead; one that is not an
 * address of this machine is worth a warning at start-up: phones send their RTP there, and unless
 * a NAT forwards it to this host, relayed calls are silent.
 */
import { isIP } from "node:net";
import { bindAddressFor } from "./call/media-plane.js";
import type { Settings } from "./config/settings.js";
import { isWildcard, unbracket } from "./transport/addresses.js";
import { hostInterfaceAddresses, type InterfaceAddress } from "./transport/local-address.js";

export interface MediaAddresses {
  /** Written for every leg; undefined: each leg's own local address. */
  readonly address: string | undefined;
  /** Written when a leg's local address is not known. */
  readonly fallbackAddress: string;
  /**
   * Where the media sockets bind: the configured address when it is this host's; with none, the one
   * address SIP listens on when that is a single specific address (every leg's local address is
   * then that one: RTP listens no wider than SIP), else "::" (dual-stack) or "0.0.0.0".
   */
  readonly bindAddress: string;
}

/** The configured media address and the setting it came from, if any. */
export function configuredMediaAddress(
  settings: Pick<Settings, "mediaAddress" | "advertisedAddress">,
): { readonly address: string; readonly setting: "mediaAddress" | "advertisedAddress" } | undefined {
  if (settings.mediaAddress !== undefined) return { address: settings.mediaAddress, setting: "mediaAddress" };
  const advertised = settings.advertisedAddress === undefined ? "" : unbracket(settings.advertisedAddress);
  if (isIP(advertised) !== 0) return { address: advertised, setting: "advertisedAddress" };
  return undefined;
}

const FLAG = { mediaAddress: "--media-address", advertisedAddress: "--advertised-address" } as const;

/**
 * The media addresses of the settings; logs a warning when the configured one is not an address
 * of this machine (`host` lists them; default: os.networkInterfaces()).
 */
export function mediaAddresses(
  settings: Pick<Settings, "mediaAddress" | "advertisedAddress" | "bind">,
  contactHost: string,
  logger: { warn(fields: Record<string, unknown>, message: string): void },
  host: readonly InterfaceAddress[] = hostInterfaceAddresses(),
): MediaAddresses {
  const configured = configuredMediaAddress(settings);
  const fallbackAddress = unbracket(contactHost);
  if (configured === undefined) {
    const only = settings.bind.length === 1 && !isWildcard(settings.bind[0]) ? settings.bind[0] : undefined;
    return { address: undefined, fallbackAddress, bindAddress: only ?? bindAddressFor(undefined) };
  }
  const { address, setting } = configured;
  const own = host.map((i) => i.address);
  if (!own.some((a) => a.toLowerCase() === address.toLowerCase())) {
    logger.warn(
      { setting, flag: FLAG[setting], address, machineAddresses: own },
      `media address ${address} (${setting}, ${FLAG[setting]}) is not an address of this machine ` +
        `(it has ${own.join(", ")}): phones are told to send RTP there, so relayed calls and ` +
        "Parley's prompts are silent unless a NAT in front forwards it here; without the setting " +
        "each phone is told the address it reached Parley on",
    );
  }
  return { address, fallbackAddress, bindAddress: bindAddressFor(address) };
}
