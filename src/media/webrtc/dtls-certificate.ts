/**
 * The media worker's DTLS certificate (RFC 5763 5: self-signed is fine, the SDP's a=fingerprint
 * authenticates it): ECDSA P-256, made once per worker, with its SHA-256 fingerprint in the
 * "AB:CD:..." form of RFC 8122 5.
 */
export interface DtlsCertificate {
  /** The certificate, DER. */
  readonly der: Buffer;
  /** The private key, PEM (PKCS#8). */
  readonly keyPem: string;
  /** The certificate, PEM. */
  readonly certPem: string;
  /** SHA-256 of the DER, upper-case hex pairs joined by ":" (the SDP's a=fingerprint value). */
  readonly fingerprint: string;
}

export function createDtlsCertificate(): Promise<DtlsCertificate> {
  // TODO(H2, in progress this session): the self-signed certificate.
  return Promise.reject(new Error("not yet"));
}
