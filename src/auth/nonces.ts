/**
 * Nonces for digest challenges (RFC 7616 3.3, 5.4). Stateless: a nonce carries its issue time and
 * an HMAC over it, so a flood of unauthenticated requests costs no memory. Replay protection
 * (RFC 7616 3.3: nonce-count) keeps one small entry per nonce that was *successfully* used, in a
 * bounded map: an attacker without the password cannot grow it, and a nonce evicted from it is
 * treated as stale (the client is simply challenged again).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../util/clock.js";

export type NonceVerdict = "valid" | "stale" | "invalid";

export interface NonceOptions {
  readonly clock: Clock;
  /** How long a nonce may be used, ms. Older ones get stale=true (RFC 7616 3.3). */
  readonly lifetimeMs?: number;
  /** Most nonces whose nonce-count is remembered. */
  readonly maxTracked?: number;
  /** HMAC key; random per process unless given (so nonces survive only as long as the process). */
  readonly secret?: Buffer;
}

const TIME_BYTES = 8;
const RANDOM_BYTES = 4;
const MAC_BYTES = 12;
const NONCE_BYTES = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;
/** base64url of 24 bytes: 32 characters, no padding. */
const NONCE_CHARS = (NONCE_BYTES / 3) * 4;

export class NonceManager {
  private readonly secret: Buffer;
  private readonly lifetimeMs: number;
  private readonly maxTracked: number;
  private readonly clock: Clock;
  /** nonce -> highest nc accepted. Insertion order = age, for eviction. */
  private readonly counts = new Map<string, number>();
  private readonly epoch = Date.now() - performance.now();

  constructor(options: NonceOptions) {
    this.clock = options.clock;
    this.secret = options.secret ?? randomBytes(32);
    this.lifetimeMs = options.lifetimeMs ?? 300_000;
    this.maxTracked = options.maxTracked ?? 200_000;
  }

  /** A fresh nonce bound to `realm`. */
  issue(realm: string): string {
    const buf = Buffer.allocUnsafe(NONCE_BYTES);
    buf.writeDoubleBE(this.wallNow(), 0);
    randomBytes(RANDOM_BYTES).copy(buf, TIME_BYTES);
    const signed = TIME_BYTES + RANDOM_BYTES;
    this.mac(buf.subarray(0, signed), realm).copy(buf, signed, 0, MAC_BYTES);
    return buf.toString("base64url");
  }

  /** Is the nonce one of ours, for this realm, and still fresh? */
  check(nonce: string, realm: string): NonceVerdict {
    if (nonce.length !== NONCE_CHARS) return "invalid";
    const buf = Buffer.from(nonce, "base64url");
    if (buf.length !== NONCE_BYTES) return "invalid";
    const signed = TIME_BYTES + RANDOM_BYTES;
    const mac = this.mac(buf.subarray(0, signed), realm).subarray(0, MAC_BYTES);
    if (!timingSafeEqual(mac, buf.subarray(signed))) return "invalid";
    const age = this.wallNow() - buf.readDoubleBE(0);
    if (age < -1000 || age > this.lifetimeMs) return "stale";
    return "valid";
  }

  /**
   * Record a use of `nonce` with nonce-count `nc` (hex). True if nc is higher than any seen for
   * this nonce (RFC 7616 3.4: the server checks nc increases, to detect replays). Without qop
   * there is no nc: a nonce is then good for one use only.
   */
  acceptCount(nonce: string, nc: string | undefined): boolean {
    const n = nc === undefined ? 1 : Number.parseInt(nc, 16);
    if (!Number.isFinite(n) || n < 1 || (nc !== undefined && !/^[0-9a-fA-F]{8}$/.test(nc))) return false;
    const last = this.counts.get(nonce);
    if (last !== undefined && n <= last) return false;
    if (last === undefined && n > 1 && this.counts.size >= this.maxTracked) {
      // We may have forgotten this nonce: refuse, the client will be re-challenged.
      return false;
    }
    this.counts.delete(nonce);
    this.counts.set(nonce, n);
    if (this.counts.size > this.maxTracked) {
      const oldest = this.counts.keys().next().value;
      if (oldest !== undefined) this.counts.delete(oldest);
    }
    return true;
  }

  get tracked(): number {
    return this.counts.size;
  }

  private wallNow(): number {
    return this.epoch + this.clock.now();
  }

  private mac(data: Buffer, realm: string): Buffer {
    return createHmac("sha256", this.secret).update(data).update(realm).digest();
  }
}
