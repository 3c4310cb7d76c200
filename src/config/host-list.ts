/**
 * Settings holding host names ("crm.example.com,10.0.0.5:8080,[::1]:8443"): the check and the
 * parsed entries, as the URL parser (WHATWG) writes hosts, so an entry and a URL compare as text.
 * A host without a port stands for the default port of the URL's scheme (80 for http, 443 for
 * https), never for every port of that host.
 */
import { z } from "zod";

export interface HostEntry {
  /** As URL.hostname has it: lower case, punycode, IPv6 in brackets. */
  hostname: string;
  /** undefined: the scheme's default port. */
  port: number | undefined;
}

const ENTRY = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]\\]+)(?::(\d{1,5}))?$/;

/** One entry, or undefined when it is not a host name or address with an optional port. */
export function parseHostEntry(entry: string): HostEntry | undefined {
  const m = ENTRY.exec(entry.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  try {
    const hostname = new URL(`http://${m[1]}/`).hostname;
    return hostname === "" ? undefined : { hostname, port };
  } catch {
    return undefined;
  }
}

function entries(list: string): string[] {
  return list
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
}

/** The entries of a comma list that parse; the others are left out (the setting checked them). */
export function parseHostList(list: string): HostEntry[] {
  return entries(list).flatMap((e) => parseHostEntry(e) ?? []);
}

/** A comma-separated list of host[:port] entries, kept as text ("" = none). */
export const hostList = z
  .string()
  .transform((s) => entries(s).join(","))
  .refine(
    (s) => entries(s).every((e) => parseHostEntry(e) !== undefined),
    "must be host names or addresses, each with an optional :port, separated by commas",
  );
