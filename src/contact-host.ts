import { networkInterfaces } from "node:os";
import type { Settings } from "./config/settings.js";

/**
 * The host of Parley's Contact on the dialogs it makes: the advertised address, else the first
 * bound address, else (wildcard) the first external IPv4 address of the host.
 */
export function contactHost(settings: Settings): string {
  if (settings.advertisedAddress) return settings.advertisedAddress;
  const bound = settings.bind.find((a) => a !== "0.0.0.0" && a !== "::");
  if (bound !== undefined) return bound.includes(":") ? `[${bound}]` : bound;
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === "IPv4" && !i.internal) return i.address;
  }
  return "127.0.0.1";
}
