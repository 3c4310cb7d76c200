/**
 * Nonces for digest challenges (RFC 7616 3.3, 5.4). A nonce carries its issue time and a serial
 * number under an HMAC, so it cannot be forged and ages out by itself.
 *
 * Replay protection (RFC 7616 3.4, nonce-count) is a fixed ring of slots, one per serial modulo
 * its size, each holding the serial that owns it and the highest nonce-count accepted for it:
 * 8 bytes a slot, allocated once (8 MB by default) whatever the rate. A nonce whose slot a newer
 * serial has taken is answered stale=true and the client simply authenticates again; so a
 * forgotten nonce is refused, never accepted, and no flood of challenges or authentications can
 * make a captured request replayable (issue 22: the old table forgot nonces by count and then
 * accepted nc=00000001 again).
 */
import * as crypto from "node:crypto";
import type { Clock } from "../util/clock.js";

export type NonceVerdict = "valid" | "stale" | "invalid";

export interface NonceOptions {
  readonly clock: Clock;
  /** How long a nonce may be used, ms. Older ones get stale=true (RFC 7616 3.3). */
  readonly lifetimeMs?: number;
  /**
   * Slots of the replay ring (a power of two). Nonces issued more than this many challenges ago
   * are stale: at 2^20 that is the last ~60 s even under a flood of 17,000 challenges a second.
   */
  readonly slots?: number;
  /** MAC key; random per process unless given (so nonces survive only as long as the process). */
  readonly secret?: Buffer;
}

const TIME_BYTES = 8;
const SERIAL_BYTES = 4;
/** base64url of the 12 signed bytes (time, serial): 16 characters. */
const BODY_CHARS = ((TIME_BYTES + SERIAL_BYTES) / 3) * 4;
/** base64url characters of the MAC kept: 16 = 96 bits. */
const MAC_CHARS = 16;
const NONCE_CHARS = BODY_CHARS + MAC_CHARS;
const DEFAULT_SLOTS = 1 << 20;

/**
 * The nonce manager of every authenticator on `clock` with this lifetime (issue 21): one replay
 * ring per process, not one per tenant. Each tenant's PBX has its own authenticator, and a ring of
 * its own gave every tenant 8 MB of typed arrays (100 tenants: 800 MB of external memory, resident
 * as far as their challenges touched it). Sharing is safe: a nonce's MAC binds its realm (one per
 * tenant), so a nonce issued for one tenant is invalid in another, and the ring is sized for the
 * whole process's challenge rate, as it was before there were tenants.
 */
export function sharedNonceManager(clock: Clock, lifetimeMs?: number): NonceManager {
  let byLifetime = shared.get(clock);
  if (byLifetime === undefined) {
    byLifetime = new Map();
    shared.set(clock, byLifetime);
  }
  const key = lifetimeMs ?? -1;
  let manager = byLifetime.get(key);
  if (manager === undefined) {
    manager = new NonceManager({ clock, ...(lifetimeMs === undefined ? {} : { lifetimeMs }) });
    byLifetime.set(key, manager);
  }
  return manager;
}
const shared = new WeakMap<Clock, Map<number, NonceManager>>();

/** SHA-256 to hex or base64url in one call (Node >= 20.12), else through createHash. */
function sha256(text: string, encoding: "hex" | "base64url"): string {
  return typeof crypto.hash === "function"
    ? crypto.hash("sha256", text, encoding)
    : crypto.createHash("sha256").update(text, "utf8").digest(encoding);
}

export class NonceManager {
  private readonly lifetimeMs: number;
  private readonly clock: Clock;
  private readonly epoch = Date.now() - performance.now();
  /** The MAC's inner and outer keys (RFC 2104 K XOR ipad, K XOR opad), as ASCII strings. */
  private readonly innerKey: string;
  private readonly outerKey: string;
  private readonly body = Buffer.alloc(TIME_BYTES + SERIAL_BYTES);
  /** The replay ring: the serial owning each slot (0 = none), and its highest nonce-count. */
  private readonly owner: Uint32Array;
  private readonly highest: Uint32Array;
  private readonly mask: number;
  /** The last serial issued: 1 to 2^32 - 1 (0 marks a free slot), starting at a random one. */
  private serial: number;

  constructor(options: NonceOptions) {
    this.clock = options.clock;
    this.lifetimeMs = options.lifetimeMs ?? 300_000;
    const slots = options.slots ?? DEFAULT_SLOTS;
    if (!Number.isInteger(Math.log2(slots))) throw new RangeError("nonce slots must be a power of two");
    this.owner = new Uint32Array(slots);
    this.highest = new Uint32Array(slots);
    this.mask = slots - 1;
    this.serial = crypto.randomBytes(4).readUInt32BE(0);
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

  /** A fresh nonce bound to `realm`; it takes the next slot of the replay ring. */
  issue(realm: string): string {
    this.serial = this.serial >= 0xffffffff ? 1 : this.serial + 1;
    const slot = this.serial & this.mask;
    this.owner[slot] = this.serial;
    this.highest[slot] = 0;
    this.body.writeDoubleBE(this.wallNow(), 0);
    this.body.writeUInt32BE(this.serial, TIME_BYTES);
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
   * Record a use of `nonce` (checked valid first) with nonce-count `nc` (hex). True if nc is
   * higher than any accepted for this nonce (RFC 7616 3.4: the server checks nc increases, to
   * detect replays). Without qop there is no nc: a nonce is then good for one use only. False
   * too when the nonce's slot has been taken by a newer one: its state is gone, so it is stale.
   */
  acceptCount(nonce: string, nc: string | undefined): boolean {
    const n = nc === undefined ? 1 : parseNc(nc);
    if (n < 1 || nonce.length !== NONCE_CHARS) return false;
    const serial = Buffer.from(nonce.slice(0, BODY_CHARS), "base64url").readUInt32BE(TIME_BYTES);
    const slot = serial & this.mask;
    if (serial === 0 || this.owner[slot] !== serial) return false;
    if (n <= (this.highest[slot] ?? 0)) return false;
    this.highest[slot] = n;
    return true;
  }

  /** Bytes the replay ring holds: fixed at construction. */
  get memoryBytes(): number {
    return this.owner.byteLength + this.highest.byteLength;
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
