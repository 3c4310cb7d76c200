/**
 * The media worker's DTLS certificate. RFC 5763 5: endpoints use self-signed certificates, and the
 * SDP's a=fingerprint (RFC 8122) is what authenticates them. ECDSA P-256 as browsers use (small
 * enough to fit one datagram with the rest of the server's flight), made once per worker.
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { generate } from "selfsigned";

export interface DtlsCertificate {
  /** The certificate, DER. */
  readonly der: Buffer;
  /** The private key, for the ServerKeyExchange signature. */
  readonly key: KeyObject;
  /** SHA-256 of the DER, upper-case hex pairs joined by ":" (the SDP's a=fingerprint value). */
  readonly fingerprint: string;
}

/** RFC 8122 5: "hash-func SP fingerprint", the fingerprint as upper-case hex pairs joined by ":". */
export function certificateFingerprint(der: Buffer, algorithm = "sha-256"): string {
  const hex = createHash(algorithm.replace("-", "").toLowerCase()).update(der).digest("hex").toUpperCase();
  return hex.match(/../g)?.join(":") ?? "";
}

export async function createDtlsCertificate(): Promise<DtlsCertificate> {
  // Valid from a day ago (clock skew) for a year; workers are restarted far more often.
  const notBeforeDate = new Date(Date.now() - 86_400_000);
  const pems = await generate([{ name: "commonName", value: "parley" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 366 * 86_400_000),
  });
  const der = new X509Certificate(pems.cert).raw;
  return { der, key: createPrivateKey(pems.private), fingerprint: certificateFingerprint(der) };
}
