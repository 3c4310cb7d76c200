/**
 * The digest secrets kept instead of a password (RFC 7616 3.4.2: A1 = username ":" realm ":"
 * passwd, HA1 = H(A1)). Both algorithms are stored so a challenge can offer SHA-256 and MD5
 * (RFC 8760) without the password. The realm is baked in: changing a domain's realm (or a user's
 * name) invalidates the stored values, so passwords must be set again.
 */
import { createHash } from "node:crypto";

export interface Ha1Pair {
  ha1Md5: string;
  ha1Sha256: string;
}

export function computeHa1(name: string, realm: string, password: string): Ha1Pair {
  const a1 = `${name}:${realm}:${password}`;
  return {
    ha1Md5: createHash("md5").update(a1, "utf8").digest("hex"),
    ha1Sha256: createHash("sha256").update(a1, "utf8").digest("hex"),
  };
}
