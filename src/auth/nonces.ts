/**
 * Nonces for digest challenges (RFC 7616 3.3, 5.4). Stateless: a nonce carries its issue time and
 * an HMAC over it, so a flood of unauthenticated requests costs no memory. Replay protection
 * (RFC 7616 3.3: nonce-count) keeps one small entry per nonce that was *successfully* used, in a
 * bounded map: an attacker without the password cannot grow it, and a nonce evicted from it is
 * treated as stale (the client is simply challenged again).
 */
import * as crypto from "node:crypto";
import type { Clock } from "../util/clock.js";

export type NonceVerdict = "valid" | "stale" | "invalid";

export interface NonceOptions {
  readonly clock: Clock;
  /** How long a nonce may be used, ms. Older ones get stale=true (RFC 7616 3.3). */
  readonly lifetimeMs?: number;
  /** Most nonces whose nonce-count is remembered. */
  readonly maxTracked?: number;
  /** MAC key; random per process unless given (so nonces survive only as long as the process). */
  readonly secret?: Buffer;
}

const TIME_BYTES = 8;
const RANDOM_BYTES = 4;
/** base64url of the 12 signed bytes (time, random): 16 characters. */
const BODY_CHARS = ((TIME_BYTES + RANDOM_BYTES) / 3) * 4;
/** base64url characters of the MAC kept: 16 = 96 bits. */
const MAC_CHARS = 16;
const NONCE_CHARS = BODY_CHARS + MAC_CHARS;
/** Random bytes drawn from the system in one call, then handed out 4 at a time. */
const POOL_BYTES = 4096;

/** SHA-256 to hex or base64url in one call (Node >= 20.12), else through createHash. */
function sha256(text: string, encoding: "hex" | "base64url"): string {
  return typeof crypto.hash === "function"
    ? crypto.hash("sha256", text, encoding)
    : crypto.createHash("sha256").update(text, "utf8").digest(encoding);
}

export class NonceManager {
  private readonly lifetimeMs: number;
  private readonly maxTracked: number;
  private readonly clock: Clock;
  /** nonce -> highest nc accepted. Insertion order = age, for eviction. */
  private readonly counts = new Map<string, number>();
  private readonly epoch = Date.now() - performance.now();
  /** The MAC's inner and outer keys (RFC 2104 K XOR ipad, K XOR opad), as ASCII strings. */
  private readonly innerKey: string;
  private readonly outerKey: string;
  private readonly body = Buffer.alloc(TIME_BYTES + RANDOM_BYTES);
  private readonly pool = Buffer.alloc(POOL_BYTES);
  private poolAt = POOL_BYTES;

  constructor(options: NonceOptions) {
    this.clock = options.clock;
    this.lifetimeMs = options.lifetimeMs ?? 300_000;
    this.maxTracked = options.maxTracked ?? 200_000;
    // The key is the secret's SHA-256 in hex (64 characters, one SHA-256 block): XORed with
    // 0x36 / 0x5c every character stays ASCII, so the keys can be string prefixes of the text.
    const secret = options.secret ?? crypto.randomBytes(32);
    const key = crypto.createHash("sha256").update(secret).digest("hex");
    let inner = "";
    let outer = "";
    for (let i = 0; i < key.length; i++) {
      inner += String.fromCharCode(key.charCodeAt(i) ^ 0x36);
      outer += String.fromCharCode(key.charCodeAt(i) ^ 0x5c);
    }
    this.innerKey = inner;
    this.outerKey = outer;
  }

  /** A fresh nonce bound to `realm`. */
  issue(realm: string): string {
    this.body.writeDoubleBE(this.wallNow(), 0);
    if (this.poolAt + RANDOM_BYTES > POOL_BYTES) {
      crypto.randomFillSync(this.pool);
      this.poolAt = 0;
    }
    this.pool.copy(this.body, TIME_BYTES, this.poolAt, this.poolAt + RANDOM_BYTES);
    this.poolAt += RANDOM_BYTES;
    const body = this.body.toString("base64url");
    return body + this.mac(body, realm);
  }

  /** Is the nonce one of ours, for this realm, and still fresh? */
  check(nonce: string, realm: string): NonceVerdict {
    if (nonce.length !== NONCE_CHARS) return "invalid";
    const body = nonce.slice(0, BODY_CHARS);
    if (!sameText(this.mac(body, realm), nonce.slice(BODY_CHARS))) return "invalid";
    const age = this.wallNow() - Buffer.from(body, "base64url").readDoubleBE(0);
    if (!(age >= -1000 && age <= this.lifetimeMs)) return "stale";
    return "valid";
  }

  /**
   * Record a use of `nonce` with nonce-count `nc` (hex). True if nc is higher than any seen for
   * this nonce (RFC 7616 3.4: the server checks nc increases, to detect replays). Without qop
   * there is no nc: a nonce is then good for one use only.
   */
  acceptCount(nonce: string, nc: string | undefined): boolean {
    const n = nc === undefined ? 1 : parseNc(nc);
    if (n < 1) return false;
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

  /**
   * The HMAC construction (RFC 2104) over `body:realm` with SHA-256, the inner digest fed to the
   * outer hash in hex: two one-shot hashes cost a quarter of a createHmac() object.
   */
  private mac(body: string, realm: string): string {
    const inner = sha256(`${this.innerKey}${body}:${realm}`, "hex");
    return sha256(this.outerKey + inner, "base64url").slice(0, MAC_CHARS);
  }
}

/** RFC 7616 3.4: nc is exactly 8 hex digits; its value, or -1 when malformed. */
function parseNc(nc: string): number {
  if (nc.length !== 8) return -1;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const c = nc.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/** Equal strings of equal length, compared in time independent of where they differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
