/** Settings holding addresses and CIDR ranges ("10.0.0.0/8,::1"): the check and the parsed list. */
import { isIP } from "node:net";
import { z } from "zod";

export function isCidr(entry: string): boolean {
  const [addr, bits, extra] = entry.split("/");
  const family = isIP(addr ?? "");
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32);
}

/** A comma-separated list of addresses/CIDRs, parsed to its entries (blank: none). */
export const cidrList = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((a) => a.trim())
      .filter((a) => a.length > 0),
  )
  .refine((l) => l.every(isCidr), "must be IP addresses or CIDR ranges separated by commas");
